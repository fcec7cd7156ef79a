// CurrentTaskAwaiter and CurrentLoopAwaiter: hand the awaiting coroutine its
// task, or its task's loop, without suspending. Internal.
#pragma once

#include <coroutine>

#include "lockstep/detail/task_control.hpp"
#include "lockstep/task.hpp"

namespace lockstep::detail {

// Never suspends: await_suspend returns false, so the coroutine goes on at once.
class CurrentTaskAwaiter {
 public:
  bool await_ready() const noexcept { return false; }
  template <LockstepPromise P>
  bool await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    task_ = &awaiting.promise().task();
    return false;
  }
  TaskControl& await_resume() const noexcept { return *task_; }

 private:
  TaskControl* task_ = nullptr;
};

// The same, yielding the loop the task runs on (current_loop()).
class CurrentLoopAwaiter : public CurrentTaskAwaiter {
 public:
  EventLoop& await_resume() const noexcept { return CurrentTaskAwaiter::await_resume().loop(); }
};

}  // namespace lockstep::detail
