// The reference model, rule by rule from docs/SEMANTICS.md. Each function
// names the rules it implements.
#include "lockstep/model/model_run.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace lockstep::model {

namespace {

// TK-JOIN, GA-RESUME: what a finished task's (or gather's) outcome does to
// the task that awaits it.
Result result_of(TaskEnd end) {
  return end == TaskEnd::ok ? Result::ok : end == TaskEnd::error ? Result::error : Result::cancelled;
}

[[noreturn]] void impossible(const std::string& what) { throw std::logic_error("model: " + what); }

}  // namespace

// LP-START
ModelRun::ModelRun(Program program) : owned_(std::move(program)), program_(owned_) { start(); }

ModelRun::ModelRun(const Program& program, Borrowed) : program_(program) { start(); }

void ModelRun::start() {
  validate(program_);
  tasks_.resize(program_.tasks.size());
  locks_.resize(program_.lock_count());
  ready_.reserve(2 * tasks_.size());  // each task once, and its gather or timeout entries
  slots_.reserve(2 * tasks_.size());
  const std::vector<bool> at_once = program_.starts_at_once();
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    if (at_once.at(i)) spawn(static_cast<TaskNumber>(i + 1));
  }
}

// LP-QUEUE: entries are appended at the back.
void ModelRun::push(Entry entry, Slot slot) {
  ready_.push_back(entry);
  slots_.push_back(slot);
}

// TK-SPAWN (also GA-START's children, LP-START's initial tasks).
void ModelRun::spawn(TaskNumber task) {
  Task& t = at(task);
  if (t.status != TaskStatus::unspawned) impossible("task " + std::to_string(task) + " started twice");
  t.status = TaskStatus::ready;
  t.frames.reserve(4);  // the top frame and a few nested bodies, one allocation
  t.frames.push_back(Frame{&program_.tasks.at(static_cast<std::size_t>(task) - 1).ops});
  push({EntryKind::task, task});
}

void ModelRun::wake(TaskNumber task) {
  at(task).status = TaskStatus::ready;
  push({EntryKind::task, task});
}

// TM-CLOCK, TM-ORDER, TM-FIRE, WF-EXPIRE, LP-SLEEP (the timer's side).
bool ModelRun::prepare_step() {
  const auto fire_due = [this] {
    while (!timers_.empty() && timers_.begin()->first.first <= now_) {
      const Timer timer = timers_.begin()->second;
      timers_.erase(timers_.begin());
      Task& t = at(timer.task);
      if (timer.kind == TimerKind::block) {  // WF-EXPIRE, for a timeout block
        Frame& frame = t.frames.at(timer.frame);
        frame.timer.reset();
        frame.expired = true;
        cancel(timer.task);
        continue;
      }
      t.timer.reset();
      if (timer.kind == TimerKind::wait_for) {
        t.expired = true;  // WF-EXPIRE
        cancel(timer.task);
      } else if (t.wait == Wait::sleep && t.fut == Fut::pending) {
        t.fut = Fut::done;  // LP-SLEEP
        wake(timer.task);
      }
    }
  };
  fire_due();
  while (ready_.empty() && !timers_.empty()) {
    now_ = timers_.begin()->first.first;
    fire_due();
  }
  return !ready_.empty();
}

// LP-STEP, OB-STEP, OB-TASK, OB-LOCK, OB-TIMER
StepRecord ModelRun::step(std::uint32_t index) {
  StepRecord record;
  step(index, record);
  return record;
}

