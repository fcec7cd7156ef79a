// SuspendWithTask: the await_suspend that sleep's, gather's and wait_for's
// awaiters share. Internal.
#pragma once

#include <coroutine>

#include "lockstep/detail/task_control.hpp"
#include "lockstep/task.hpp"

namespace lockstep::detail {

// Hands the awaiting task's control block and handle to Derived::suspend,
// which is out of line in core/src (so that a mutant can patch it) and may be
// private if Derived befriends this base. Only lockstep tasks can await.
template <class Derived>
class SuspendWithTask {
 public:
  template <LockstepPromise P>
  void await_suspend(std::coroutine_handle<P> awaiting) {
    static_cast<Derived*>(this)->suspend(awaiting.promise().task(), awaiting);
  }

 private:
  SuspendWithTask() = default;  // only Derived is one
  friend Derived;
};

}  // namespace lockstep::detail
