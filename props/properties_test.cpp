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

// FIFO, read off the typed steps [LK-FIFO]: a task that takes a lock from
// its queue must not pass a live (pending or woken) waiter queued before it.
std::optional<std::string> fifo_violation(const check::RunResult& result) {
  for (std::size_t i = 1; i < result.steps.size(); ++i) {
    const auto& before = result.steps[i - 1];
    const auto& step = result.steps[i];
    const int task = step.ran().task;
    for (const model::Event& e : step.events) {
      const bool took = e.result == model::Result::ok &&
                        (e.kind == model::EventKind::acquire || e.kind == model::EventKind::scope_enter ||
                         e.kind == model::EventKind::acquire_timeout);
      if (!took || e.lock < 0 || static_cast<std::size_t>(e.lock) >= before.locks.size()) continue;
      const auto& after = step.locks[static_cast<std::size_t>(e.lock)].waiters;
      auto still_live = [&](int t) {
        return std::any_of(after.begin(), after.end(), [&](const model::Waiter& a) {
          return a.task == t && a.state != model::WaiterState::cancelled;
        });
      };
      // A waiter ahead that was live before the step and still is after it
      // (the same step may have cancelled it first) was passed over.
      for (const model::Waiter& w : before.locks[static_cast<std::size_t>(e.lock)].waiters) {
        if (w.task == task) break;
        if (w.state != model::WaiterState::cancelled && still_live(w.task)) {
          return "step " + std::to_string(i + 1) + ": task " + std::to_string(task) + " got the lock ahead of task " +
                 std::to_string(w.task) + ", which queued first and is still waiting";
        }
      }
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
// returns at once (mutant class 12).
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
