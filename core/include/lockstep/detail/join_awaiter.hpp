// JoinAwaiter<T>: what `co_await handle` awaits. Internal.
#pragma once

#include <cassert>
#include <coroutine>
#include <stdexcept>

#include "lockstep/detail/loop_access.hpp"
#include "lockstep/detail/spawned_task.hpp"
#include "lockstep/detail/task_control.hpp"
#include "lockstep/task.hpp"

namespace lockstep::detail {

// Parks the awaiting task until `target` is done, then yields its result. It
// holds a reference to the target, so the target outlives the await.
template <class T>
class JoinAwaiter final : Joiner, Interruptible {
 public:
  explicit JoinAwaiter(SpawnedTask<T>& target) noexcept : target_(&target) { target.add_ref(); }
  JoinAwaiter(JoinAwaiter&& other) noexcept : JoinAwaiter(*other.target_) { assert(!other.linked()); }
  JoinAwaiter& operator=(JoinAwaiter&&) = delete;
  ~JoinAwaiter() {
    if (linked()) target_->remove_joiner(*this);
    target_->drop_ref();
  }

  bool await_ready() const noexcept { return target_->done(); }
  template <LockstepPromise P>
  void await_suspend(std::coroutine_handle<P> awaiting) {
    self_ = &awaiting.promise().task();
    if (self_ == target_) {
      self_ = nullptr;
      throw std::logic_error("lockstep: a task cannot await itself");  // asyncio raises RuntimeError
    }
    target_->add_joiner(*this);
    self_->park(awaiting, *this);
  }
  // [TK-UNRETRIEVED] The target's outcome is taken even when a cancellation
  // delivered here wins (asyncio's wake-up calls result() first).
  auto await_resume() {
    if (self_ != nullptr && self_->take_cancellation()) {
      target_->mark_retrieved();
      detail::throw_cancelled();
    }
    return target_->result();
  }

 private:
  void on_done(TaskControl&) noexcept override { LoopAccess::wake(*self_); }
  // asyncio: cancelling a task that awaits another task cancels that task too;
  // the awaiter then sees its outcome.
  Interrupted interrupt() noexcept override {
    return target_->cancel() ? Interrupted::handed_on : Interrupted::at_resume;
  }

  SpawnedTask<T>* target_;
  TaskControl* self_ = nullptr;
};

}  // namespace lockstep::detail
