// Random and PCT schedules of one program, for `random`, `pct` and the
// campaign: the first failure, the last run's trace, the counts.
#include <memory>

#include "commands.hpp"
#include "progress.hpp"
#include "signals.hpp"

namespace lockstep::tool {

namespace {

std::unique_ptr<check::ChoiceSource> make_source(const model::Program& program, bool pct, std::uint64_t seed, int depth,
                                                 std::size_t k) {
  if (pct) return std::make_unique<check::PctSource>(seed, depth, static_cast<int>(program.tasks.size()), k);
  return std::make_unique<check::RandomSource>(seed);
}

}  // namespace

SampleResult sample(const model::Program& program, bool pct, std::uint64_t runs, std::uint64_t seed, int depth,
                    double budget_seconds, const std::string& progress_label, bool keep_last) {
  SampleResult result;
  if (pct) {
    // PCT needs k, the decisions in a run: measure a run without preemptions,
    // then keep the largest seen.
    check::VectorSource none({});
    result.k = std::max<std::size_t>(1, check::run_program(program, none).decisions.size());
  }
  Progress progress(progress_label);
  check::RunResult run;  // reused: its step records are overwritten in place
  for (std::uint64_t i = 0; i < runs; ++i) {
    if (stop_signal() != 0) {
      result.interrupted = true;
      break;
    }
    const auto source = make_source(program, pct, seed + i, depth, result.k);
    check::run_program(program, *source, check::make_production_lock, {}, run);
    ++result.runs;
    result.steps += run.steps.size();
    result.k = std::max(result.k, run.decisions.size());
    if (!run.predicted_deadlock.empty()) ++result.predicted_deadlocks;
    if (!run.passed()) {
      result.failure = check::make_trace(program, source->describe(), run);
      if (keep_last) result.last = result.failure;
      break;
    }
    const bool last = i + 1 == runs || stop_signal() != 0;
    if (keep_last && last) result.last = check::make_trace(program, source->describe(), run);
    progress.update(result.runs);
    if (budget_seconds > 0 && progress.elapsed() >= budget_seconds) break;
  }
  return result;
}

const std::string& need_operand(const Args& args) {
  if (!args.operand) throw Usage(args.command + " needs a " + std::string(args.spec->operand) + " file");
  return *args.operand;
}

}  // namespace lockstep::tool