void ModelRun::step(std::uint32_t index, StepRecord& record) {
  if (index >= ready_.size()) {
    impossible("index " + std::to_string(index) + " out of a ready queue of " + std::to_string(ready_.size()));
  }
  record.now = now_;
  record.ready.assign(ready_.begin(), ready_.end());
  record.picked = index;
  events_.clear();

  const Entry entry = ready_[index];
  const Slot slot = slots_[index];
  ready_.erase(ready_.begin() + index);
  slots_.erase(slots_.begin() + index);
  switch (entry.kind) {
    case EntryKind::task:
      run_task(entry.task);
      break;
    case EntryKind::gather_done:
      gather_done(slot.gather_id, slot.child);
      break;
    case EntryKind::timeout_inner: {  // WF-INNER
      const Task& t = at(entry.task);
      if (t.zero_serial == slot.serial && t.zero_registered) push({EntryKind::timeout_release, entry.task}, slot);
      break;
    }
    case EntryKind::timeout_release: {  // WF-RELEASE
      Task& t = at(entry.task);
      if (t.zero_serial == slot.serial && t.wait == Wait::zero && t.fut == Fut::pending) {
        t.fut = Fut::done;
        wake(entry.task);
      }
      break;
    }
  }

  record.events.assign(events_.begin(), events_.end());
  record.queue.assign(ready_.begin(), ready_.end());
  record.tasks.clear();
  record.tasks.reserve(tasks_.size());
  for (const Task& t : tasks_) {
    TaskView view{t.status, t.end, t.cancelling, std::nullopt};
    if (t.started && t.status != TaskStatus::done) view.waits_at = current(t).kind;
    record.tasks.push_back(view);
  }
  record.locks.resize(locks_.size());  // kept LockViews keep their waiters' capacity
  for (std::size_t i = 0; i < locks_.size(); ++i) {
    const LockTable& l = locks_[i];
    LockView& view = record.locks[i];
    view.locked = l.locked();
    view.holder = l.holder();
    view.waiters.clear();
    for (const LockTable::Entry& w : l.waiters()) {
      view.waiters.push_back({w.task, w.state == LockTable::Waiter::pending ? WaiterState::pending
                                      : w.state == LockTable::Waiter::woken ? WaiterState::woken
                                                                            : WaiterState::cancelled});
    }
  }
  record.timers.clear();
  for (const auto& [key, timer] : timers_) record.timers.push_back({key.first, timer.task});
}

// TK-STEP, TK-START-CANCELLED, CN-DELIVER
void ModelRun::run_task(TaskNumber task) {
  Task& t = at(task);
  if (t.status != TaskStatus::ready) impossible("t" + std::to_string(task) + " queued but the task is not ready");
  const bool cancel_now = std::exchange(t.must_cancel, false);
  if (!t.started) {
    t.started = true;
    if (cancel_now) {
      finish(task, TaskEnd::cancelled);
      return;
    }
    run(task, Raise::none, false);
    return;
  }
  bool advance = true;
  const Raise raise = resume(task, cancel_now, advance);
  run(task, raise, advance);
}

// The op the task was suspended at completes (TK-EVENTS). `advance` is set
// false when the op entered a body instead (SC-ENTER).
ModelRun::Raise ModelRun::resume(TaskNumber task, bool cancel_now, bool& advance) {
  Task& t = at(task);
  const Op& op = current(t);
  const Wait wait = std::exchange(t.wait, Wait::none);  // TK-STEP: the wait object is dropped
  advance = true;
  switch (wait) {
    case Wait::yield: {  // LP-YIELD
      emit(op.kind == OpKind::sleep ? EventKind::sleep : EventKind::yield, cancel_now ? Result::cancelled : Result::ok);
      return cancel_now ? Raise::cancelled : Raise::none;
    }
    case Wait::sleep: {  // LP-SLEEP
      disarm(task);
      const bool raised = cancel_now || t.fut == Fut::cancelled;
      emit(EventKind::sleep, raised ? Result::cancelled : Result::ok);
      return raised ? Raise::cancelled : Raise::none;
    }
    case Wait::lock: {  // LK-RESUME, LK-CANCEL
      LockTable& l = lock(op.lock);
      const bool raised = cancel_now || l.state_of(task) == LockTable::Waiter::cancelled;
      if (const auto woke = l.waiter_runs(task, raised)) wake(*woke);
      const Exec exec = complete_lock_op(task, op, raised);
      if (exec == Exec::entered) advance = false;
      return exec == Exec::cancelled ? Raise::cancelled : Raise::none;
    }
    case Wait::zero: {  // WF-ZERO-RESUME (acquire_timeout, or a timeout block: WF-SCOPE)
      t.zero_registered = false;
      const bool raised = cancel_now || t.fut == Fut::cancelled;
      const Result result = raised ? Result::cancelled : Result::timeout;
      if (op.kind == OpKind::timeout) {
        emit(EventKind::timeout_exit, result);
      } else {
        emit(EventKind::acquire_timeout, result, op.lock);
      }
      return raised ? Raise::cancelled : Raise::none;
    }
    case Wait::join: {                // TK-JOIN, TK-VALUE, TK-ERR-ORIGIN
      at(t.target).retrieved = true;  // TK-UNRETRIEVED: taken even when "cancel now" wins
      const Result result = cancel_now ? Result::cancelled : result_of(at(t.target).end);
      if (result == Result::error) t.error_from = at(t.target).error_from;
      const int value = result == Result::ok ? t.target : result == Result::error ? t.error_from : 0;
      emit(EventKind::await_, result, -1, t.target, value);
      return result == Result::ok ? Raise::none : result == Result::error ? Raise::error : Raise::cancelled;
    }
    case Wait::gather: {  // GA-RESUME, GA-VALUES, TK-ERR-ORIGIN
      const Gather& g = gathers_.at(t.gather_id);
      const Result result = cancel_now ? Result::cancelled : result_of(g.result);
      if (result == Result::error) t.error_from = g.error_from;
      const int value = result == Result::ok ? gathered_values(g) : result == Result::error ? t.error_from : 0;
      emit(EventKind::gather, result, -1, g.children.front(), value);
      return result == Result::ok ? Raise::none : result == Result::error ? Raise::error : Raise::cancelled;
    }
    case Wait::none:
      break;
  }
  impossible("t" + std::to_string(task) + " resumed without a wait");
}

