// For the CPython differential: reads "PROGRAM<TAB>DECISIONS" lines (compact
// program, decisions separated by spaces) and, for each, runs the program on
// the production loop and lock against the model and prints "=== N", one
// step record per line, and "end: ok", "end: deadlock 1,3" (the model
// predicted it too), or "end: FAIL <verdict>" when production and the model
// disagree or a check fails. Same format as check/asyncio/oracle.py.
// A line "GEN SEED<TAB>DECISIONS" runs check::generate_program(SEED) instead
// and prints "program: <compact>" before its steps.
//
// With --no-model the model is not run (RunOptions::compare_with_model off),
// so the steps are production's alone, for comparing a mutant's core with
// CPython and nothing else (the kill matrix's differential column). The end
// is read off the last step: "end: ok", or "end: deadlock 1,3" for the tasks
// left suspended; a run that one of the model-free checks (SEMANTICS OB-*)
// stopped before its end prints "end: stopped <verdict>", which no oracle
// output matches, so the comparison must look at the steps before it.
// The last line is the JSON summary (check/tool/summary.hpp):
//   {"summary":"steps_batch","verdict":"pass"|"fail","cases":N,"model":bool,"failed":N,"stopped":N}
#include <iostream>
#include <sstream>
#include <string>

#include "lockstep/check/generate.hpp"
#include "lockstep/check/runner.hpp"
#include "lockstep/check/trace.hpp"
#include "summary.hpp"

namespace {

bool ends_at_idle(lockstep::check::FailureKind kind) {
  using lockstep::check::FailureKind;
  return kind == FailureKind::none || kind == FailureKind::deadlock || kind == FailureKind::lock_left_held ||
         kind == FailureKind::waiters_left_queued;
}

// The end of a model-free run, from its last step (see the file comment).
std::string model_free_end(const lockstep::check::RunResult& run) {
  if (!ends_at_idle(run.failure)) return "end: stopped " + lockstep::check::verdict_line(run);
  std::string stuck;
  if (!run.steps.empty()) {
    const auto& tasks = run.steps.back().tasks;
    for (std::size_t t = 0; t < tasks.size(); ++t) {
      const auto status = tasks[t].status;
      if (status == lockstep::model::TaskStatus::unspawned || status == lockstep::model::TaskStatus::done) continue;
      stuck += (stuck.empty() ? "" : ",") + std::to_string(t + 1);
    }
  }
  return stuck.empty() ? "end: ok" : "end: deadlock " + stuck;
}

// One case: its "=== n" block. Returns its end line.
std::string run_case(const std::string& line, std::size_t n, bool no_model,
                     const lockstep::check::RunOptions& options) {
  const std::size_t tab = line.find('\t');
  std::cout << "=== " << n << "\n";
  try {
    const std::string head = line.substr(0, tab);
    const bool generated = head.rfind("GEN ", 0) == 0;
    const auto program = generated ? lockstep::check::generate_program(std::stoull(head.substr(4)))
                                   : lockstep::model::parse_program(head);
    if (generated) std::cout << "program: " << lockstep::model::to_compact(program) << "\n";
    std::vector<std::uint32_t> decisions;
    if (tab != std::string::npos) {
      std::istringstream in(line.substr(tab + 1));
      for (std::uint32_t d = 0; in >> d;) decisions.push_back(d);
    }
    lockstep::check::VectorSource source(decisions);
    const auto run = lockstep::check::run_program(program, source, lockstep::check::make_production_lock, options);
    for (const auto& step : run.steps) std::cout << lockstep::model::to_string(step) << "\n";
    if (no_model) return model_free_end(run);
    if (!run.passed()) return "end: FAIL " + lockstep::check::verdict_line(run);
    if (run.predicted_deadlock.empty()) return "end: ok";
    std::string tasks;
    for (int t : run.predicted_deadlock) tasks += (tasks.empty() ? "" : ",") + std::to_string(t);
    return "end: deadlock " + tasks;
  } catch (const std::exception& e) {
    return std::string("end: FAIL bad program: ") + e.what();
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool no_model = argc == 2 && std::string(argv[1]) == "--no-model";
  if (argc > 1 && !no_model) {
    std::cerr << "usage: steps_batch [--no-model] < CASES\n";
    return 2;
  }
  lockstep::check::RunOptions options;
  options.compare_with_model = !no_model;
  std::string line;
  std::size_t cases = 0, failed = 0, stopped = 0;
  for (std::size_t n = 1; std::getline(std::cin, line); ++n) {
    const std::string end = run_case(line, n, no_model, options);
    std::cout << end << "\n";
    ++cases;
    failed += end.rfind("end: FAIL", 0) == 0 ? 1 : 0;
    stopped += end.rfind("end: stopped", 0) == 0 ? 1 : 0;
  }
  lockstep::tool::SummaryLine summary("steps_batch");
  summary.add("verdict", failed == 0 ? "pass" : "fail").add("cases", cases).add("model", !no_model);
  summary.add("failed", failed).add("stopped", stopped);
  summary.print(std::cout);
}
