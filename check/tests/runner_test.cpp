// The harness itself: determinism, traces and replay, and every failure kind
// on a deliberately broken lock or program.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "lockstep/check/runner.hpp"
#include "lockstep/check/trace.hpp"

using namespace lockstep;
using check::FailureKind;
using check::RunResult;
using model::parse_program;

namespace {

const char* const kWorkers = "task 1: scoped { sleep 2 }\ntask 2: scoped { sleep 2 }\ntask 3: scoped { sleep 2 }\n";
const char* const kTwoTurns = "task 1: acquire; yield; release\ntask 2: acquire; release\n";

RunResult run_with(const std::string& text, std::vector<std::uint32_t> decisions,
                   const check::LockFactory& lock = check::make_production_lock, check::RunOptions options = {}) {
  check::VectorSource source(std::move(decisions));
  return check::run_program(parse_program(text), source, lock, options);
}

// Finds a failing run among random seeds; fails the test if none fails.
check::Trace first_failure(const std::string& text, const check::LockFactory& lock, check::RunOptions options = {}) {
  const auto program = parse_program(text);
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    check::RandomSource source(seed);
    const auto run = check::run_program(program, source, lock, options);
    if (!run.passed()) return check::make_trace(program, source.describe(), run);
  }
  ADD_FAILURE() << "no failing run in 500 seeds";
  return {};
}

// Every failure must replay, from its text, to the same trace.
void expect_replays(const check::Trace& trace, const check::LockFactory& lock, check::RunOptions options = {}) {
  const auto parsed = check::parse_trace(check::to_text(trace));
  const auto replayed = check::replay(parsed, lock, nullptr, options);
  ASSERT_FALSE(replayed.diverged) << replayed.divergence;
  EXPECT_EQ(check::to_text(check::make_trace(parsed.program, parsed.strategy, replayed.run)), check::to_text(trace));
}

template <class Broken>
check::LockFactory factory() {
  return [] { return std::make_unique<Broken>(); };
}

// ---- deliberately broken locks (wrappers around the real one) ----

// The fast path ignores `locked`: an acquire of a held lock returns at once,
// as if it had taken it (mutant class 12).
struct AcquireNeverWaits : check::LockAdapter<Lock> {
  Task<> acquire() override {
    if (lock_.locked()) co_return;
    co_await lock_.acquire();
  }
};
// release() of a free lock throws something other than LockNotAcquired.
struct ReleaseThrowsRuntimeError : check::LockAdapter<Lock> {
  void release() override {
    if (!lock_.locked()) throw std::runtime_error("not LockNotAcquired");
    lock_.release();
  }
};
// release() of a free lock does not raise (mutant class 10).
struct ReleaseOfFreeLockIsSilent : check::LockAdapter<Lock> {
  void release() override {
    if (lock_.locked()) lock_.release();
  }
};
// The scoped form swallows the body's exception (mutant class 9).
struct ScopedSwallowsExceptions : check::LockAdapter<Lock> {
  Task<> scoped(check::ScopedBody body, check::ScopeProbe& probe) override {
    try {
      co_await LockAdapter::scoped(std::move(body), probe);
    } catch (const CancelledError&) {
      throw;
    } catch (...) {
      // on purpose: the body's own error is what the test swallows
    }
  }
};
// The scoped form never releases (mutant class 9).
struct ScopedNeverReleases : check::LockAdapter<Lock> {
  Task<> scoped(check::ScopedBody body, check::ScopeProbe& probe) override {
    co_await lock_.acquire();
    probe.acquired = true;
    probe.engaged_before_exit = true;
    probe.locked_before_exit = probe.locked_after_exit = true;
    co_await body([] {});
  }
};

}  // namespace

// ---- determinism ----

TEST(Runner, SameProgramAndDecisionsGiveByteIdenticalTraces) {
  for (const char* text :
       {kWorkers, kTwoTurns, "task 1: acquire; cancel 2; release\ntask 2: acquire_timeout 1; release\n"}) {
    for (std::uint64_t seed = 1; seed <= 50; ++seed) {
      check::RandomSource a(seed);
      check::RandomSource b(seed);
      const auto program = parse_program(text);
      const auto first = check::to_text(check::make_trace(program, a.describe(), check::run_program(program, a)));
      const auto second = check::to_text(check::make_trace(program, b.describe(), check::run_program(program, b)));
      ASSERT_EQ(first, second) << "seed " << seed;
    }
  }
}