// Runs ops until the task suspends or ends: TK-ERR (unwinding), TK-CATCH,
// TK-END, SC-EXIT, SC-UNWIND.
void ModelRun::run(TaskNumber task, Raise raise, bool advance) {
  Task& t = at(task);
  if (raise == Raise::none && advance) ++t.frames.back().pc;
  for (;;) {
    if (raise != Raise::none) {
      if (unwind(task, raise)) return;
      continue;
    }
    Frame& frame = t.frames.back();
    if (frame.pc == frame.ops->size()) {
      if (leave_frame(task)) return;
      continue;
    }
    switch (execute(task, (*frame.ops)[frame.pc])) {
      case Exec::next:
        ++t.frames.back().pc;
        break;
      case Exec::entered:
        break;
      case Exec::suspended:
        return;
      case Exec::error:
        raise = Raise::error;
        break;
      case Exec::cancelled:
        raise = Raise::cancelled;
        break;
    }
  }
}

// An error or CancelledError leaves the innermost frame (TK-ERR, SC-UNWIND,
// SC-EXIT-FREE, TK-CATCH, TK-ERR-ORIGIN). Clears `raise` when a try catches
// it; true when nothing did and the task ended.
bool ModelRun::unwind(TaskNumber task, Raise& raise) {
  Task& t = at(task);
  Frame frame = t.frames.back();
  if (frame.kind == FrameKind::top) {  // TK-ERR: nothing catches it (TK-ERR-ORIGIN)
    if (raise == Raise::error) {
      emit(EventKind::end, Result::error, -1, 0, t.error_from);
    } else {
      emit(EventKind::end, Result::cancelled);
    }
    finish(task, raise == Raise::error ? TaskEnd::error : TaskEnd::cancelled);
    return true;
  }
  t.frames.pop_back();
  if (frame.kind == FrameKind::scoped) {
    exit_scope(task, frame, true);  // SC-UNWIND, SC-EXIT-FREE
    return false;
  }
  if (frame.kind == FrameKind::timeout) {
    if (!exit_timeout(task, frame, raise)) return false;  // it goes on unwinding
    raise = Raise::none;                                  // WF-SCOPE: TimeoutError, caught
    ++t.frames.back().pc;
    return false;
  }
  if (raise == Raise::error) {  // TK-CATCH, TK-ERR-ORIGIN
    emit(EventKind::try_exit, Result::caught_error, -1, 0, t.error_from);
  } else {
    emit(EventKind::try_exit, Result::caught_cancelled);
  }
  raise = Raise::none;
  ++t.frames.back().pc;
  return false;
}

