// A model-based test (rapidcheck/state.h) that drives the Lock API directly:
// commands spawn tasks that acquire, release, cancel, try_acquire, and step
// the loop by hand, and after each one the real lock and loop must match a
// plain model built on the reference LockTable.
#include <gtest/gtest.h>
// After gtest (rapidcheck/gtest.h does not include it).
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <deque>
#include <map>
#include <memory>

#include "lockstep/lockstep.hpp"
#include "lockstep/model/lock_table.hpp"

namespace {

using lockstep::model::LockTable;

// Each task acquires and then finishes, keeping the lock (the lock has no owner).
enum class Phase { not_started, waiting, holding_done, cancelled_done };

struct Model {
  LockTable table;
  std::deque<int> ready;  // the loop's FIFO ready queue
  std::map<int, Phase> phase;
  std::map<int, bool> cancel_pending;
  int next_task = 1;

  bool queued_in_table(int t) const { return phase.at(t) == Phase::waiting; }
  void make_ready(int t) { ready.push_back(t); }

  // One step of the task at the front of the ready queue (SEMANTICS LP-*, CN-*, §2).
  void step() {
    const int t = ready.front();
    ready.pop_front();
    if (phase[t] == Phase::not_started) {
      if (cancel_pending[t]) {  // cancelled before it ever ran
        phase[t] = Phase::cancelled_done;
        return;
      }
      if (table.can_take_at_once()) {  // not a cancellation point
        table.take(t);
        phase[t] = Phase::holding_done;
        return;
      }
      table.enqueue(t);
      phase[t] = Phase::waiting;
      if (cancel_pending[t]) {  // cancelled while running: lands on this await
        table.cancel_pending(t);
        make_ready(t);
      }
      return;
    }
    const bool cancelled = cancel_pending[t] || table.state_of(t) == LockTable::Waiter::cancelled;
    cancel_pending[t] = false;
    if (const auto woke = table.waiter_runs(t, cancelled)) make_ready(*woke);
    phase[t] = cancelled ? Phase::cancelled_done : Phase::holding_done;
  }
};

struct Real {
  lockstep::Lock lock;  // declared before the loop: it outlives the tasks
  lockstep::EventLoop loop;
  std::map<int, lockstep::TaskHandle<>> tasks;
};

lockstep::Task<> acquire_and_keep(lockstep::Lock& lock) { co_await lock.acquire(); }

void check_agreement(const Model& m, const Real& r) {
  const auto stats = r.lock.statistics();
  RC_ASSERT(stats.locked == m.table.locked());
  RC_ASSERT(stats.live_waiters == m.table.live_waiters());
  RC_ASSERT(stats.cancelled_waiters == m.table.cancelled_waiters());
  RC_ASSERT(r.loop.ready_count() == m.ready.size());
  for (const auto& [t, phase] : m.phase) {
    const auto& handle = r.tasks.at(t);
    const bool done = phase == Phase::holding_done || phase == Phase::cancelled_done;
    RC_ASSERT(handle.done() == done);
    if (done) RC_ASSERT(handle.cancelled() == (phase == Phase::cancelled_done));
  }
}

using Command = rc::state::Command<Model, Real>;

// After running a command on the real lock: the model, with the command
// applied, must describe the real state.
void check_after(const Command& command, const Model& before, const Real& real) {
  Model after = before;
  command.apply(after);
  check_agreement(after, real);
}

struct SpawnAcquire : Command {
  void checkPreconditions(const Model& m) const override { RC_PRE(m.next_task <= 12); }
  void apply(Model& m) const override {
    const int t = m.next_task++;
    m.phase[t] = Phase::not_started;
    m.cancel_pending[t] = false;
    m.make_ready(t);
  }
  void run(const Model& m, Real& r) const override {
    r.tasks[m.next_task] = r.loop.spawn(acquire_and_keep(r.lock));
    check_after(*this, m, r);
  }
  void show(std::ostream& os) const override { os << "spawn a task that acquires"; }
};

struct Release : Command {
  void apply(Model& m) const override {
    std::optional<int> woke;
    if (m.table.release(woke) && woke) m.make_ready(*woke);
  }
  void run(const Model& m, Real& r) const override {
    bool threw = false;
    try {
      r.lock.release();
    } catch (const lockstep::LockNotAcquired&) {
      threw = true;
    }
    RC_ASSERT(threw == !m.table.locked());
    check_after(*this, m, r);
  }
  void show(std::ostream& os) const override { os << "release"; }
};

struct TryAcquire : Command {
  void apply(Model& m) const override {
    if (m.table.can_take_at_once()) m.table.take(std::nullopt);
  }
  void run(const Model& m, Real& r) const override {
    RC_ASSERT(r.lock.try_acquire() == m.table.can_take_at_once());
    check_after(*this, m, r);
  }
  void show(std::ostream& os) const override { os << "try_acquire"; }
};

struct Cancel : Command {
  int task;
  explicit Cancel(const Model& m) : task(*rc::gen::inRange(1, std::max(2, m.next_task))) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(m.phase.count(task) == 1); }
  void apply(Model& m) const override {
    const Phase phase = m.phase.at(task);
    if (phase == Phase::holding_done || phase == Phase::cancelled_done) return;
    const bool parked = phase == Phase::waiting && m.table.state_of(task) == LockTable::Waiter::pending &&
                        std::find(m.ready.begin(), m.ready.end(), task) == m.ready.end();
    m.cancel_pending[task] = true;
    if (parked) {
      m.table.cancel_pending(task);
      m.make_ready(task);
    }
  }
  void run(const Model& m, Real& r) const override {
    const Phase phase = m.phase.at(task);
    const bool done = phase == Phase::holding_done || phase == Phase::cancelled_done;
    RC_ASSERT(r.tasks.at(task).cancel() == !done);
    check_after(*this, m, r);
  }
  void show(std::ostream& os) const override { os << "cancel task " << task; }
};

struct RunOneStep : Command {
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.ready.empty()); }
  void apply(Model& m) const override { m.step(); }
  void run(const Model& m, Real& r) const override {
    RC_ASSERT(r.loop.step());
    check_after(*this, m, r);
  }
  void show(std::ostream& os) const override { os << "run one step"; }
};

struct RunUntilIdle : Command {
  void apply(Model& m) const override {
    while (!m.ready.empty()) m.step();
  }
  void run(const Model& m, Real& r) const override {
    r.loop.run_until_idle();
    check_after(*this, m, r);
  }
  void show(std::ostream& os) const override { os << "run until idle"; }
};

}  // namespace

RC_GTEST_PROP(LockModelBased, TheLockApiBehavesLikeTheReferenceTableUnderAnyCommandSequence, ()) {
  Model initial;
  Real real;
  rc::state::check(initial, real,
                   rc::state::gen::execOneOfWithArgs<SpawnAcquire, SpawnAcquire, Release, TryAcquire, Cancel,
                                                     RunOneStep, RunOneStep, RunUntilIdle>());
}
