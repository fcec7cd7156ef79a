// `lockstep replay TRACE`: re-runs a trace, checks every recorded step, and
// optionally goes on past its end with random or PCT decisions.
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace lockstep::tool {

namespace {

std::unique_ptr<check::ChoiceSource> then_source(const Args& args, const check::Trace& trace) {
  const std::string then_name = args.has("then") ? args.text("then") : "";
  if (then_name == "random") return std::make_unique<check::RandomSource>(args.whole("seed"));
  if (then_name == "pct") {
    return std::make_unique<check::PctSource>(args.whole("seed"), static_cast<int>(args.whole("depth")),
                                              static_cast<int>(trace.program.tasks.size()), 64);
  }
  return nullptr;
}

void print_summary(const std::string& path, const check::ReplayResult& result, const std::string& strategy,
                   const std::string& out) {
  SummaryLine line("replay");
  line.add("verdict", result.diverged ? "diverged" : result.run.passed() ? "pass" : "fail");
  line.add("trace_file", path).add("strategy", strategy).add("steps", result.run.steps.size());
  line.add("diverged", result.diverged);
  if (result.diverged || result.run.passed()) {
    line.add_null("failure").add_null("trace");
  } else {
    line.add("failure", check::name_of(result.run.failure)).add("trace", out);
  }
  line.print(std::cout);
}

}  // namespace

int replay_command(const std::string& self, const Args& args) {
  const std::string& path = need_operand(args);
  const bool then = args.has("then");
  if (!then && args.has("seed")) throw Usage("--seed needs --then random or --then pct");
  if ((!then || args.text("then") != "pct") && args.has("depth")) throw Usage("--depth needs --then pct");
  const std::string out = args.text("out");
  check_output_path(out, "--out");
  const check::Trace trace = read_trace(path);
  std::unique_ptr<check::ChoiceSource> source = then_source(args, trace);
  const std::string strategy = trace.strategy + (source ? " then " + source->describe() : "");
  const std::string trace_out = args.has("trace-out") ? args.text("trace-out") : "";
  if (!trace_out.empty()) check_output_path(trace_out, "--trace-out");
  const auto result = check::replay(trace, check::make_production_lock, std::move(source));
  const auto as_text = [&] { return check::to_text(check::make_trace(trace.program, strategy, result.run)); };
  if (!trace_out.empty()) write_output(trace_out, as_text());
  int status = 0;
  if (result.diverged) {
    std::cout << printable(result.divergence) << "\n";
    status = 1;
  } else {
    std::cout << "replayed " << result.run.steps.size() << " steps: " << check::verdict_line(result.run) << "\n";
    if (!result.run.passed()) {
      write_output(out, as_text());
      std::cout << "the failure reproduces; trace written to " << printable(out) << "\nreproduce: " << printable(self)
                << " replay " << printable(out) << "\n";
      status = 1;
    }
  }
  print_summary(path, result, strategy, out);
  return status;
}

}  // namespace lockstep::tool