// The innermost frame ran its last op: TK-END, SC-EXIT, TK-CATCH. True when
// the task ended.
bool ModelRun::leave_frame(TaskNumber task) {
  Task& t = at(task);
  Frame done = t.frames.back();
  if (done.kind == FrameKind::top) {  // TK-END
    emit(EventKind::end, Result::ok);
    finish(task, std::exchange(t.must_cancel, false) ? TaskEnd::cancelled : TaskEnd::ok);
    return true;
  }
  t.frames.pop_back();
  if (done.kind == FrameKind::scoped) {
    exit_scope(task, done, false);  // SC-EXIT
  } else if (done.kind == FrameKind::timeout) {
    exit_timeout(task, done, Raise::none);  // WF-SCOPE
  } else {
    emit(EventKind::try_exit, Result::ok);  // TK-CATCH
  }
  ++t.frames.back().pc;
  return false;
}

// One op reached by a running task.
ModelRun::Exec ModelRun::execute(TaskNumber task, const Op& op) {
  Task& t = at(task);
  switch (op.kind) {
    case OpKind::acquire:
    case OpKind::scoped:
      return acquire(task, op);
    case OpKind::acquire_timeout:
      return acquire_timeout(task, op);
    case OpKind::release:
    case OpKind::try_acquire:
    case OpKind::guard_release:
      return execute_lock_op(task, op);
    case OpKind::yield:  // LP-YIELD
      suspend(task, Wait::yield);
      return Exec::suspended;
    case OpKind::sleep:
      if (op.arg <= 0) {  // LP-YIELD: sleep 0
        suspend(task, Wait::yield);
        return Exec::suspended;
      }
      arm(task, op.arg, TimerKind::sleep);  // LP-SLEEP
      t.fut = Fut::pending;
      suspend(task, Wait::sleep);
      return Exec::suspended;
    case OpKind::throw_:  // TK-ERR, TK-ERR-ORIGIN
      emit(EventKind::throw_, Result::error);
      t.error_from = task;
      return Exec::error;
    case OpKind::raise_cancelled:  // TK-RAISE-CANCELLED: the count is untouched
      emit(EventKind::throw_, Result::cancelled);
      return Exec::cancelled;
    case OpKind::cancel:
    case OpKind::uncancel:
    case OpKind::spawn:
    case OpKind::await_:
    case OpKind::gather:
      return execute_task_op(task, op);
    case OpKind::try_:  // TK-CATCH
      t.frames.push_back(Frame{&op.body, 0, FrameKind::try_});
      return Exec::entered;
    case OpKind::timeout:
      return enter_timeout(task, op);
  }
  impossible("unknown op");
}

// WF-ARM, WF-NONPOS
ModelRun::Exec ModelRun::acquire_timeout(TaskNumber task, const Op& op) {
  Task& t = at(task);
  if (op.arg > 0) {  // WF-ARM
    t.c0 = t.cancelling;
    t.expired = false;
    arm(task, op.arg, TimerKind::wait_for);
    return acquire(task, op);
  }
  return wait_nonpositive(task);
}

// WF-SCOPE: a timeout block is asyncio.timeout's `async with` around its body
// (what wait_for(BODY, T) is for T > 0); for T <= 0 the body never runs
// (WF-NONPOS).
ModelRun::Exec ModelRun::enter_timeout(TaskNumber task, const Op& op) {
  Task& t = at(task);
  emit(EventKind::timeout_enter, Result::ok);
  if (op.arg <= 0) return wait_nonpositive(task);
  Frame frame{&op.body, 0, FrameKind::timeout};
  frame.c0 = t.cancelling;  // WF-ARM
  t.frames.push_back(frame);
  t.frames.back().timer = arm(task, op.arg, TimerKind::block, t.frames.size() - 1);
  return Exec::entered;
}

// WF-SCOPE, WF-EXIT: the block is left, normally or by an exception in
// flight: its deadline is dropped and, if it passed, the block's own
// cancellation withdrawn. True when it turns the CancelledError into a
// TimeoutError, which the block catches.
bool ModelRun::exit_timeout(TaskNumber task, Frame& frame, Raise raise) {
  Task& t = at(task);
  if (frame.timer) timers_.erase(*frame.timer);
  frame.timer.reset();
  const bool timed_out = frame.expired && uncancel(task) <= frame.c0 && raise == Raise::cancelled;
  const Result result = timed_out               ? Result::timeout
                        : raise == Raise::none  ? Result::ok
                        : raise == Raise::error ? Result::error
                                                : Result::cancelled;
  emit(EventKind::timeout_exit, result, -1, 0, result == Result::error ? t.error_from : 0);
  return timed_out;
}

