// `lockstep shrink TRACE`: shrinks a failing trace again.
#include <iostream>

#include "commands.hpp"

namespace lockstep::tool {

int shrink_command(const std::string& self, const Args& args) {
  const std::string& path = need_operand(args);
  const std::string out = args.has("out") ? args.text("out") : path + ".shrunk";
  check_output_path(out, "--out");
  const check::Trace trace = read_trace(path);
  if (trace.verdict == check::FailureKind::none) throw InputError(path + ": the trace passes: nothing to shrink");
  const check::ShrinkResult shrunk = check::shrink(trace);
  write_output(out, check::to_text(shrunk.minimal));
  std::cout << shrunk.summary() << "\n"
            << check::to_text(shrunk.minimal) << "shrunk trace written to " << printable(out)
            << "\nreproduce: " << printable(self) << " replay " << printable(out) << "\n";
  SummaryLine line("shrink");
  line.add("verdict", "shrunk").add("trace_file", path).add("attempts", shrunk.attempts);
  add_failure(line, &shrunk.minimal, out, shrunk.after);
  line.print(std::cout);
  return 0;
}

}  // namespace lockstep::tool