// run_program into a reused RunResult overwrites every field: the same trace
// as a fresh result, whatever the result held before (longer runs, more
// waiters and timers, a failure, a predicted deadlock).
TEST(Runner, AReusedResultGivesTheSameTraceAsAFreshOne) {
  const char* const programs[] = {
      kWorkers,
      kTwoTurns,
      "task 1: acquire; cancel 2; release\ntask 2: acquire_timeout 1; release\n",
      "task 1: acquire; yield; release\ntask 2: acquire; yield; release\ntask 3: acquire; yield; release\n",
      "task 1: acquire\ntask 2: acquire\n",  // a predicted deadlock
      "task 1: scoped { throw }\ntask 2: sleep 1; acquire; release\n",
      "task 1: yield; yield; yield; yield; yield; yield; yield\n"};
  check::RunResult reused;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    for (const char* text : programs) {
      const auto program = parse_program(text);
      check::RandomSource a(seed);
      check::RandomSource b(seed);
      const check::RunResult fresh = check::run_program(program, a);
      check::run_program(program, b, check::make_production_lock, {}, reused);
      ASSERT_EQ(check::to_text(check::make_trace(program, "s", fresh)),
                check::to_text(check::make_trace(program, "s", reused)))
          << "seed " << seed << ", program " << text;
      ASSERT_TRUE(fresh.steps == reused.steps);
      ASSERT_EQ(fresh.predicted_deadlock, reused.predicted_deadlock);
    }
  }
  // A failing run (a lock that never waits) into the same result, then a passing one.
  const auto program = parse_program(kTwoTurns);
  check::VectorSource fail_source({});
  check::run_program(program, fail_source, [] { return std::make_unique<AcquireNeverWaits>(); }, {}, reused);
  ASSERT_FALSE(reused.passed());
  check::VectorSource pass_source({1});
  check::run_program(program, pass_source, check::make_production_lock, {}, reused);
  EXPECT_TRUE(reused.passed()) << reused.message;
  EXPECT_TRUE(reused.message.empty());
  EXPECT_EQ(reused.decisions, std::vector<std::uint32_t>{1});
  EXPECT_EQ(reused.steps, run_with(kTwoTurns, {1}).steps);
}

// One rule for every caller: a choice source that answers out of range is an
// error with its name, never taken as some other entry.
TEST(Runner, AChoiceOutOfRangeIsAnErrorNotAnotherEntry) {
  struct OutOfRange final : check::ChoiceSource {
    std::uint32_t pick(std::uint32_t n, check::ChoiceKind, check::ReadyOptions) override { return n; }
    [[nodiscard]] std::string describe() const override { return "out-of-range"; }
  } source;
  try {
    (void)check::run_program(parse_program(kTwoTurns), source);
    ADD_FAILURE() << "no error";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("out-of-range: choice source returned index 2 for a ready queue of 2"),
              std::string::npos)
        << e.what();
  }
}

TEST(Runner, TheSeedProgramPassesAndTakesSixVirtualSeconds) {
  const auto run = run_with(kWorkers, {});
  ASSERT_TRUE(run.passed()) << run.message;
  EXPECT_EQ(run.steps.back().now, 6);  // the last worker wakes at 6 s and releases
  EXPECT_EQ(run.steps.size(), 8U);     // 3 first steps, then one per wake-up and hand-off
}

TEST(Runner, NoChoiceIsConsumedWhenOnlyOneTaskCanRun) {
  const auto run = run_with("task 1: yield; yield; yield\n", {1, 1, 1});
  ASSERT_TRUE(run.passed());
  EXPECT_TRUE(run.decisions.empty());
}

TEST(Runner, DecisionsIndexTheReadyQueueFrontFirst) {
  // 0 runs the front of the queue (task 1, asyncio's FIFO); 1 the next one.
  const auto fifo = run_with(kTwoTurns, {0});
  const auto second = run_with(kTwoTurns, {1});
  EXPECT_EQ(fifo.steps[0].ran().task, 1);
  EXPECT_EQ(second.steps[0].ran().task, 2);
}

