// Exhaustive exploration, shrinking and user scenarios.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "lockstep/check/explore.hpp"
#include "lockstep/check/scenario.hpp"
#include "lockstep/check/shrink.hpp"

using namespace lockstep;
using check::ExploreOptions;
using check::FailureKind;
using model::parse_program;

namespace {

// Small programs that exercise every kind of step: lock waits, cancellation
// of pending and woken waiters, throws in scoped bodies, timeouts, spawns.
const char* const kSmallPrograms[] = {
    "task 1: scoped { sleep 2 }\ntask 2: scoped { sleep 2 }\ntask 3: scoped { sleep 2 }\n",
    "task 1: acquire; yield; cancel 3; release; yield; cancel 2\ntask 2: acquire; release\ntask 3: acquire; release\n",
    "task 1: scoped { yield; throw }\ntask 2: scoped { yield }\ntask 3: acquire; release\n",
    "task 1: scoped { sleep 3 }\ntask 2: acquire_timeout 1; release\ntask 3: acquire_timeout 5; release\n",
    "task 1: yield; spawn 3; yield\ntask 2: try_acquire; yield; release\ntask 3: acquire; release\n",
    "task 1: acquire; yield; release; cancel 2\ntask 2: acquire; release\ntask 3: yield; acquire; release\n",
};

struct AcquireNeverWaits : check::LockAdapter<Lock> {
  Task<> acquire() override {
    if (lock_.locked()) co_return;
    co_await lock_.acquire();
  }
};
check::LockFactory never_waits() {
  return [] { return std::make_unique<AcquireNeverWaits>(); };
}

ExploreOptions with(std::optional<int> bound, bool sleep_sets) {
  ExploreOptions options;
  options.preemption_bound = bound;
  options.reduction = sleep_sets ? check::Reduction::sleep : check::Reduction::none;
  options.collect_final_states = true;
  return options;
}

}  // namespace

TEST(Explore, SleepSetsLoseNoReachableFinalState) {
  for (const char* text : kSmallPrograms) {
    const auto program = parse_program(text);
    for (std::optional<int> bound : {std::optional<int>{}, std::optional<int>{1}, std::optional<int>{2}}) {
      const auto plain = check::explore(program, with(bound, false));
      const auto reduced = check::explore(program, with(bound, true));
      ASSERT_TRUE(plain.complete && reduced.complete);
      EXPECT_EQ(plain.final_states, reduced.final_states) << text << " bound " << bound.value_or(-1);
      EXPECT_LE(reduced.executions, plain.executions);
    }
  }
}

TEST(Explore, ReportsWhatItCovered) {
  const auto program = parse_program(kSmallPrograms[1]);
  const auto options = with(2, true);
  const auto result = check::explore(program, options);
  EXPECT_EQ(result.coverage(), "all schedules with at most 2 delays explored");
  EXPECT_GT(result.distinct_traces, 1U);
  EXPECT_EQ(result.distinct_traces, result.executions);  // every complete run is a different trace
}

TEST(Explore, CheckpointAndResumeVisitTheSameSchedulesAsOneRun) {
  const auto program = parse_program(kSmallPrograms[1]);
  auto options = with(std::nullopt, true);
  const auto whole = check::explore(program, options);
  options.max_executions = 7;
  auto part = check::explore(program, options);
  int resumes = 0;
  while (!part.complete) {
    ASSERT_FALSE(part.checkpoint.empty());
    part = check::resume_exploration(part.checkpoint, options);
    ++resumes;
  }
  EXPECT_GT(resumes, 3);
  EXPECT_EQ(part.executions, whole.executions);
  EXPECT_EQ(part.pruned, whole.pruned);
  EXPECT_EQ(part.distinct_traces, whole.distinct_traces);
}