// WF-NONPOS
ModelRun::Exec ModelRun::wait_nonpositive(TaskNumber task) {
  Task& t = at(task);
  t.zero_serial = ++zero_serial_;
  t.zero_registered = true;
  t.fut = Fut::pending;
  push({EntryKind::timeout_inner, task}, Slot{0, 0, t.zero_serial});
  suspend(task, Wait::zero);
  return Exec::suspended;
}

// The lock ops that never wait: LK-REL, LK-TRY, SC-EARLY.
ModelRun::Exec ModelRun::execute_lock_op(TaskNumber task, const Op& op) {
  switch (op.kind) {
    case OpKind::release: {  // LK-REL
      const bool locked = lock(op.lock).locked();
      if (locked) release(op.lock);
      emit(EventKind::release, locked ? Result::ok : Result::not_acquired, op.lock);
      return Exec::next;
    }
    case OpKind::try_acquire: {  // LK-TRY
      LockTable& l = lock(op.lock);
      const bool yes = l.can_take_at_once();
      if (yes) l.take(std::nullopt);
      emit(EventKind::try_acquire, yes ? Result::yes : Result::no, op.lock);
      return Exec::next;
    }
    default: {  // guard_release, SC-EARLY
      Task& t = at(task);
      Frame* scope = nullptr;
      for (auto it = t.frames.rbegin(); it != t.frames.rend() && scope == nullptr; ++it) {
        if (it->kind == FrameKind::scoped) scope = &*it;
      }
      if (scope == nullptr) impossible("guard_release outside a scoped block in task " + std::to_string(task));
      const bool releases = scope->engaged && lock(scope->lock).locked();
      if (releases) release(scope->lock);
      scope->engaged = false;
      emit(EventKind::guard_release, releases ? Result::ok : Result::not_acquired, scope->lock);
      return Exec::next;
    }
  }
}

// The ops on other tasks: CN-REQ, CN-UNCANCEL, TK-SPAWN, TK-JOIN, GA-START.
ModelRun::Exec ModelRun::execute_task_op(TaskNumber task, const Op& op) {
  Task& t = at(task);
  switch (op.kind) {
    case OpKind::cancel: {  // CN-REQ
      const bool yes = cancel(op.arg);
      emit(EventKind::cancel, yes ? Result::yes : Result::no, -1, op.arg);
      return Exec::next;
    }
    case OpKind::uncancel:  // CN-UNCANCEL: task K's, or (no K) the running task's
      emit(EventKind::uncancel, Result::ok, -1, op.arg, uncancel(op.arg != 0 ? op.arg : task));
      return Exec::next;
    case OpKind::spawn:  // TK-SPAWN
      spawn(op.arg);
      emit(EventKind::spawn, Result::ok, -1, op.arg);
      return Exec::next;
    case OpKind::await_:
      return join(task, op);
    default: {  // gather, GA-START
      const std::size_t id = gathers_.size();
      gathers_.push_back(Gather{task, op.tasks});
      for (const TaskNumber child : op.tasks) {
        spawn(child);
        at(child).retrieved = true;  // TK-UNRETRIEVED: gather's callback takes every child's outcome
        at(child).callbacks.push_back({true, task, id});
      }
      t.gather_id = id;
      suspend(task, Wait::gather);
      return Exec::suspended;
    }
  }
}

// TK-JOIN, TK-VALUE, TK-ERR-ORIGIN
ModelRun::Exec ModelRun::join(TaskNumber task, const Op& op) {
  Task& t = at(task);
  Task& j = at(op.arg);
  if (j.status == TaskStatus::unspawned) {
    emit(EventKind::await_, Result::not_started, -1, op.arg);
    return Exec::next;
  }
  if (j.status == TaskStatus::done) {  // TK-VALUE, TK-ERR-ORIGIN
    j.retrieved = true;                // TK-UNRETRIEVED
    const Result result = result_of(j.end);
    if (result == Result::error) t.error_from = j.error_from;
    const int value = result == Result::ok ? op.arg : result == Result::error ? j.error_from : 0;
    emit(EventKind::await_, result, -1, op.arg, value);
    return result == Result::ok ? Exec::next : result == Result::error ? Exec::error : Exec::cancelled;
  }
  j.callbacks.push_back({false, task, 0});
  t.target = op.arg;
  suspend(task, Wait::join);
  return Exec::suspended;
}