TEST(Runner, AProgramThatDeadlocksItselfIsPredictedByTheModel) {
  const auto run = run_with("task 1: acquire; acquire\n", {});
  EXPECT_TRUE(run.passed()) << run.message;
  EXPECT_EQ(run.predicted_deadlock, std::vector<int>{1});
}

// ---- each failure kind, with a replayable trace ----

TEST(RunnerFailures, TwoHolders) {
  const auto trace = first_failure(kTwoTurns, factory<AcquireNeverWaits>());
  EXPECT_EQ(trace.verdict, FailureKind::two_holders) << trace.message;
  expect_replays(trace, factory<AcquireNeverWaits>());
}

TEST(RunnerFailures, ExceptionEscaped) {
  const auto trace = first_failure("task 1: release\n", factory<ReleaseThrowsRuntimeError>());
  EXPECT_EQ(trace.verdict, FailureKind::exception_escaped) << trace.message;
  expect_replays(trace, factory<ReleaseThrowsRuntimeError>());
}

TEST(RunnerFailures, ExceptionSwallowed) {
  const auto trace = first_failure("task 1: scoped { throw }\n", factory<ScopedSwallowsExceptions>());
  EXPECT_EQ(trace.verdict, FailureKind::exception_swallowed) << trace.message;
  expect_replays(trace, factory<ScopedSwallowsExceptions>());
}

TEST(RunnerFailures, ModelDisagreement) {
  const auto trace = first_failure("task 1: release; acquire; release\n", factory<ReleaseOfFreeLockIsSilent>());
  EXPECT_EQ(trace.verdict, FailureKind::model_disagreement) << trace.message;
  EXPECT_NE(trace.message.find("step 1: events: expected"), std::string::npos) << trace.message;
  expect_replays(trace, factory<ReleaseOfFreeLockIsSilent>());
}

TEST(RunnerFailures, LockLeftHeldWithoutAModel) {
  check::RunOptions no_model;
  no_model.compare_with_model = false;
  const auto trace = first_failure("task 1: scoped { yield }\n", factory<ScopedNeverReleases>(), no_model);
  EXPECT_EQ(trace.verdict, FailureKind::lock_left_held) << trace.message;
  expect_replays(trace, factory<ScopedNeverReleases>(), no_model);
}

TEST(RunnerFailures, ScopedNeverReleasingDisagreesWithTheModelAtTheExit) {
  const auto trace = first_failure("task 1: scoped { yield }\n", factory<ScopedNeverReleases>());
  EXPECT_EQ(trace.verdict, FailureKind::model_disagreement) << trace.message;
  EXPECT_NE(trace.message.find("/scoped a skipped"), std::string::npos) << trace.message;
}

TEST(RunnerFailures, DeadlockWithoutAModel) {
  check::RunOptions no_model;
  no_model.compare_with_model = false;
  const auto trace = first_failure("task 1: acquire; acquire\n", check::make_production_lock, no_model);
  EXPECT_EQ(trace.verdict, FailureKind::deadlock) << trace.message;
  expect_replays(trace, check::make_production_lock, no_model);
}

TEST(RunnerFailures, StepBudgetExceeded) {
  check::RunOptions tiny;
  tiny.step_budget = 3;
  const auto trace = first_failure(kWorkers, check::make_production_lock, tiny);
  EXPECT_EQ(trace.verdict, FailureKind::step_budget_exceeded) << trace.message;
  expect_replays(trace, check::make_production_lock, tiny);
}

// ---- traces ----

TEST(Trace, EveryRunRoundTripsThroughItsTextForm) {
  const auto program = parse_program(
      "task 1: scoped { yield; throw }\ntask 2: acquire_timeout 1; release\ntask 3: cancel 2; spawn 4\ntask 4: "
      "try_acquire; release\n");
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    check::RandomSource source(seed);
    const auto trace = check::make_trace(program, source.describe(), check::run_program(program, source));
    const std::string text = check::to_text(trace);
    EXPECT_EQ(check::to_text(check::parse_trace(text)), text);
    expect_replays(trace, check::make_production_lock);
  }
}