namespace {

std::string stopped_checkpoint(const char* text, std::size_t executions, bool sleep_sets = true) {
  auto options = with(std::nullopt, sleep_sets);
  options.max_executions = executions;
  return check::explore(parse_program(text), options).checkpoint;
}

std::string resume_error(const std::string& checkpoint) {
  try {
    check::ExploreOptions options;
    options.max_executions = 5;
    check::resume_exploration(checkpoint, options);
  } catch (const check::TraceError& e) {
    return e.what();
  }
  return "accepted";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST(Explore, ACorruptCheckpointGetsAClearError) {
  const std::string checkpoint = stopped_checkpoint(kSmallPrograms[1], 3);
  // Edited, with the checksum made to match: the reader's own checks.
  EXPECT_EQ(resume_error(check::seal_checkpoint(replaced(checkpoint, "executions: 3", "executions: x"))),
            "checkpoint line 7: executions must be a whole number from 0 to 4611686018427387904, not 'x'");
  EXPECT_EQ(resume_error(check::seal_checkpoint(replaced(checkpoint, "executions: 3", "executions: -5"))),
            "checkpoint line 7: executions must be a whole number from 0 to 4611686018427387904, not '-5'");
  EXPECT_EQ(resume_error(check::seal_checkpoint(replaced(checkpoint, "bound: none", "bound: -1"))),
            "checkpoint line 5: the bound must be none or 0 to 64, not '-1'");
  EXPECT_EQ(resume_error(check::seal_checkpoint(replaced(checkpoint, "bound: none", "bound: 4294967295"))),
            "checkpoint line 5: the bound must be none or 0 to 64, not '4294967295'");
  EXPECT_EQ(resume_error(check::seal_checkpoint(replaced(checkpoint, "reduction: sleep", "reduction: fast"))),
            "checkpoint line 6: the reduction must be dpor, sleep or none, not 'fast'");
  EXPECT_EQ(resume_error(replaced(checkpoint, "checkpoint v4", "checkpoint v3")),
            "checkpoint line 1: a checkpoint v3; this build reads v4 only (start the exploration again)");
  // Edited without the checksum: refused whatever the edit.
  EXPECT_NE(resume_error(replaced(checkpoint, "executions: 3", "executions: 4")).find("the checksum does not match"),
            std::string::npos);
}

TEST(Explore, ACheckpointCutShortAnywhereIsRefused) {
  const std::string checkpoint = stopped_checkpoint(kSmallPrograms[1], 5);
  ASSERT_EQ(resume_error(checkpoint), "accepted");
  for (std::size_t size = 0; size < checkpoint.size(); ++size) {
    const std::string error = resume_error(checkpoint.substr(0, size));
    EXPECT_EQ(error.rfind("checkpoint line ", 0), 0U) << size << ": " << error;
  }
}

TEST(Explore, ACheckpointOfASwappedProgramIsRefused) {
  const std::string checkpoint = stopped_checkpoint(kSmallPrograms[1], 5);
  const std::string swapped = replaced(checkpoint, "task 3: acquire; release", "task 3: acquire; yield; release");
  // The checksum catches it; with the checksum fixed, the program's hash does.
  EXPECT_NE(resume_error(swapped).find("the checksum does not match"), std::string::npos);
  const std::string body = swapped.substr(0, swapped.rfind("checksum: "));
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : body) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  EXPECT_EQ(resume_error(body + "checksum: " + hex + "\n"),
            "checkpoint line 3: the program does not match its hash: the checkpoint belongs to another program, or was "
            "edited");
  // With the hash fixed too (a forgery), a program of another shape no longer
  // fits the stack.
  const std::string error = resume_error(check::seal_checkpoint(
      replaced(checkpoint, "task 3: acquire; release", "task 3: acquire; release | task 4: yield")));
  EXPECT_EQ(error.rfind("checkpoint line ", 0), 0U) << error;
  EXPECT_NE(error.find("does not fit"), std::string::npos) << error;
}

TEST(Explore, ACheckpointSplitOverWorkersAndMergedCoversTheSameSchedules) {
  std::size_t most_shares = 0;
  for (const bool sleep_sets : {false, true}) {
    for (const char* text : kSmallPrograms) {
      const auto program = parse_program(text);
      auto options = with(std::nullopt, sleep_sets);
      const auto whole = check::explore(program, options);
      // Stopped early (one subtree, begun), then dealt over 3 parts: the begun
      // subtree's unexplored branches are split off.
      options.max_executions = 1;
      const auto begun = check::explore(program, options);
      if (begun.complete) continue;
      std::set<std::string> finals(begun.final_states.begin(), begun.final_states.end());
      const auto shares = check::split_checkpoint(begun.checkpoint, 3);
      most_shares = std::max(most_shares, shares.size());
      std::vector<std::string> done;
      options.max_executions = 0;
      options.checkpoint_always = true;
      for (const auto& share : shares) {
        const auto part = check::resume_exploration(share, options);
        ASSERT_TRUE(part.complete);
        done.push_back(part.checkpoint);
        finals.insert(part.final_states.begin(), part.final_states.end());
      }
      const auto merged = check::summarize_checkpoint(check::merge_checkpoints(done));
      EXPECT_EQ(merged.subtrees, 0U);
      // Every reachable end state is reached; without sleep sets, every schedule exactly once.
      EXPECT_EQ(std::vector<std::string>(finals.begin(), finals.end()), whole.final_states) << text;
      if (!sleep_sets) {
        EXPECT_EQ(merged.executions, whole.executions) << text;
        EXPECT_EQ(merged.distinct_traces, whole.distinct_traces) << text;
      } else {
        EXPECT_GE(merged.executions + merged.pruned, whole.executions) << text;
      }
    }
  }
  EXPECT_EQ(most_shares, 3U);
}

TEST(Explore, DistinctTracesAreCountedExactlyUpToACap) {
  check::ExploreResult r;
  r.distinct_traces = 12;
  EXPECT_EQ(r.traces_text(), "12 distinct traces");
  r.distinct_traces = check::kMaxTraceFingerprints;
  r.traces_capped = true;
  EXPECT_EQ(r.traces_text(), "more than 65536 distinct traces [counted exactly up to 65536, to bound memory]");
}

TEST(Explore, SplittingByPrefixCoversEverySchedule) {
  for (const char* text : kSmallPrograms) {
    const auto program = parse_program(text);
    const auto options = with(2, false);
    const auto whole = check::explore(program, options);
    const auto prefixes = check::split_prefixes(program, 4, options);
    std::size_t executions = 0;
    std::set<std::string> finals;
    for (const auto& prefix : prefixes) {
      auto unit = options;
      unit.prefix = prefix;
      const auto part = check::explore(program, unit);
      ASSERT_TRUE(part.complete);
      executions += part.executions;
      finals.insert(part.final_states.begin(), part.final_states.end());
    }
    EXPECT_EQ(executions, whole.executions) << text;  // disjoint subtrees, nothing lost
    EXPECT_EQ(std::vector<std::string>(finals.begin(), finals.end()), whole.final_states) << text;
  }
}

TEST(Explore, SplittingProbesTheLockItIsGiven) {
  // A lock whose acquire never waits has a tree of another shape than the
  // real lock's: prefixes read off the real lock would not fit it.
  const auto program = parse_program(
      "task 1: acquire; yield; release\ntask 2: acquire; yield; release\n"
      "task 3: acquire; release\n");
  auto options = with(std::nullopt, false);
  options.stop_at_first_failure = false;  // it has two holders: count every schedule
  const auto whole = check::explore(program, options, never_waits());
  const auto real = check::split_prefixes(program, 40, options);
  const auto prefixes = check::split_prefixes(program, 40, options, never_waits());
  EXPECT_NE(prefixes, real);
  std::size_t executions = 0;
  for (const auto& prefix : prefixes) {
    auto unit = options;
    unit.prefix = prefix;
    const auto part = check::explore(program, unit, never_waits());
    ASSERT_TRUE(part.complete);
    executions += part.executions;
  }
  EXPECT_EQ(executions, whole.executions);
}

TEST(Explore, FindsAPlantedBugAtTheSmallestDelayBoundThatExposesIt) {
  // Under FIFO task 2's yield lets task 1 release first; two holders need task
  // 2's acquire to pass task 1 in the queue once: one delay.
  const auto program = parse_program("task 1: acquire; yield; release\ntask 2: yield; acquire; release\n");
  const auto none = check::explore(program, with(0, true), never_waits());
  EXPECT_TRUE(none.complete);
  EXPECT_FALSE(none.failure);
  const auto one = check::explore(program, with(1, true), never_waits());
  ASSERT_TRUE(one.failure);
  EXPECT_EQ(one.failure->verdict, FailureKind::two_holders);
  EXPECT_EQ(check::size_of(*one.failure).preemptions, 1U);
}

TEST(Shrink, ReachesTheKnownMinimumOfAPlantedBug) {
  // Found by a random schedule of a much larger program...
  const auto program = parse_program(
      "task 1: yield; acquire; sleep 1; yield; release; try_acquire\n"
      "task 2: scoped { yield; sleep 2 }; acquire; release\n"
      "task 3: yield; yield; acquire_timeout 3; release\n"
      "task 4: cancel 3; acquire; yield; release\n");
  std::optional<check::Trace> failure;
  for (std::uint64_t seed = 1; seed < 200 && !failure; ++seed) {
    check::RandomSource source(seed);
    const auto run = check::run_program(program, source, never_waits());
    if (!run.passed()) failure = check::make_trace(program, source.describe(), run);
  }
  ASSERT_TRUE(failure);
  ASSERT_EQ(failure->verdict, FailureKind::two_holders);
  // ...it shrinks to two tasks that each just acquire, on the default schedule.
  const auto shrunk = check::shrink(*failure, never_waits());
  EXPECT_EQ(check::to_compact(shrunk.minimal), "lockstep v2 / task 1: acquire | task 2: acquire / ");
  EXPECT_EQ(shrunk.minimal.verdict, FailureKind::two_holders);
  EXPECT_EQ(shrunk.after.tasks, 2U);
  EXPECT_EQ(shrunk.after.operations, 2U);
  EXPECT_EQ(shrunk.after.decisions, 0U);
  EXPECT_LT(shrunk.after.operations, shrunk.before.operations);
  EXPECT_LT(shrunk.after.tasks, shrunk.before.tasks);
  const auto replayed = check::replay(check::parse_trace(check::to_text(shrunk.minimal)), never_waits());
  EXPECT_FALSE(replayed.diverged) << replayed.divergence;
}

TEST(Shrink, KeepsTheFailureKind) {
  struct ReleaseOfFreeLockIsSilent : check::LockAdapter<Lock> {
    void release() override {
      if (lock_.locked()) lock_.release();
    }
  };
  const check::LockFactory silent = [] { return std::make_unique<ReleaseOfFreeLockIsSilent>(); };
  const auto program = parse_program("task 1: acquire; release; yield; release\ntask 2: yield; acquire; release\n");
  check::VectorSource source({});
  const auto run = check::run_program(program, source, silent);
  ASSERT_EQ(run.failure, FailureKind::model_disagreement);
  const auto shrunk = check::shrink(check::make_trace(program, "vector", run), silent);
  EXPECT_EQ(shrunk.minimal.verdict, FailureKind::model_disagreement);
  EXPECT_EQ(check::to_compact(shrunk.minimal), "lockstep v2 / task 1: release / ");
}

// ---- user scenarios ----

namespace {
struct Counter {
  int value = 0;
};
Task<> increment(Counter& counter, Lock* lock) {
  std::optional<LockGuard> guard;
  if (lock != nullptr) guard.emplace(co_await lock->scoped());
  const int seen = counter.value;
  co_await yield_now();
  counter.value = seen + 1;
}
struct Increments final : check::Scenario {
  explicit Increments(bool locked) : locked(locked) {}
  void start(EventLoop& loop) override {
    for (int i = 0; i < 3; ++i) loop.spawn(increment(counter, locked ? &lock : nullptr));
  }
  std::optional<std::string> check_end() override {
    if (counter.value != 3) return "lost an increment: " + std::to_string(counter.value);
    return std::nullopt;
  }
  Lock lock;
  Counter counter;
  bool locked;
};
}  // namespace

TEST(Scenario, UserInvariantsHoldOnEveryScheduleWithTheLock) {
  const auto search = check::explore_scenario([] { return std::make_unique<Increments>(true); }, {});
  EXPECT_TRUE(search.complete);
  EXPECT_FALSE(search.found);
  EXPECT_GT(search.runs, 1U);
}

TEST(Scenario, ALostUpdateWithoutTheLockIsCaughtAndShrunk) {
  const auto search = check::explore_scenario([] { return std::make_unique<Increments>(false); }, {});
  ASSERT_TRUE(search.found);
  ASSERT_TRUE(search.shrunk);
  EXPECT_NE(search.shrunk->failure->find("lost an increment"), std::string::npos);
  std::size_t preemptions = 0;
  for (auto d : search.shrunk->decisions) preemptions += d != 0 ? 1 : 0;
  EXPECT_LE(preemptions, 1U);
  // The shrunk schedule replays to the same failure.
  check::VectorSource again(search.shrunk->decisions);
  const auto replayed = check::run_scenario([] { return std::make_unique<Increments>(false); }, again);
  EXPECT_EQ(replayed.failure, search.shrunk->failure);
}

namespace {
struct Boom : std::runtime_error {
  Boom() : std::runtime_error("boom") {}
};
Task<> throws_after_a_yield() {
  co_await yield_now();
  throw Boom();
}
Task<> awaits_and_catches(TaskHandle<> target, bool* caught) {
  try {
    co_await target;
  } catch (const Boom&) {
    *caught = true;
  }
}
// A task fails with an exception: left alone, kept in a handle, or awaited
// (and caught) by another task.
struct Throws final : check::Scenario {
  enum class Way { dropped, kept, awaited };
  explicit Throws(Way way) : way(way) {}
  void start(EventLoop& loop) override {
    loop.spawn(increment(counter, &lock));
    auto handle = loop.spawn(throws_after_a_yield());
    if (way == Way::kept) kept = handle;
    if (way == Way::awaited) loop.spawn(awaits_and_catches(handle, &caught));
  }
  std::optional<std::string> check_end() override {
    if (way == Way::awaited && !caught) return "the exception was not caught";
    return std::nullopt;
  }
  Lock lock;
  Counter counter;
  Way way;
  TaskHandle<> kept;
  bool caught = false;
};
check::ScenarioFactory throws(Throws::Way way) {
  return [way] { return std::make_unique<Throws>(way); };
}
}  // namespace

TEST(Scenario, AnExceptionNobodyRetrievesIsAFailure) {
  testing::internal::CaptureStderr();
  const auto dropped = check::explore_scenario(throws(Throws::Way::dropped), {});
  const auto kept = check::explore_scenario(throws(Throws::Way::kept), {});
  const auto awaited = check::explore_scenario(throws(Throws::Way::awaited), {});
  const std::string stderr_text = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(dropped.found);
  EXPECT_EQ(dropped.runs, 1U);  // the first schedule fails
  EXPECT_EQ(*dropped.found->failure, "step 4: task #2 failed and nobody retrieved its exception: boom");
  ASSERT_TRUE(kept.found);
  EXPECT_EQ(*kept.found->failure, "at the end: task #2 failed and nobody retrieved its exception: boom");
  EXPECT_FALSE(awaited.found) << awaited.found->describe();
  EXPECT_TRUE(awaited.complete);
  EXPECT_EQ(stderr_text, "");  // reported as failures, not as lines on stderr
}

TEST(Scenario, AFailureIsReportedWithItsTimelineAndTheCodeThatReplaysIt) {
  const auto make = [] { return std::make_unique<Increments>(false); };
  const auto search = check::explore_scenario(make, {});
  ASSERT_TRUE(search.shrunk);
  const std::string report = search.report();
  EXPECT_EQ(report.rfind("FAILED after ", 0), 0U) << report;
  EXPECT_NE(report.find("failure: at the end: lost an increment"), std::string::npos) << report;
  EXPECT_NE(report.find("step  time        choice  t1   t2   t3   ready queue (front first)\n"), std::string::npos)
      << report;
  EXPECT_NE(report.find("   1  0s               0  ran  .    .    t1,t2,t3\n"), std::string::npos) << report;
  // The replay code names the decisions; they replay the same failure.
  const std::string code = search.shrunk->replay_code();
  const auto open = code.find("VectorSource source({");
  ASSERT_NE(open, std::string::npos) << code;
  std::vector<std::uint32_t> decisions;
  const std::string list = code.substr(open + 21, code.find("})") - open - 21);
  for (std::size_t at = 0; at < list.size();) {
    decisions.push_back(static_cast<std::uint32_t>(std::stoul(list.substr(at))));
    at = list.find(", ", at);
    at = at == std::string::npos ? list.size() : at + 2;
  }
  EXPECT_EQ(decisions, search.shrunk->decisions);
  EXPECT_NE(code.find("lockstep::check::run_scenario(make_scenario, source)"), std::string::npos);
  check::VectorSource again(decisions);
  EXPECT_EQ(check::run_scenario(make, again).failure, search.shrunk->failure);
  EXPECT_EQ(
      check::explore_scenario([] { return std::make_unique<Increments>(true); }, {}).report().rfind("passed: ", 0), 0U);
}

namespace {

ExploreOptions dpor() {
  ExploreOptions options;
  options.reduction = check::Reduction::dpor;
  options.collect_final_states = true;
  return options;
}

}  // namespace

TEST(Explore, DporFindsEveryEndStateWithOneRunPerClass) {
  for (const char* text : kSmallPrograms) {
    const auto program = parse_program(text);
    const auto plain = check::explore(program, with(std::nullopt, false));
    const auto reduced = check::explore(program, dpor());
    ASSERT_TRUE(plain.complete && reduced.complete);
    EXPECT_EQ(reduced.reduction, check::Reduction::dpor);
    EXPECT_EQ(plain.final_states, reduced.final_states) << text;
    EXPECT_EQ(reduced.pruned, 0U) << text;
    EXPECT_EQ(reduced.classes, plain.classes) << text;
    EXPECT_LE(reduced.executions, plain.executions);
  }
}

TEST(Explore, DporUnderABoundRunsAsSleepSets) {
  auto options = dpor();
  options.preemption_bound = 1;
  options.checkpoint_always = true;
  const auto result = check::explore(parse_program(kSmallPrograms[1]), options);
  EXPECT_EQ(result.reduction, check::Reduction::sleep);
  EXPECT_NE(result.checkpoint.find("reduction: sleep"), std::string::npos);
}

TEST(Explore, ADporRunStoppedAndResumedFindsEveryEndState) {
  for (const char* text : kSmallPrograms) {
    const auto program = parse_program(text);
    const auto whole = check::explore(program, dpor());
    auto options = dpor();
    options.max_executions = 4;
    auto part = check::explore(program, options);
    std::set<std::string> seen(part.final_states.begin(), part.final_states.end());
    while (!part.complete) {
      ASSERT_NE(part.checkpoint.find("reduction: dpor"), std::string::npos);
      // Never begun: every subtree of a dpor checkpoint has 0 levels.
      EXPECT_NE(part.checkpoint.find("subtree: 0 levels"), std::string::npos);
      const auto shares = check::split_checkpoint(part.checkpoint, 3);
      part = check::resume_exploration(check::merge_checkpoints(shares), options);
      seen.insert(part.final_states.begin(), part.final_states.end());
    }
    EXPECT_EQ(std::vector<std::string>(seen.begin(), seen.end()), whole.final_states) << text;
    EXPECT_GE(part.executions, whole.executions);
  }
}

TEST(Explore, ADporCheckpointWithABegunSubtreeIsRefused) {
  const std::string sleep = stopped_checkpoint(kSmallPrograms[1], 3);
  const std::string forged = check::seal_checkpoint(replaced(sleep, "reduction: sleep", "reduction: dpor"));
  EXPECT_NE(resume_error(forged).find("a dpor checkpoint holds subtrees not begun (0 levels)"), std::string::npos)
      << resume_error(forged);
}
