// The campaign's second half: generated programs (check/generate.hpp).
#include <iostream>

#include "campaign.hpp"
#include "lockstep/check/generate.hpp"
#include "progress.hpp"
#include "signals.hpp"

namespace lockstep::tool {

namespace {

struct GeneratedPhase {
  std::size_t programs = 0;
  std::size_t executions = 0;
  std::size_t random_runs = 0;
  bool interrupted = false;
  std::optional<check::Trace> failure;
  std::uint64_t failing_seed = 0;
  std::string technique;
};

// One generated program: explored, then 30 random schedules; the failure, if any.
void check_generated(GeneratedPhase& phase, std::uint64_t s, int bound) {
  const model::Program program = check::generate_program(s);
  check::ExploreOptions options;
  options.preemption_bound = std::min(bound, 1);
  options.max_executions = 300;
  const check::ExploreResult explored = check::explore(program, options);
  phase.executions += explored.executions;
  ++phase.programs;
  if (explored.failure) {
    phase.failure = explored.failure;
    phase.technique = "explore";
    return;
  }
  check::RunResult run;  // reused across the 30 runs
  for (std::uint64_t r = 0; r < 30 && !phase.failure; ++r) {
    check::RandomSource random(s * 1000 + r);
    check::run_program(program, random, check::make_production_lock, {}, run);
    ++phase.random_runs;
    if (!run.passed()) {
      phase.failure = check::make_trace(program, random.describe(), run);
      phase.technique = "random";
    }
  }
}

}  // namespace

CampaignRow generated_row(std::uint64_t seed, double budget, int bound, CampaignState& state) {
  GeneratedPhase phase;
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(budget));
  Progress progress("generated programs");
  for (std::uint64_t s = seed; Clock::now() < deadline && !phase.failure; ++s) {
    if (stop_signal() != 0) {
      phase.interrupted = true;
      break;
    }
    check_generated(phase, s, bound);
    progress.update(phase.programs);
    if (phase.failure) phase.failing_seed = s;
  }
  progress.finish();
  state.interrupted = phase.interrupted;
  state.generated_programs = phase.programs;
  std::cout << "  generated programs (seed " << seed << "): " << phase.programs << " programs, " << phase.executions
            << " explored executions, " << phase.random_runs << " random runs";
  CampaignRow row;
  row.generated = true;
  row.program = "generated:" + std::to_string(phase.programs);
  row.explored = phase.executions;
  row.bound = "<=" + std::to_string(std::min(bound, 1));
  row.random_runs = phase.random_runs;
  if (phase.failure) {
    std::cout << ", FAILED on program seed " << phase.failing_seed << " (" << phase.technique << ")";
    const std::string name = "generated seed " + std::to_string(phase.failing_seed);
    state.note_failure(row, phase.failure, phase.technique.c_str(), name);
    row.failure = std::string(check::name_of(phase.failure->verdict)) + " (" + phase.technique + ", seed " +
                  std::to_string(phase.failing_seed) + ")";
  }
  std::cout << "\n";
  return row;
}

}  // namespace lockstep::tool