TEST(Trace, TheCompactFormCarriesProgramAndDecisions) {
  const auto program = parse_program(kTwoTurns);
  check::VectorSource source({1});
  const auto trace = check::make_trace(program, "vector", check::run_program(program, source));
  const std::string compact = check::to_compact(trace);
  EXPECT_EQ(compact, "lockstep v2 / task 1: acquire; yield; release | task 2: acquire; release / 1");
  const auto parsed = check::parse_trace(compact);
  EXPECT_EQ(parsed.program, program);
  EXPECT_EQ(parsed.decisions, std::vector<std::uint32_t>{1});
}

// Regression: a compact trace with no decisions (a crash report of a run
// that had no choice yet) was refused as not having three parts.
TEST(Trace, ACompactTraceWithNoDecisionsReadsBack) {
  check::Trace trace;
  trace.program = parse_program(kTwoTurns);
  const std::string compact = check::to_compact(trace);
  EXPECT_EQ(compact, "lockstep v2 / task 1: acquire; yield; release | task 2: acquire; release / ");
  const auto parsed = check::parse_trace(compact + "\n");
  EXPECT_EQ(parsed.program, trace.program);
  EXPECT_TRUE(parsed.decisions.empty());
  EXPECT_THROW((void)check::parse_trace("lockstep v2 / task 1: yield"), check::TraceError);
}

TEST(Trace, ReplayStopsAtTheFirstDivergence) {
  const auto program = parse_program(kTwoTurns);
  check::VectorSource source({1});
  auto trace = check::make_trace(program, "vector", check::run_program(program, source));
  trace.steps[1].events = {
      {lockstep::model::EventKind::release, lockstep::model::Result::ok, 0}};  // something else happened
  const auto replayed = check::replay(trace);
  ASSERT_TRUE(replayed.diverged);
  EXPECT_EQ(replayed.divergence.rfind("diverged at step 2: expected ", 0), 0U) << replayed.divergence;
  EXPECT_NE(replayed.divergence.find(", got "), std::string::npos);
}

TEST(Trace, ReplayCanGoOnPastTheRecordWithAnotherStrategy) {
  const auto program = parse_program(kWorkers);
  check::Trace prefix;
  prefix.program = program;
  prefix.strategy = "vector";
  prefix.decisions = {2};
  check::VectorSource first({2});
  const auto recorded = check::run_program(program, first);
  prefix.steps.assign(recorded.steps.begin(), recorded.steps.begin() + 1);  // the step the decision made
  const auto replayed = check::replay(prefix, check::make_production_lock, std::make_unique<check::RandomSource>(7));
  EXPECT_FALSE(replayed.diverged) << replayed.divergence;
  EXPECT_TRUE(replayed.run.passed());
  EXPECT_GT(replayed.run.steps.size(), 2U);
}