// LK-ACQ, LK-ACQ-FAST, LK-ACQ-WAIT (for acquire, scoped and acquire_timeout T > 0)
ModelRun::Exec ModelRun::acquire(TaskNumber task, const Op& op) {
  LockTable& l = lock(op.lock);
  if (l.can_take_at_once()) {
    l.take(task);
    return complete_lock_op(task, op, false);
  }
  l.enqueue(task);
  suspend(task, Wait::lock);
  return Exec::suspended;
}

// The acquire is over (taken, or raised CancelledError): LK-ACQ, SC-ENTER,
// WF-FAST, WF-EXIT, WF-OUTSIDE.
ModelRun::Exec ModelRun::complete_lock_op(TaskNumber task, const Op& op, bool raised) {
  Task& t = at(task);
  switch (op.kind) {
    case OpKind::acquire:
      emit(EventKind::acquire, raised ? Result::cancelled : Result::ok, op.lock);
      return raised ? Exec::cancelled : Exec::next;
    case OpKind::scoped:
      emit(EventKind::scope_enter, raised ? Result::cancelled : Result::ok, op.lock);
      if (raised) return Exec::cancelled;
      t.frames.push_back(Frame{&op.body, 0, FrameKind::scoped, op.lock, true});
      return Exec::entered;
    case OpKind::acquire_timeout: {
      disarm(task);
      Result result = raised ? Result::cancelled : Result::ok;
      if (t.expired) {
        t.expired = false;
        const int n = uncancel(task);
        if (raised && n <= t.c0) result = Result::timeout;
      }
      emit(EventKind::acquire_timeout, result, op.lock);
      return result == Result::cancelled ? Exec::cancelled : Exec::next;
    }
    default:
      impossible("a lock wait at a " + std::string(name_of(op.kind)));
  }
}

// SC-EXIT, SC-UNWIND, SC-EXIT-FREE
void ModelRun::exit_scope(TaskNumber task, const Frame& frame, bool unwinding) {
  (void)task;
  Result result = Result::skipped;
  if (frame.engaged) {
    if (lock(frame.lock).locked()) {
      release(frame.lock);
      result = Result::released;
    } else if (!unwinding) {
      result = Result::not_acquired;
    }
  }
  emit(EventKind::scope_exit, result, frame.lock);
}

// LK-REL's effect on a locked lock, LK-WAKE.
void ModelRun::release(int lock_index) {
  std::optional<TaskNumber> woke;
  if (!lock(lock_index).release(woke)) impossible("release of a free lock");
  if (woke) wake(*woke);
}

// TK-END, TK-ERR, TK-DONE-CB
void ModelRun::finish(TaskNumber task, TaskEnd end) {
  Task& t = at(task);
  t.status = TaskStatus::done;
  t.end = end;
  t.frames.clear();
  t.wait = Wait::none;
  t.must_cancel = false;
  for (const DoneCallback& cb : std::exchange(t.callbacks, {})) {
    if (cb.gather) {
      push({EntryKind::gather_done, cb.task}, Slot{cb.gather_id, task, 0});
    } else {
      const Task& waiting = at(cb.task);
      if (waiting.wait != Wait::join || waiting.status != TaskStatus::parked) impossible("a joiner that is not parked");
      wake(cb.task);
    }
  }
}

// TK-SUSPEND, LP-YIELD
void ModelRun::suspend(TaskNumber task, Wait wait) {
  Task& t = at(task);
  t.wait = wait;
  if (wait == Wait::yield) {
    wake(task);
  } else {
    t.status = TaskStatus::parked;
  }
  if (t.must_cancel && cancel_wait(task)) t.must_cancel = false;
}

