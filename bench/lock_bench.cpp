// The lock against the floor (bench/floor.hpp: a std::deque of coroutine
// handles and a flag lock with an intrusive waiter list), workload by workload
// in the same binary and the same run: uncontended acquire + release, the
// contended cycle (acquire, yield, release) among N tasks, bare task switches,
// and a cancellation storm (against asyncio, bench/asyncio_bench.py). Counts
// heap allocations in acquire, release and hand-off, and fails if any.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>

#include "lockstep/lockstep.hpp"

#include "allocation_counter.hpp"
#include "floor.hpp"

namespace {

using lockstep::EventLoop;
using lockstep::Lock;
using lockstep::Task;

// Allocations seen while counting, per workload; main() fails if any is not 0.
std::vector<std::pair<const char*, std::size_t>> allocation_report;

struct CountAllocations {
  const char* what;
  explicit CountAllocations(const char* name) : what(name) {
    bench::allocations = 0;
    bench::counting = true;
  }
  ~CountAllocations() {
    bench::counting = false;
    allocation_report.emplace_back(what, bench::allocations);
  }
};

// ---- uncontended ----

floor_loop::Task floor_acquire_release(benchmark::State& state, floor_loop::FlagLock& lock) {
  for (auto _ : state) {
    co_await lock.acquire();
    lock.release();
  }
}

// The floor of BM_UncontendedAcquireRelease: the flag lock in the floor loop.
void BM_FloorUncontendedAcquireRelease(benchmark::State& state) {
  floor_loop::Loop loop;
  floor_loop::FlagLock lock(loop);
  floor_loop::Task task = floor_acquire_release(state, lock);
  loop.schedule(task.handle());
  loop.run();
}
BENCHMARK(BM_FloorUncontendedAcquireRelease);

Task<> acquire_release(benchmark::State& state, Lock& lock) {
  CountAllocations count("uncontended acquire + release");
  for (auto _ : state) {
    co_await lock.acquire();
    lock.release();
  }
}

void BM_UncontendedAcquireRelease(benchmark::State& state) {
  Lock lock;
  EventLoop loop;
  loop.run(acquire_release(state, lock));
}
BENCHMARK(BM_UncontendedAcquireRelease);

Task<> scoped_guard(benchmark::State& state, Lock& lock) {
  CountAllocations count("scoped guard");
  for (auto _ : state) {
    auto guard = co_await lock.scoped();
    benchmark::DoNotOptimize(guard);
  }
}

void BM_ScopedGuard(benchmark::State& state) {
  Lock lock;
  EventLoop loop;
  loop.run(scoped_guard(state, lock));
}
BENCHMARK(BM_ScopedGuard);

void BM_TryAcquireRelease(benchmark::State& state) {
  Lock lock;
  CountAllocations count("try_acquire + release");
  for (auto _ : state) {
    benchmark::DoNotOptimize(lock.try_acquire());
    lock.release();
  }
}
BENCHMARK(BM_TryAcquireRelease);

// ---- the floor: task switches ----

Task<> yielder(int switches) {
  for (int i = 0; i < switches; ++i) co_await lockstep::yield_now();
}

// Two tasks taking turns; one item = one task switch (one loop step).
void BM_YieldPingPong(benchmark::State& state) {
  constexpr int kSwitches = 10'000;
  for (auto _ : state) {
    EventLoop loop;
    loop.spawn(yielder(kSwitches / 2));
    loop.spawn(yielder(kSwitches / 2));
    loop.run_until_idle();
  }
  state.SetItemsProcessed(state.iterations() * kSwitches);
}
BENCHMARK(BM_YieldPingPong);

// N tasks taking turns round-robin: the floor for a hand-off among N tasks,
// whose frames no longer all fit in the cache when N is large.
void BM_YieldRoundRobin(benchmark::State& state) {
  const auto tasks = static_cast<int>(state.range(0));
  const int each = std::max(1, 20'000 / tasks);
  for (auto _ : state) {
    EventLoop loop;
    for (int t = 0; t < tasks; ++t) loop.spawn(yielder(each));
    for (int t = 0; t < tasks; ++t) loop.step();  // spawning allocates; not timed apart, so start all first
    loop.run_until_idle();
  }
  state.SetItemsProcessed(state.iterations() * tasks * each);
}
BENCHMARK(BM_YieldRoundRobin)->Arg(2)->Arg(8)->Arg(64);

// ---- contended hand-off ----

Task<> take_turn(Lock& lock, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    co_await lock.acquire();
    co_await lockstep::yield_now();
    lock.release();
  }
}

// N tasks, each acquire / yield_now / release, 10,000 hand-offs per run in all.
// One item = one hand-off cycle; the counter steps/handoff says how many bare
// task switches that cycle contains.
void BM_ContendedHandoff(benchmark::State& state) {
  const auto tasks = static_cast<int>(state.range(0));
  const int rounds = std::max(1, 10'000 / tasks);
  std::size_t steps = 0;
  for (auto _ : state) {
    Lock lock;
    EventLoop loop;
    for (int t = 0; t < tasks; ++t) loop.spawn(take_turn(lock, rounds));
    for (int t = 0; t < tasks; ++t) loop.step();  // each task's first step (spawning allocates; hand-offs must not)
    {
      CountAllocations count("contended hand-off");
      steps += loop.run_until_idle();
    }
  }
  const double handoffs = static_cast<double>(state.iterations()) * tasks * rounds;
  state.SetItemsProcessed(static_cast<std::int64_t>(handoffs));
  state.counters["steps/handoff"] = static_cast<double>(steps) / handoffs;
}
BENCHMARK(BM_ContendedHandoff)->Arg(2)->Arg(8)->Arg(64);

floor_loop::Task floor_take_turn(floor_loop::Loop& loop, floor_loop::FlagLock& lock, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    co_await lock.acquire();
    co_await floor_loop::Yield{loop};
    lock.release();
  }
}

// The floor of BM_ContendedHandoff: the same cycle on the flag lock and loop.
void BM_FloorContendedHandoff(benchmark::State& state) {
  const auto tasks = static_cast<int>(state.range(0));
  const int rounds = std::max(1, 10'000 / tasks);
  for (auto _ : state) {
    floor_loop::Loop loop;
    floor_loop::FlagLock lock(loop);
    std::vector<floor_loop::Task> frames;
    frames.reserve(static_cast<std::size_t>(tasks));
    for (int t = 0; t < tasks; ++t) {
      frames.push_back(floor_take_turn(loop, lock, rounds));
      loop.schedule(frames.back().handle());
    }
    loop.run();
  }
  state.SetItemsProcessed(state.iterations() * tasks * rounds);
}
BENCHMARK(BM_FloorContendedHandoff)->Arg(2)->Arg(8)->Arg(64);

// ---- cancellation storm ----

[[gnu::noinline]] void throw_cancelled_error() { throw lockstep::CancelledError{}; }

// The floor of a catchable CancelledError: one C++ throw, caught one frame up.
void BM_FloorThrowCatch(benchmark::State& state) {
  for (auto _ : state) {
    try {
      throw_cancelled_error();
    } catch (const lockstep::CancelledError& e) {
      benchmark::DoNotOptimize(&e);
    }
  }
}
BENCHMARK(BM_FloorThrowCatch);

Task<> wait_for_lock(Lock& lock) { co_await lock.acquire(); }

// N waiters queue behind a holder, all are cancelled, the holder releases.
void BM_CancellationStorm(benchmark::State& state) {
  const auto waiters = static_cast<int>(state.range(0));
  for (auto _ : state) {
    Lock lock;
    EventLoop loop;
    lock.try_acquire();
    std::vector<lockstep::TaskHandle<>> handles;
    handles.reserve(static_cast<std::size_t>(waiters));
    for (int i = 0; i < waiters; ++i) handles.push_back(loop.spawn(wait_for_lock(lock)));
    loop.run_ready();
    for (auto& h : handles) h.cancel();
    loop.run_until_idle();
    lock.release();
  }
  state.SetItemsProcessed(state.iterations() * waiters);
}
BENCHMARK(BM_CancellationStorm)->Arg(100)->Arg(10'000);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  int status = 0;
  for (const auto& [what, count] : allocation_report) {
    if (count != 0) {
      std::fprintf(stderr, "FAIL: %s made %zu heap allocations (must be 0)\n", what, count);
      status = 1;
    }
  }
  if (status == 0) std::fprintf(stderr, "allocations: 0 in acquire, release, scoped, try_acquire and hand-off\n");
  return status;
}
