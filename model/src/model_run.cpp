#include "lockstep/model/model_run.hpp"

#include <stdexcept>
#include <string>

namespace lockstep::model {

ModelRun::ModelRun(Program program) : program_(std::move(program)), tasks_(program_.tasks.size()) {
  validate(program_);
  const std::vector<bool> at_once = program_.starts_at_once();
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    if (at_once[i]) tasks_[i].status = Status::ready;
  }
}

// ---- the loop (SPEC §1) ----

bool ModelRun::prepare_step() {
  fire_due_timers();
  while (ready().empty()) {
    if (timers_.empty()) return false;
    now_ = timers_.begin()->first.deadline;  // the clock jumps
    fire_due_timers();
  }
  return true;
}

std::vector<TaskNumber> ModelRun::ready() const {
  std::vector<TaskNumber> out;
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].status == Status::ready) out.push_back(static_cast<TaskNumber>(i + 1));
  }
  return out;
}

std::vector<TaskNumber> ModelRun::unfinished() const {
  std::vector<TaskNumber> out;
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].status != Status::unspawned && tasks_[i].status != Status::done) {
      out.push_back(static_cast<TaskNumber>(i + 1));
    }
  }
  return out;
}

void ModelRun::fire_due_timers() {
  while (!timers_.empty() && timers_.begin()->first.deadline <= now_) {
    const Timer timer = timers_.begin()->second;
    timers_.erase(timers_.begin());
    at(timer.task).timer.reset();
    if (timer.cancels) {
      at(timer.task).timeout_expired = true;
      cancel(timer.task);
    } else {
      make_ready(timer.task);
    }
  }
}

void ModelRun::arm_timer(TaskNumber task, long delay, bool cancels) {
  const TimerKey key{now_ + delay, next_timer_seq_++};
  timers_.emplace(key, Timer{task, cancels});
  at(task).timer = key;
}

void ModelRun::disarm_timer(TaskNumber task) {
  if (auto& key = at(task).timer) {
    timers_.erase(*key);
    key.reset();
  }
}

void ModelRun::make_ready(TaskNumber task) {
  Task& t = at(task);
  if (t.status != Status::parked) throw std::logic_error("model: woke a task that is not parked");
  t.status = Status::ready;
}

void ModelRun::park(TaskNumber task, Await awaiting) {
  Task& t = at(task);
  t.status = Status::parked;
  t.awaiting = awaiting;
  // A cancellation requested while running lands on the first await that suspends.
  if (t.cancel_pending) {
    interrupt(task);
    t.status = Status::ready;
  }
}

// The task is parked at a lock or a sleep: cancel that await.
void ModelRun::interrupt(TaskNumber task) {
  if (at(task).awaiting == Await::lock) {
    lock_.cancel_pending(task);
  } else {
    disarm_timer(task);
  }
}

bool ModelRun::cancel(TaskNumber task) {
  Task& t = at(task);
  if (t.status == Status::unspawned || t.status == Status::done) return false;
  ++t.cancel_requests;
  t.cancel_pending = true;
  if (t.status == Status::parked) {
    interrupt(task);
    t.status = Status::ready;
  }
  return true;
}

int ModelRun::uncancel(TaskNumber task) {
  Task& t = at(task);
  if (t.cancel_requests > 0) --t.cancel_requests;
  if (t.cancel_requests == 0) t.cancel_pending = false;
  return t.cancel_requests;
}

// ---- one step ----

StepRecord ModelRun::step(TaskNumber task) {
  StepRecord record;
  record.now = now_;
  record.ready = ready();
  record.task = task;
  Task& t = at(task);
  if (t.status != Status::ready) throw std::logic_error("model: step of a task that is not ready");
  events_.clear();
  t.status = Status::running;
  if (!t.started && t.cancel_pending) {
    // Cancelled before it ever ran: it ends without running its body.
    t.status = Status::done;
    t.end = TaskEnd::cancelled;
  } else {
    Flow flow = Flow::normal;
    if (t.started) {
      flow = resume(task);
    }
    t.started = true;
    while (t.status == Status::running) {
      if (flow != Flow::normal) {
        if (t.body_pc) exit_scope(task);  // the guard runs while unwinding
        finish(task, flow);
        break;
      }
      const Op* op = current_op(task);
      if (op == nullptr && t.body_pc) {
        exit_scope(task);  // the body ran to its end
        continue;
      }
      if (op == nullptr) {
        finish(task, Flow::normal);
        break;
      }
      if (!start(task, *op, flow)) break;
    }
  }
  record.events = std::move(events_);
  events_.clear();
  record.waits_at = waits_at(task);
  record.locked = lock_.locked();
  record.live_waiters = lock_.live_waiters();
  record.holder = lock_.holder();
  return record;
}

const Op* ModelRun::current_op(TaskNumber task) const {
  const Task& t = at(task);
  const auto& ops = program_.tasks[static_cast<std::size_t>(task) - 1].ops;
  if (t.pc >= ops.size()) return nullptr;
  if (!t.body_pc) return &ops[t.pc];
  const auto& body = ops[t.pc].body;
  return *t.body_pc < body.size() ? &body[*t.body_pc] : nullptr;
}

void ModelRun::advance(TaskNumber task) {
  Task& t = at(task);
  if (t.body_pc) {
    ++*t.body_pc;
  } else {
    ++t.pc;
  }
}