TEST(Trace, CorruptTracesGetAClearErrorWithTheLineNumber) {
  const auto program = parse_program(kTwoTurns);
  check::VectorSource source({1});
  const std::string good = check::to_text(check::make_trace(program, "vector", check::run_program(program, source)));
  struct Case {
    std::string from, to, message;
  };
  const Case cases[] = {
      {"lockstep trace v2", "lockstep trace v9", "trace line 1: unsupported version 'v9'"},
      {"decisions: 1", "decisions: one", "trace line 6: 'one' is not a decision (0-255)"},
      {"task 2: acquire; release", "task 2: aquire",
       "trace line 5: program: line 2, column 9: unknown operation 'aquire'"},
      {"steps: ", "stops: ", "trace line 7: expected 'steps:'"},
      {"@0 t1,t2 #1", "@0 t1,tx #1", "trace line 8: bad task number 'x'"},
      {"@0 t1,t2 #1", "@0 t1,t9 #1", "trace line 8: bad task number '9'"},
      {"@0 t1,t2 #1", "@0 t1,t7 #1", "trace line 8: the step names task 7, the program has 2"},
      {"verdict: pass", "verdict: maybe", "unknown verdict 'maybe'"},
  };
  for (const Case& c : cases) {
    std::string bad = good;
    const auto at = bad.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    bad.replace(at, c.from.size(), c.to);
    try {
      check::parse_trace(bad);
      ADD_FAILURE() << "accepted: " << c.to;
    } catch (const check::TraceError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
}

TEST(Trace, ArbitraryBytesNeverCrashTheParserOrReplay) {
  const auto program = parse_program(kWorkers);
  check::RandomSource source(3);
  const std::string good = check::to_text(check::make_trace(program, "random", check::run_program(program, source)));
  check::RandomSource noise(99);
  for (int round = 0; round < 2000; ++round) {
    std::string bad = good;
    for (int flips = 0; flips < 3; ++flips) {
      bad[noise.next_u64() % bad.size()] = static_cast<char>(noise.next_u64() % 256);
    }
    try {
      const auto trace = check::parse_trace(bad);
      (void)check::replay(trace);
    } catch (const check::TraceError&) {
      // on purpose: a precise refusal is a pass
    } catch (const model::ParseError&) {
      // on purpose: a precise refusal is a pass
    }
  }
}

// ---- programs ----

TEST(Program, ParseErrorsNameTheLineAndColumn) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"task 1: acquire\ntask 2: aquire\n", "line 2, column 9: unknown operation 'aquire'"},
      {"task 1: sleep x\n", "line 1, column 15: expected a number of virtual seconds from -1000 to 1000, found 'x'"},
      {"task 2: acquire\n", "line 1, column 1: tasks are numbered 1, 2, 3... in order; expected task 1, found task 2"},
      {"task 1: guard_release\n", "line 1, column 9: task 1: 'guard_release' is outside a scoped body"},
      {"task 1: await 1\n", "line 1, column 9: task 1: 'await 1': a task awaits only tasks with greater numbers"},
      {"task 1: acquire_timeout -1001\n", "line 1, column 25: expected a number of virtual seconds from -1000 to 1000"},
      {"task 1: gather 2 2 | task 2: yield\n", "line 1, column 9: 'gather 2 2' names a task twice"},
      {"task 1: scoped { yield\n", "line 1, column 23: expected '}' closing the scoped body"},
      {"task 1: cancel 9\n", "expected a task number from 1 to 8, found '9'"},
      {"task 1: spawn 2\ntask 2: spawn 1\n", "can never start: spawn cycle"},
  };
  for (const Case& c : cases) {
    try {
      parse_program(c.text);
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const model::ParseError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
}

TEST(Program, PrintsAndParsesBackInBothForms) {
  const auto program = parse_program(
      "# comment\ntask 1: scoped { yield; sleep 2; throw }; acquire_timeout 3\ntask 2: cancel 1; spawn 3; try_acquire\n"
      "task 3: release\n");
  EXPECT_EQ(parse_program(model::to_text(program)), program);
  EXPECT_EQ(parse_program(model::to_compact(program)), program);
}

// ---- PCT keeps its promise ----

TEST(Pct, HitsADepthTwoBugAtLeastAsOftenAsTheBound) {
  // Two holders iff task 2 runs between task 1's acquire and its release:
  // one ordering constraint beyond the start, a bug of depth 2.
  const auto program = parse_program("task 1: acquire; yield; yield; release\ntask 2: yield; acquire; release\n");
  check::VectorSource none({});
  const std::size_t k =
      std::max<std::size_t>(1, check::run_program(program, none, factory<AcquireNeverWaits>()).decisions.size());
  const int n = 2;
  const int runs = 2000;
  int hits = 0;
  for (int seed = 1; seed <= runs; ++seed) {
    check::PctSource pct(static_cast<std::uint64_t>(seed), 2, n, k);
    if (!check::run_program(program, pct, factory<AcquireNeverWaits>()).passed()) ++hits;
  }
  const double rate = static_cast<double>(hits) / runs;
  const double bound = 1.0 / (n * static_cast<double>(k));
  RecordProperty("hit_rate", std::to_string(rate));
  EXPECT_GE(rate, bound) << hits << " hits in " << runs << " runs; n=" << n << " k=" << k;
}
