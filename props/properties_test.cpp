// Properties of the lock, each a claim over every program and schedule the
// generators produce. A failing property writes its minimal counterexample as
// a harness trace and says which command replays it.
#include <gtest/gtest.h>
// After gtest (rapidcheck/gtest.h does not include it).
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <ostream>

#include "generators.hpp"
#include "lockstep/check/runner.hpp"
#include "lockstep/check/shrink.hpp"
#include "lockstep/check/trace.hpp"

namespace lockstep::model {
// How RapidCheck prints a counterexample.
inline void showValue(const Program& program, std::ostream& os) { os << to_compact(program); }
}  // namespace lockstep::model

namespace {

using namespace lockstep;
using check::FailureKind;
using props::gen_decisions;
using props::gen_program;

check::RunResult run(const model::Program& program, const std::vector<std::uint32_t>& decisions,
                     const check::LockFactory& lock = check::make_production_lock) {
  check::VectorSource source(decisions);
  return check::run_program(program, source, lock);
}

// Writes the counterexample's trace, shrunk further by the harness's own
// shrinker (RapidCheck runs its minimal case last, so the file ends up holding
// that one), and fails with a message that names the file and the command
// that replays it. LOCKSTEP_REPLAY_COMMAND names the lockstep binary built
// against the same lock (a mutant's, when testing one).
void fail_with_trace(const std::string& property, const model::Program& program, const check::RunResult& result,
                     const std::string& why) {
  const char* dir = std::getenv("LOCKSTEP_PROPS_DIR");
  const char* command = std::getenv("LOCKSTEP_REPLAY_COMMAND");
  const std::string path = std::string(dir != nullptr ? dir : ".") + "/props-" + property + ".trace";
  const auto trace = check::make_trace(program, "rapidcheck", result);
  const auto shrunk = check::shrink(trace);
  std::ofstream(path) << check::to_text(shrunk.minimal);
  RC_FAIL(why + "\n  harness shrink: " + shrunk.summary() + "\n  minimal: " + check::to_compact(shrunk.minimal) +
          "\n  trace: " + path + "\n  replay: " + (command != nullptr ? command : "build/gcc/check/lockstep") +
          " replay " + path);
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// FIFO, read off the steps: a task that gets the lock from the queue must not
// pass a live waiter that queued before it. A waiter counts as possibly
// cancelled (no longer live) once a cancel names it or if it waits with a
// timeout, so the check never raises a false alarm.
std::optional<std::string> fifo_violation(const check::RunResult& result) {
  struct Queued {
    int task;
    bool maybe_cancelled;
  };
  std::vector<Queued> queue;
  auto remove = [&](int task) {
    queue.erase(std::remove_if(queue.begin(), queue.end(), [&](const Queued& q) { return q.task == task; }), queue.end());
  };
  for (std::size_t i = 0; i < result.steps.size(); ++i) {
    const auto& step = result.steps[i];
    const bool was_queued = std::any_of(queue.begin(), queue.end(), [&](const Queued& q) { return q.task == step.task; });
    for (const std::string& event : step.events) {
      if (event.rfind("cancel ", 0) == 0 && ends_with(event, "=1")) {
        const int target = std::stoi(event.substr(7));
        for (Queued& q : queue) {
          if (q.task == target) q.maybe_cancelled = true;
        }
      }
    }
    if (was_queued && !step.events.empty()) {
      const std::string& first = step.events.front();
      const bool took_it = first == "acquire" || first == "scoped" || first == "acquire_timeout";
      if (took_it) {
        for (const Queued& q : queue) {
          if (q.task == step.task) break;
          if (!q.maybe_cancelled) {
            return "step " + std::to_string(i + 1) + ": task " + std::to_string(step.task) +
                   " got the lock ahead of task " + std::to_string(q.task) + ", which queued first";
          }
        }
      }
      remove(step.task);
    }
    const bool waits_for_lock = step.waits_at == "acquire" || step.waits_at == "scoped" || step.waits_at == "acquire_timeout";
    if (waits_for_lock && std::none_of(queue.begin(), queue.end(), [&](const Queued& q) { return q.task == step.task; })) {
      queue.push_back({step.task, step.waits_at == "acquire_timeout"});
    }
  }
  return std::nullopt;
}

}  // namespace

RC_GTEST_PROP(Lock, MutualExclusionHoldsForEveryProgramAndSchedule, ()) {
  const auto program = *gen_program();
  const auto decisions = *gen_decisions();
  const auto result = run(program, decisions);
  if (result.failure == FailureKind::two_holders) fail_with_trace("mutual-exclusion", program, result, result.message);
}

RC_GTEST_PROP(Lock, EveryScopedBodyReleasesTheLockOnEveryPath, ()) {
  const auto program = *gen_program();
  const auto decisions = *gen_decisions();
  const auto result = run(program, decisions);
  for (const auto& step : result.steps) {
    for (const auto& event : step.events) {
      if (event == "/scoped!kept") fail_with_trace("scoped-release", program, result, "a scoped block kept the lock");
    }
  }
  if (result.failure == FailureKind::lock_left_held || result.failure == FailureKind::exception_swallowed) {
    fail_with_trace("scoped-release", program, result, result.message);
  }
}

RC_GTEST_PROP(Lock, LiveWaitersGetTheLockInFifoOrder, ()) {
  const auto program = *gen_program();
  const auto decisions = *gen_decisions();
  const auto result = run(program, decisions);
  if (const auto violation = fifo_violation(result)) fail_with_trace("fifo", program, result, *violation);
}

RC_GTEST_PROP(Lock, NoWakeUpIsLost, ()) {
  const auto program = *gen_program();
  const auto decisions = *gen_decisions();
  const auto result = run(program, decisions);
  if (result.failure == FailureKind::lost_wakeup || result.failure == FailureKind::deadlock) {
    fail_with_trace("no-lost-wakeup", program, result, result.message);
  }
}

RC_GTEST_PROP(Lock, TheProductionLockAgreesWithTheModelAtEveryStep, ()) {
  const auto program = *gen_program();
  const auto decisions = *gen_decisions();
  const auto result = run(program, decisions);
  if (!result.passed()) fail_with_trace("model-agreement", program, result, result.message);
}

RC_GTEST_PROP(Trace, ReplayingARecordedTraceReproducesItExactly, ()) {
  const auto program = *gen_program();
  const auto decisions = *gen_decisions();
  const auto trace = check::make_trace(program, "rapidcheck", run(program, decisions));
  const std::string text = check::to_text(trace);
  const auto replayed = check::replay(check::parse_trace(text));
  RC_ASSERT(!replayed.diverged);
  RC_ASSERT(check::to_text(check::make_trace(program, "rapidcheck", replayed.run)) == text);
}

namespace {
// A broken lock whose bugs the harness must find: an acquire of a held lock
// returns at once (SPEC §5 class 12).
struct AcquireNeverWaits : check::LockAdapter<Lock> {
  Task<> acquire() override {
    if (lock_.locked()) co_return;
    co_await lock_.acquire();
  }
};
}  // namespace

RC_GTEST_PROP(Shrink, ShrinkingAFailureKeepsItsFailureKind, ()) {
  const check::LockFactory broken = [] { return std::make_unique<AcquireNeverWaits>(); };
  const auto program = *gen_program();
  const auto decisions = *gen_decisions();
  const auto result = run(program, decisions, broken);
  RC_PRE(!result.passed());
  const auto shrunk = check::shrink(check::make_trace(program, "rapidcheck", result), broken);
  RC_ASSERT(shrunk.minimal.verdict == result.failure);
  RC_ASSERT(shrunk.after.operations <= shrunk.before.operations);
}
