// SleepAwaiter: what sleep(d) returns. Internal; bodies in core/src/awaiters.cpp.
#pragma once

#include <cassert>
#include <coroutine>

#include "lockstep/detail/suspend_with_task.hpp"
#include "lockstep/detail/task_control.hpp"
#include "lockstep/detail/timer.hpp"
#include "lockstep/task.hpp"

namespace lockstep::detail {

// d <= 0 yields [LP-SLEEP]; otherwise the task parks until its timer at
// now + d fires. Cancelled while parked, it wakes at once and throws
// CancelledError; the timer is disarmed when the task resumes [LP-SLEEP-CANCEL].
class SleepAwaiter final : Timer, Interruptible, public SuspendWithTask<SleepAwaiter> {
 public:
  explicit SleepAwaiter(Duration delay) noexcept : delay_(delay) {}
  SleepAwaiter(SleepAwaiter&& other) noexcept : delay_(other.delay_) { assert(!other.armed()); }
  SleepAwaiter& operator=(SleepAwaiter&&) = delete;
  ~SleepAwaiter();

  bool await_ready() const noexcept { return false; }
  void await_resume();

 private:
  friend class SuspendWithTask<SleepAwaiter>;
  void suspend(TaskControl& task, std::coroutine_handle<> awaiting);
  void fire() noexcept override;
  Interrupted interrupt() noexcept override;

  Duration delay_;
  TaskControl* task_ = nullptr;
  bool interrupted_ = false;
};

}  // namespace lockstep::detail
