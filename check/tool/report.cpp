// Reporting a failure: shrunk, printed as a trace and a timeline, written, and
// followed by the command that reproduces it.
#include <iostream>

#include "commands.hpp"
#include "lockstep/check/show.hpp"

namespace lockstep::tool {

int report_failure(const std::string& self, const check::Trace& failure, const std::string& out,
                   check::TraceSize* shrunk_size) {
  std::cout << "FAILURE: " << name_of(failure.verdict) << ": " << printable(failure.message) << "\n";
  write_output(out + ".original", check::to_text(failure));
  const check::ShrinkResult shrunk = check::shrink(failure);
  const std::string text = check::to_text(shrunk.minimal);
  std::cout << "shrunk: " << shrunk.summary() << "\n\n" << text << "\n";
  std::cout << check::timeline_text(shrunk.minimal) << "\n";
  write_output(out, text);
  std::cout << "compact: " << check::to_compact(shrunk.minimal) << "\n";
  std::cout << "trace written to " << printable(out) << " (unshrunk: " << printable(out) << ".original)\n";
  std::cout << "reproduce: " << printable(self) << " replay " << printable(out) << "\n";
  if (shrunk_size != nullptr) *shrunk_size = shrunk.after;
  return 1;
}

void add_failure(SummaryLine& line, const check::Trace* failure, const std::string& trace_file,
                 const check::TraceSize& shrunk) {
  const char* fields[] = {"shrunk_tasks", "shrunk_operations", "shrunk_decisions", "shrunk_steps",
                          "shrunk_preemptions"};
  if (failure == nullptr) {
    line.add_null("failure").add_null("trace");
    return;
  }
  line.add("failure", check::name_of(failure->verdict)).add("trace", trace_file);
  line.add(fields[0], shrunk.tasks).add(fields[1], shrunk.operations).add(fields[2], shrunk.decisions);
  line.add(fields[3], shrunk.steps).add(fields[4], shrunk.preemptions);
}

}  // namespace lockstep::tool
