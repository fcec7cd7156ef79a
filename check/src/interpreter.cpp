#include "interpreter.hpp"

#include <chrono>
#include <exception>

namespace lockstep::check {

using model::Op;
using model::OpKind;

namespace {
Duration ticks(int n) { return std::chrono::seconds(n); }
}  // namespace

Interpreter::Interpreter(const model::Program& program, EventLoop& loop, LockUnderTest& lock)
    : program_(program),
      loop_(loop),
      lock_(lock),
      handles_(program.tasks.size() + 1),
      waits_at_(program.tasks.size() + 1) {}

void Interpreter::spawn_initial_tasks() {
  const std::vector<bool> at_once = program_.starts_at_once();
  for (std::size_t i = 0; i < at_once.size(); ++i) {
    if (at_once[i]) spawn(static_cast<int>(i) + 1);
  }
}

std::optional<int> Interpreter::number_if_known(TaskId id) const {
  const auto it = numbers_.find(id);
  if (it == numbers_.end()) return std::nullopt;
  return it->second;
}

void Interpreter::spawn(int task) {
  auto& handle = handles_.at(static_cast<std::size_t>(task));
  handle = loop_.spawn(run_task(task), "task " + std::to_string(task));
  numbers_[handle.id()] = task;
}

Task<> Interpreter::run_task(int task) {
  try {
    co_await run_ops(task, program_.tasks[static_cast<std::size_t>(task) - 1].ops);
  } catch (const CancelledError&) {
    waits_at_[static_cast<std::size_t>(task)].clear();
    log("end=cancelled");
    throw;
  } catch (const TaskError&) {
    waits_at_[static_cast<std::size_t>(task)].clear();
    log("end=error");
    throw;
  } catch (const std::exception& e) {
    waits_at_[static_cast<std::size_t>(task)].clear();
    unexpected_error_ = "task " + std::to_string(task) + " ended with an unexpected exception: " + e.what();
    log("end=error");
    throw;
  }
  waits_at_[static_cast<std::size_t>(task)].clear();
  log("end=ok");
}

Task<> Interpreter::run_body(int task, const std::vector<Op>& body) {
  log("scoped");
  acquired();
  co_await run_ops(task, body);
}

void Interpreter::log_scope_exit(const ScopeProbe& probe) {
  if (!probe.locked_before_exit) {
    log("/scoped!not-acquired");  // released elsewhere (no owner); SPEC §3
  } else if (!probe.locked_after_exit) {
    log("/scoped");
    --holders_;
  } else {
    log("/scoped!kept");  // the guard did not release
  }
}

Task<> Interpreter::run_ops(int task, const std::vector<Op>& ops) {
  std::string& waits_at = waits_at_[static_cast<std::size_t>(task)];
  for (const Op& op : ops) {
    waits_at = std::string(model::name_of(op.kind));
    switch (op.kind) {
      case OpKind::acquire:
        try {
          co_await lock_.acquire();
        } catch (const CancelledError&) {
          log("acquire!cancelled");
          throw;
        }
        log("acquire");
        acquired();
        break;
      case OpKind::acquire_timeout: {
        bool timed_out = false;
        try {
          co_await lock_.acquire_for(ticks(op.arg));
        } catch (const TimeoutError&) {
          timed_out = true;
        } catch (const CancelledError&) {
          log("acquire_timeout!cancelled");
          throw;
        }
        if (timed_out) {
          log("acquire_timeout!timeout");
        } else {
          log("acquire_timeout");
          acquired();
        }
        break;
      }
      case OpKind::release:
        try {
          lock_.release();
          log("release");
          --holders_;
        } catch (const LockNotAcquired&) {
          log("release!not-acquired");
        }
        break;
      case OpKind::try_acquire:
        if (lock_.try_acquire()) {
          log("try_acquire=1");
          acquired();
        } else {
          log("try_acquire=0");
        }
        break;
      case OpKind::scoped: {
        ScopeProbe probe;
        try {
          co_await lock_.scoped(run_body(task, op.body), probe);
        } catch (const LockNotAcquired&) {
          // Thrown by the guard itself: the body ended normally but the lock
          // was already free. The program goes on, as after a failed release.
          if (!probe.acquired) throw;
        } catch (...) {
          if (probe.acquired) {
            log_scope_exit(probe);
          } else {
            log("scoped!cancelled");
          }
          throw;
        }
        log_scope_exit(probe);
        break;
      }
      case OpKind::yield:  // sleep(0) is yield_now()
      case OpKind::sleep: {
        const std::string name(model::name_of(op.kind));
        try {
          co_await sleep(ticks(op.kind == OpKind::sleep ? op.arg : 0));
        } catch (const CancelledError&) {
          log(name + "!cancelled");
          throw;
        }
        log(name);
        break;
      }
      case OpKind::throw_:
        log("throw");
        throw TaskError{task};
      case OpKind::cancel: {
        TaskHandle<>& target = handles_.at(static_cast<std::size_t>(op.arg));
        const bool cancelled = target.valid() && target.cancel();
        log("cancel " + std::to_string(op.arg) + (cancelled ? "=1" : "=0"));
        break;
      }
      case OpKind::spawn:
        spawn(op.arg);
        log("spawn " + std::to_string(op.arg));
        break;
    }
  }
}

}  // namespace lockstep::check