// CN-REQ
bool ModelRun::cancel(TaskNumber task) {
  Task& t = at(task);
  if (t.status == TaskStatus::unspawned || t.status == TaskStatus::done) return false;
  ++t.cancelling;
  if (cancel_wait(task)) return true;
  t.must_cancel = true;
  return true;
}

// CN-WAIT, GA-CANCEL: cancel the task's wait object; true if that succeeded.
bool ModelRun::cancel_wait(TaskNumber task) {
  Task& t = at(task);
  switch (t.wait) {
    case Wait::none:
    case Wait::yield:
      return false;
    case Wait::lock: {
      LockTable& l = lock(current(t).lock);
      if (l.state_of(task) != LockTable::Waiter::pending) return false;
      l.cancel_pending(task);
      wake(task);
      return true;
    }
    case Wait::sleep:
    case Wait::zero:
      if (t.fut != Fut::pending) return false;
      t.fut = Fut::cancelled;
      wake(task);
      return true;
    case Wait::join:
      if (at(t.target).status == TaskStatus::done) return false;
      return cancel(t.target);
    case Wait::gather: {
      Gather& g = gathers_.at(t.gather_id);
      if (g.settled) return false;
      bool any = false;
      for (const TaskNumber child : g.children) {
        if (cancel(child)) any = true;
      }
      if (any) g.cancel_requested = true;
      return any;
    }
  }
  return false;
}

// CN-UNCANCEL (3.13: reaching 0 withdraws the pending cancel, VR-UNCANCEL)
int ModelRun::uncancel(TaskNumber task) {
  Task& t = at(task);
  if (t.cancelling > 0) {
    --t.cancelling;
    if (t.cancelling == 0) t.must_cancel = false;
  }
  return t.cancelling;
}

// TM-ORDER. A sleep's and an acquire_timeout's key is kept in the task, a
// timeout block's in its frame (returned).
std::pair<long, long> ModelRun::arm(TaskNumber task, long delay, TimerKind kind, std::size_t frame) {
  const std::pair<long, long> key{now_ + delay, timer_seq_++};
  timers_[key] = Timer{task, kind, frame};
  if (kind != TimerKind::block) at(task).timer = key;
  return key;
}

void ModelRun::disarm(TaskNumber task) {
  Task& t = at(task);
  if (t.timer) timers_.erase(*t.timer);
  t.timer.reset();
}

// GA-TURN
void ModelRun::gather_done(std::size_t gather_id, TaskNumber child) {
  Gather& g = gathers_.at(gather_id);
  ++g.finished;
  if (g.settled) return;
  const TaskEnd end = at(child).end;
  if (end == TaskEnd::cancelled) {
    settle(g, TaskEnd::cancelled);
  } else if (end == TaskEnd::error) {
    g.error_from = at(child).error_from;  // TK-ERR-ORIGIN
    settle(g, TaskEnd::error);
  } else if (g.finished == g.children.size()) {
    settle(g, g.cancel_requested ? TaskEnd::cancelled : TaskEnd::ok);
  }
}

void ModelRun::settle(Gather& gather, TaskEnd result) {
  const Task& parent = at(gather.parent);
  if (parent.wait != Wait::gather || parent.status != TaskStatus::parked)
    impossible("a gather settled while its task is not parked");
  gather.settled = true;
  gather.result = result;
  wake(gather.parent);
}

// GA-VALUES: each child's value (TK-VALUE: its number), in the order given,
// as decimal digits.
int ModelRun::gathered_values(const Gather& gather) {
  int digits = 0;
  for (const TaskNumber child : gather.children) digits = digits * 10 + child;
  return digits;
}

// TK-UNRETRIEVED
std::vector<TaskNumber> ModelRun::unretrieved() const {
  std::vector<TaskNumber> out;
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].end == TaskEnd::error && !tasks_[i].retrieved) out.push_back(static_cast<TaskNumber>(i + 1));
  }
  return out;
}

std::vector<TaskNumber> ModelRun::unfinished() const {
  std::vector<TaskNumber> out;
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].status != TaskStatus::unspawned && tasks_[i].status != TaskStatus::done) {
      out.push_back(static_cast<TaskNumber>(i + 1));
    }
  }
  return out;
}

}  // namespace lockstep::model
