// What the harness costs: the seed's three-worker program run bare on the loop
// against the same program under the runner (with and without the model; one
// RunResult reused across runs, as a campaign of many runs does), the same
// ratio measured inside one benchmark (BM_HarnessTarget), and how a run's
// cost grows with the number of tasks.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "lockstep/check/runner.hpp"
#include "lockstep/lockstep.hpp"

namespace {

using namespace std::chrono_literals;
using lockstep::Task;

Task<> worker(lockstep::Lock& lock) {
  auto guard = co_await lock.scoped();
  co_await lockstep::sleep(2s);
}

// Baseline: the seed program on the bare loop, FIFO.
void BM_SeedProgramBareLoop(benchmark::State& state) {
  for (auto _ : state) {
    lockstep::Lock lock;
    lockstep::EventLoop loop;
    for (int n = 0; n < 3; ++n) loop.spawn(worker(lock));
    benchmark::DoNotOptimize(loop.run_until_idle());
  }
}
BENCHMARK(BM_SeedProgramBareLoop);

const char* const kSeedProgram = "task 1: scoped { sleep 2 }\ntask 2: scoped { sleep 2 }\ntask 3: scoped { sleep 2 }\n";

void run_under_harness(benchmark::State& state, const std::string& text, bool with_model) {
  const auto program = lockstep::model::parse_program(text);
  lockstep::check::RunOptions options;
  options.compare_with_model = with_model;
  std::uint64_t seed = 0;
  std::size_t steps = 0;
  lockstep::check::RunResult run;  // reused, as a campaign of many runs does
  for (auto _ : state) {
    lockstep::check::RandomSource source(++seed);
    lockstep::check::run_program(program, source, lockstep::check::make_production_lock, options, run);
    if (!run.passed()) state.SkipWithError(run.message.c_str());
    steps += run.steps.size();
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

void BM_SeedProgramRunnerWithModel(benchmark::State& state) { run_under_harness(state, kSeedProgram, true); }
BENCHMARK(BM_SeedProgramRunnerWithModel);

void BM_SeedProgramRunnerWithoutModel(benchmark::State& state) { run_under_harness(state, kSeedProgram, false); }
BENCHMARK(BM_SeedProgramRunnerWithoutModel);

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Issue 15's target as one measurement: batches of the bare program, of the
// runner with the model and of the runner without it, interleaved in the same
// run, each timed in this thread's CPU time. Counters (in the JSON output):
//   model_over_bare     CPU time of a run under the runner with the model / a bare run (target <= 3)
//   no_model_over_bare  the same without the model
//   bare_runs/s, model_runs/s, no_model_runs/s
void BM_HarnessTarget(benchmark::State& state) {
  constexpr int kBatch = 200;
  const auto program = lockstep::model::parse_program(kSeedProgram);
  lockstep::check::RunOptions with_model;
  lockstep::check::RunOptions without_model;
  without_model.compare_with_model = false;
  lockstep::check::RunResult run;
  std::uint64_t seed = 0;
  double bare = 0;
  double model = 0;
  double no_model = 0;
  const auto harness_batch = [&](const lockstep::check::RunOptions& options) {
    const double start = thread_cpu_seconds();
    for (int i = 0; i < kBatch; ++i) {
      lockstep::check::RandomSource source(++seed);
      lockstep::check::run_program(program, source, lockstep::check::make_production_lock, options, run);
      if (!run.passed()) state.SkipWithError(run.message.c_str());
    }
    return thread_cpu_seconds() - start;
  };
  for (auto _ : state) {
    const double start = thread_cpu_seconds();
    for (int i = 0; i < kBatch; ++i) {
      lockstep::Lock lock;
      lockstep::EventLoop loop;
      for (int n = 0; n < 3; ++n) loop.spawn(worker(lock));
      benchmark::DoNotOptimize(loop.run_until_idle());
    }
    bare += thread_cpu_seconds() - start;
    model += harness_batch(with_model);
    no_model += harness_batch(without_model);
  }
  const auto runs = static_cast<double>(state.iterations()) * kBatch;
  state.counters["model_over_bare"] = model / bare;
  state.counters["no_model_over_bare"] = no_model / bare;
  state.counters["bare_runs/s"] = runs / bare;
  state.counters["model_runs/s"] = runs / model;
  state.counters["no_model_runs/s"] = runs / no_model;
}
BENCHMARK(BM_HarnessTarget);

// N tasks, each: scoped { yield }; acquire; release.
void BM_RunnerTasks(benchmark::State& state) {
  std::string text;
  for (int t = 1; t <= state.range(0); ++t) {
    text += "task " + std::to_string(t) + ": scoped { yield }; acquire; release\n";
  }
  run_under_harness(state, text, true);
}
BENCHMARK(BM_RunnerTasks)->Arg(2)->Arg(4)->Arg(8);

}  // namespace

BENCHMARK_MAIN();
