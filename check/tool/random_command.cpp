// `lockstep random PROGRAM` and `lockstep pct PROGRAM`: sampled schedules.
#include <iostream>
#include <limits>

#include "commands.hpp"
#include "signals.hpp"

namespace lockstep::tool {

namespace {

struct SampleRequest {
  std::string path;
  bool pct = false;
  std::uint64_t runs = 0;
  std::uint64_t seed = 0;
  int depth = 0;
  std::string out;
  std::string trace_out;  // "" for none
};

SampleRequest read_request(const Args& args) {
  SampleRequest request;
  request.path = need_operand(args);
  request.pct = args.command == "pct";
  request.runs = args.whole("runs");
  request.seed = args.whole("seed");
  request.depth = request.pct ? static_cast<int>(args.whole("depth")) : 0;
  if (request.runs - 1 > std::numeric_limits<std::uint64_t>::max() - request.seed) {
    throw Usage("--seed " + std::to_string(request.seed) + " with --runs " + std::to_string(request.runs) +
                " would pass the largest seed, 18446744073709551615");
  }
  request.out = args.text("out");
  check_output_path(request.out, "--out");
  request.trace_out = args.has("trace-out") ? args.text("trace-out") : "";
  if (!request.trace_out.empty()) check_output_path(request.trace_out, "--trace-out");
  return request;
}

// The prose line of a run that did not fail, interrupted or not.
void print_passed(const std::string& command, const SampleRequest& request, const SampleResult& result) {
  const std::string pct_note =
      request.pct ? ", depth " + std::to_string(request.depth) + ", k " + std::to_string(result.k) : "";
  if (result.interrupted) {
    std::cout << command << ": interrupted after " << result.runs << " of " << request.runs << " runs of "
              << printable(request.path);
    if (result.runs != 0) {
      std::cout << " (seeds " << request.seed << ".." << request.seed + (result.runs - 1) << pct_note << ")";
    }
    std::cout << ": those passed, " << result.steps << " steps\n";
    return;
  }
  std::cout << command << ": " << request.runs << " runs of " << printable(request.path) << " (seeds " << request.seed
            << ".." << request.seed + (request.runs - 1) << pct_note << "): all passed, " << result.steps << " steps";
  if (result.predicted_deadlocks != 0) std::cout << ", " << result.predicted_deadlocks << " predicted deadlocks";
  std::cout << "\n";
}

void print_summary(const std::string& command, const SampleRequest& request, const SampleResult& result,
                   const check::TraceSize& shrunk) {
  SummaryLine line(command);
  line.add("verdict", result.failure ? "fail" : result.interrupted ? "interrupted" : "pass");
  line.add("program", request.path).add("runs", result.runs).add("runs_asked", request.runs);
  line.add("seed", request.seed).add("steps", result.steps).add("predicted_deadlocks", result.predicted_deadlocks);
  if (request.pct) line.add("depth", static_cast<std::uint64_t>(request.depth)).add("k", result.k);
  add_failure(line, result.failure ? &*result.failure : nullptr, request.out, shrunk);
  line.print(std::cout);
}

}  // namespace

int random_or_pct(const std::string& self, const Args& args) {
  const SampleRequest request = read_request(args);
  const auto program = read_program(request.path);
  catch_stop_signals(true);
  const SampleResult result = sample(program, request.pct, request.runs, request.seed, request.depth, 0, args.command,
                                     !request.trace_out.empty());
  restore_default_signals();
  if (result.last) {
    write_output(request.trace_out, check::to_text(*result.last));
    std::cout << args.command << ": run " << result.runs << "'s trace written to " << printable(request.trace_out)
              << "\n";
  }
  check::TraceSize shrunk;
  int status = 0;
  if (result.failure) {
    std::cout << args.command << ": run " << result.runs << " of " << request.runs << " failed\n";
    status = report_failure(self, *result.failure, request.out, &shrunk);
  } else {
    print_passed(args.command, request, result);
    if (result.interrupted) status = exit_status_for(stop_signal());
  }
  print_summary(args.command, request, result, shrunk);
  return status;
}

}  // namespace lockstep::tool
