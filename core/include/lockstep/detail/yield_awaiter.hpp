// YieldAwaiter: what yield_now() returns. Internal.
#pragma once

#include <coroutine>

#include "lockstep/detail/task_control.hpp"
#include "lockstep/task.hpp"

namespace lockstep::detail {

// Always suspends: the task goes to the back of the ready queue [LP-YIELD] and
// resumes in its own later step, where a cancellation delivered meanwhile
// throws CancelledError.
class YieldAwaiter {
 public:
  bool await_ready() const noexcept { return false; }
  template <LockstepPromise P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    task_ = &awaiting.promise().task();
    task_->yield(awaiting);  // [LP-YIELD] to the back of the queue
  }
  void await_resume() const { task_->throw_if_cancelled(); }

 private:
  TaskControl* task_ = nullptr;
};

}  // namespace lockstep::detail