std::string ModelRun::waits_at(TaskNumber task) const {
  const Task& t = at(task);
  if (t.status == Status::done || t.status == Status::unspawned) return "";
  const Op* op = current_op(task);
  return op == nullptr ? "" : std::string(name_of(op->kind));
}

// Completes the op the task was suspended at; emits its event.
ModelRun::Flow ModelRun::resume(TaskNumber task) {
  Task& t = at(task);
  const Op& op = *current_op(task);
  const std::string name(name_of(op.kind));
  const Await awaiting = std::exchange(t.awaiting, Await::none);
  const bool cancelled = take_cancellation(task);
  if (awaiting != Await::lock) {  // yield or sleep
    emit(cancelled ? name + "!cancelled" : name);
    if (cancelled) return Flow::cancelled;
    advance(task);
    return Flow::normal;
  }
  if (const auto woke = lock_.waiter_runs(task, cancelled)) make_ready(*woke);
  switch (op.kind) {
    case OpKind::acquire:
      emit(cancelled ? "acquire!cancelled" : "acquire");
      if (cancelled) return Flow::cancelled;
      advance(task);
      return Flow::normal;
    case OpKind::scoped:
      emit(cancelled ? "scoped!cancelled" : "scoped");
      if (cancelled) return Flow::cancelled;
      t.body_pc = 0;
      return Flow::normal;
    case OpKind::acquire_timeout: {
      disarm_timer(task);
      // asyncio.timeout: withdraw our own cancellation; a timeout only if no
      // other cancellation is outstanding.
      const bool timed_out = t.timeout_expired && uncancel(task) <= t.cancelling_before && cancelled;
      t.timeout_expired = false;
      if (timed_out) {
        emit("acquire_timeout!timeout");
      } else {
        emit(cancelled ? "acquire_timeout!cancelled" : "acquire_timeout");
        if (cancelled) return Flow::cancelled;
      }
      advance(task);
      return Flow::normal;
    }
    default:
      throw std::logic_error("model: resumed at an op that does not wait for the lock");
  }
}

// Starts an op. Returns false if the task suspended at it.
bool ModelRun::start(TaskNumber task, const Op& op, Flow& flow) {
  Task& t = at(task);
  switch (op.kind) {
    case OpKind::acquire:
    case OpKind::scoped:
    case OpKind::acquire_timeout:
      if (op.kind == OpKind::acquire_timeout) {
        t.cancelling_before = t.cancel_requests;
        t.timeout_expired = false;
        arm_timer(task, op.arg, /*cancels=*/true);
      }
      if (!lock_.can_take_at_once()) {
        lock_.enqueue(task);
        park(task, Await::lock);
        return false;
      }
      lock_.take(task);  // not a scheduling point, not a cancellation point
      if (op.kind == OpKind::scoped) {
        emit("scoped");
        t.body_pc = 0;
        return true;
      }
      if (op.kind == OpKind::acquire_timeout) disarm_timer(task);
      emit(std::string(name_of(op.kind)));
      break;
    case OpKind::release: {
      std::optional<TaskNumber> woke;
      if (lock_.release(woke)) {
        if (woke) make_ready(*woke);
        emit("release");
      } else {
        emit("release!not-acquired");
      }
      break;
    }
    case OpKind::try_acquire:
      if (lock_.can_take_at_once()) {
        lock_.take(std::nullopt);
        emit("try_acquire=1");
      } else {
        emit("try_acquire=0");
      }
      break;
    case OpKind::yield:
      t.awaiting = Await::yield;
      t.status = Status::ready;
      return false;
    case OpKind::sleep:
      if (op.arg <= 0) {  // sleep(0) is yield_now()
        t.awaiting = Await::yield;
        t.status = Status::ready;
        return false;
      }
      arm_timer(task, op.arg, /*cancels=*/false);
      park(task, Await::sleep);
      return false;
    case OpKind::throw_:
      emit("throw");
      flow = Flow::error;
      return true;
    case OpKind::cancel:
      emit("cancel " + std::to_string(op.arg) + (cancel(op.arg) ? "=1" : "=0"));
      break;
    case OpKind::spawn:
      at(op.arg).status = Status::ready;
      emit("spawn " + std::to_string(op.arg));
      break;
  }
  advance(task);
  return true;
}

// Leaving a scoped block, normally or while unwinding (SPEC §3): the guard
// releases a held lock; a free lock (released by hand elsewhere) raises
// LockNotAcquired, which the program's interpreter reports and goes on from,
// or, while unwinding, is skipped.
void ModelRun::exit_scope(TaskNumber task) {
  std::optional<TaskNumber> woke;
  if (lock_.release(woke)) {
    if (woke) make_ready(*woke);
    emit("/scoped");
  } else {
    emit("/scoped!not-acquired");
  }
  Task& t = at(task);
  t.body_pc.reset();
  ++t.pc;
}

void ModelRun::finish(TaskNumber task, Flow flow) {
  Task& t = at(task);
  t.status = Status::done;
  switch (flow) {
    case Flow::normal:
      emit("end=ok");
      // A cancellation still pending when the task returns wins (asyncio).
      t.end = t.cancel_pending ? TaskEnd::cancelled : TaskEnd::ok;
      break;
    case Flow::error:
      emit("end=error");
      t.end = TaskEnd::error;
      break;
    case Flow::cancelled:
      emit("end=cancelled");
      t.end = TaskEnd::cancelled;
      break;
  }
}

}  // namespace lockstep::model
