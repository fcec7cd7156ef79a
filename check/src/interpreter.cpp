#include "interpreter.hpp"

#include <chrono>
#include <exception>

#include "lockstep/wait_for.hpp"

namespace lockstep::check {

using model::EventKind;
using model::Op;
using model::OpKind;
using model::Result;

namespace {
Duration seconds(int n) { return std::chrono::seconds(n); }
}  // namespace

Interpreter::Interpreter(const model::Program& program, EventLoop& loop, std::vector<LockUnderTest*> locks,
                         int& live_frames, std::vector<int>* torn_down)
    : program_(program),
      loop_(loop),
      live_frames_(live_frames),
      torn_down_(torn_down),
      locks_(std::move(locks)),
      handles_(program.tasks.size() + 1),
      waits_at_(program.tasks.size() + 1),
      guards_(program.tasks.size() + 1),
      holders_(locks_.size(), 0),
      peak_holders_(locks_.size(), 0) {
  numbers_.reserve(program.tasks.size());
}

void Interpreter::spawn_initial_tasks() {
  const std::vector<bool> at_once = program_.starts_at_once();
  for (std::size_t i = 0; i < at_once.size(); ++i) {
    if (at_once[i]) spawn(static_cast<int>(i) + 1);
  }
}

std::optional<int> Interpreter::number_if_known(TaskId id) const {
  for (const auto& [known, number] : numbers_) {
    if (known == id) return number;
  }
  return std::nullopt;
}

void Interpreter::acquired(int lock) {
  const auto i = static_cast<std::size_t>(lock);
  peak_holders_.at(i) = std::max(peak_holders_.at(i), ++holders_.at(i));
}

void Interpreter::spawn(int task) {
  auto& handle = handles_.at(static_cast<std::size_t>(task));
  handle = loop_.spawn(run_task(task, LiveFrame(live_frames_), TeardownWitness(loop_, torn_down_, task)),
                       "task " + std::to_string(task));
  numbers_.emplace_back(handle.id(), task);
}

Task<int> Interpreter::run_task(int task, LiveFrame /*live*/, TeardownWitness /*witness*/) {
  auto& waits = waits_at_[static_cast<std::size_t>(task)];
  try {
    co_await run_ops(task, program_.tasks[static_cast<std::size_t>(task) - 1].ops);
  } catch (const CancelledError&) {
    waits.reset();
    log(EventKind::end, Result::cancelled);
    throw;
  } catch (const TaskError& error) {
    waits.reset();
    log(EventKind::end, Result::error, -1, 0, error.task);
    throw;
  } catch (const std::exception& e) {
    waits.reset();
    unexpected_error_ = "task " + std::to_string(task) + " ended with an unexpected exception: " + e.what();
    log(EventKind::end, Result::error);
    throw;
  }
  waits.reset();
  log(EventKind::end, Result::ok);
  co_return task;
}

Task<> Interpreter::run_ops(int task, const Ops& ops, LiveFrame /*live*/) {
  for (const Op& op : ops) {
    waits_at_[static_cast<std::size_t>(task)] = op.kind;
    switch (op.kind) {
      case OpKind::acquire:
      case OpKind::acquire_timeout:
        co_await run_lock_wait(task, op);
        break;
      case OpKind::scoped:
        co_await run_scoped(task, op);
        break;
      case OpKind::try_:
        co_await run_try(task, op);
        break;
      case OpKind::timeout:
        co_await run_timeout(task, op);
        break;
      case OpKind::yield:
      case OpKind::sleep:
        co_await run_pause(task, op);
        break;
      case OpKind::await_:
        co_await run_await(task, op);
        break;
      case OpKind::gather:
        co_await run_gather(task, op);
        break;
      default:
        run_instant(task, op);
        break;
    }
  }
}

// acquire [LK-ACQ] and acquire_timeout [WF-*].
Task<> Interpreter::run_lock_wait(int task, const Op& op) {
  (void)task;
  const EventKind kind = op.kind == OpKind::acquire ? EventKind::acquire : EventKind::acquire_timeout;
  bool timed_out = false;
  try {
    if (op.kind == OpKind::acquire) {
      co_await lock(op.lock).acquire();
    } else {
      co_await lock(op.lock).acquire_for(seconds(op.arg));
    }
  } catch (const TimeoutError&) {
    timed_out = true;
  } catch (const CancelledError&) {
    log(kind, Result::cancelled, op.lock);
    throw;
  }
  if (timed_out) {
    log(kind, Result::timeout, op.lock);
    co_return;
  }
  log(kind, Result::ok, op.lock);
  acquired(op.lock);
}

// yield [LP-YIELD] and sleep [LP-SLEEP].
Task<> Interpreter::run_pause(int task, const Op& op) {
  (void)task;
  const EventKind kind = op.kind == OpKind::yield ? EventKind::yield : EventKind::sleep;
  try {
    if (op.kind == OpKind::yield) {
      co_await yield_now();
    } else {
      co_await sleep(seconds(op.arg));
    }
  } catch (const CancelledError&) {
    log(kind, Result::cancelled);
    throw;
  }
  log(kind, Result::ok);
}

// scoped [SC-*]: the guard's exit is observed through the probe.
Task<> Interpreter::run_scoped(int task, const Op& op) {
  ScopeProbe probe;
  const int l = op.lock;
  // One pointer: small enough for std::function to keep without allocating.
  struct Call {
    Interpreter* self;
    int task;
    const Op* op;
  } call{this, task, &op};
  auto body = [&call](std::function<void()> release) -> Task<> {
    return call.self->run_body(call.task, *call.op, std::move(release));
  };
  bool not_acquired = false;
  try {
    co_await lock(l).scoped(body, probe);
  } catch (const LockNotAcquired&) {
    if (!probe.acquired) throw;
    not_acquired = true;  // the guard found the lock free at a normal exit [SC-EXIT-FREE]
  } catch (...) {
    if (probe.acquired) {
      log_scope_exit(l, probe);
    } else {
      log(EventKind::scope_enter, Result::cancelled, l);
    }
    throw;
  }
  if (not_acquired) {
    log(EventKind::scope_exit, Result::not_acquired, l);
  } else {
    log_scope_exit(l, probe);
  }
}

Task<> Interpreter::run_body(int task, const Op& op, std::function<void()> release) {
  const int l = op.lock;
  log(EventKind::scope_enter, Result::ok, l);
  acquired(l);
  auto& guards = guards_[static_cast<std::size_t>(task)];
  guards.push_back({l, std::move(release)});
  try {
    co_await run_ops(task, op.body);
  } catch (...) {
    guards.pop_back();
    throw;
  }
  guards.pop_back();
}

void Interpreter::log_scope_exit(int l, const ScopeProbe& probe) {
  if (probe.engaged_before_exit && probe.locked_before_exit && !probe.locked_after_exit) {
    log(EventKind::scope_exit, Result::released, l);
    released(l);
  } else {
    // Released early, or free while unwinding, or (a broken guard) kept.
    log(EventKind::scope_exit, Result::skipped, l);
  }
}

// [SC-EARLY]
void Interpreter::guard_release(int task) {
  auto& guard = guards_[static_cast<std::size_t>(task)].back();
  try {
    guard.release();
    log(EventKind::guard_release, Result::ok, guard.lock);
    released(guard.lock);
  } catch (const LockNotAcquired&) {
    log(EventKind::guard_release, Result::not_acquired, guard.lock);
  }
}

// try [TK-CATCH]
Task<> Interpreter::run_try(int task, const Op& op) {
  Result result = Result::ok;
  int origin = 0;  // [TK-ERR-ORIGIN]
  try {
    co_await run_ops(task, op.body);
  } catch (const TaskError& error) {
    result = Result::caught_error;
    origin = error.task;
  } catch (const CancelledError&) {
    result = Result::caught_cancelled;
  }
  log(EventKind::try_exit, result, -1, 0, origin);
}

// timeout [WF-SCOPE]: wait_for(BODY, T), BODY a coroutine in this task; the
// TimeoutError is caught, an error or CancelledError goes on up.
Task<> Interpreter::run_timeout(int task, const Op& op) {
  log(EventKind::timeout_enter, Result::ok);
  bool timed_out = false;
  try {
    co_await wait_for(run_ops(task, op.body), seconds(op.arg));
  } catch (const TimeoutError&) {
    timed_out = true;
  } catch (const TaskError& error) {
    log(EventKind::timeout_exit, Result::error, -1, 0, error.task);
    throw;
  } catch (const CancelledError&) {
    log(EventKind::timeout_exit, Result::cancelled);
    throw;
  }
  log(EventKind::timeout_exit, timed_out ? Result::timeout : Result::ok);
}

// await [TK-JOIN]
Task<> Interpreter::run_await(int task, const Op& op) {
  (void)task;
  const TaskHandle<int>& target = handles_.at(static_cast<std::size_t>(op.arg));
  if (!target.valid()) {
    log(EventKind::await_, Result::not_started, -1, op.arg);
    co_return;
  }
  int value = 0;
  try {
    value = co_await target;
  } catch (const TaskError& error) {
    log(EventKind::await_, Result::error, -1, op.arg, error.task);
    throw;
  } catch (const CancelledError&) {
    log(EventKind::await_, Result::cancelled, -1, op.arg);
    throw;
  }
  log(EventKind::await_, Result::ok, -1, op.arg, value);
}

// gather [GA-*]: the children start in order, then the task waits for them.
Task<> Interpreter::run_gather(int task, const Op& op) {
  (void)task;
  std::vector<TaskHandle<int>> children;
  for (int child : op.tasks) {
    spawn(child);
    children.push_back(handles_.at(static_cast<std::size_t>(child)));
  }
  const int first = op.tasks.front();
  std::vector<int> values;
  try {
    values = co_await gather(std::move(children));
  } catch (const TaskError& error) {
    log(EventKind::gather, Result::error, -1, first, error.task);
    throw;
  } catch (const CancelledError&) {
    log(EventKind::gather, Result::cancelled, -1, first);
    throw;
  }
  int digits = 0;  // [GA-VALUES]: the values in the order given
  for (const int v : values) digits = digits * 10 + v;
  log(EventKind::gather, Result::ok, -1, first, digits);
}

void Interpreter::run_instant(int task, const Op& op) {
  switch (op.kind) {
    case OpKind::release:  // [LK-REL]
      try {
        lock(op.lock).release();
        log(EventKind::release, Result::ok, op.lock);
        released(op.lock);
      } catch (const LockNotAcquired&) {
        log(EventKind::release, Result::not_acquired, op.lock);
      }
      break;
    case OpKind::try_acquire:  // [LK-TRY]
      if (lock(op.lock).try_acquire()) {
        log(EventKind::try_acquire, Result::yes, op.lock);
        acquired(op.lock);
      } else {
        log(EventKind::try_acquire, Result::no, op.lock);
      }
      break;
    case OpKind::guard_release:
      guard_release(task);
      break;
    case OpKind::throw_:  // [TK-ERR]
      log(EventKind::throw_, Result::error);
      throw TaskError{task};
    case OpKind::raise_cancelled:  // [TK-RAISE-CANCELLED] a CancelledError of the program's own
      log(EventKind::throw_, Result::cancelled);
      throw CancelledError{};
    case OpKind::cancel: {  // [CN-CANCEL]
      TaskHandle<int>& target = handles_.at(static_cast<std::size_t>(op.arg));
      const bool cancelled = target.valid() && target.cancel();
      log(EventKind::cancel, cancelled ? Result::yes : Result::no, -1, op.arg);
      break;
    }
    case OpKind::uncancel: {  // [CN-UNCANCEL] task K's, or (no K) the running task's; DV-UNSPAWNED: 0
      TaskHandle<int>& target = handles_.at(static_cast<std::size_t>(op.arg != 0 ? op.arg : task));
      log(EventKind::uncancel, Result::ok, -1, op.arg, target.valid() ? target.uncancel() : 0);
      break;
    }
    case OpKind::spawn:  // [TK-SPAWN]
      spawn(op.arg);
      log(EventKind::spawn, Result::ok, -1, op.arg);
      break;
    default:
      throw std::logic_error("interpreter: not an instant op");
  }
}

}  // namespace lockstep::check
