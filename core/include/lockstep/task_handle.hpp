// TaskHandle<T>: a shared handle to a spawned task (asyncio.Task).
#pragma once

#include <string>
#include <utility>

#include "lockstep/detail/join_awaiter.hpp"
#include "lockstep/detail/loop_access.hpp"
#include "lockstep/detail/spawned_task.hpp"

namespace lockstep {

namespace detail {
// A TaskHandle accessor was called on an empty handle (default-constructed or
// moved-from): prints "lockstep: TaskHandle::WHAT on an empty handle ..." to
// stderr and aborts.
[[noreturn]] void empty_task_handle(const char* what) noexcept;
}  // namespace detail

// A shared handle to a spawned task (asyncio.Task): await it, cancel it, ask
// how it ended. EventLoop::spawn makes one; copies refer to the same task, and
// the handle stays valid after the loop is gone (an unfinished task then reads
// as cancelled).
//
// An empty handle (default-constructed or moved-from; valid() is false) refers
// to no task. Calling any other member of an empty handle (or awaiting it) is a
// contract violation, in every build: it prints "lockstep: TaskHandle::NAME()
// on an empty handle (default-constructed or moved-from)" to stderr and calls
// std::abort(), as Lock does when it is destroyed with waiters queued.
template <class T = void>
class TaskHandle {
 public:
  TaskHandle() noexcept = default;
  TaskHandle(const TaskHandle& other) noexcept : task_(other.task_) {
    if (task_ != nullptr) task_->add_ref();
  }
  TaskHandle(TaskHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
  TaskHandle& operator=(TaskHandle other) noexcept {
    std::swap(task_, other.task_);
    return *this;
  }
  ~TaskHandle() {
    if (task_ != nullptr) task_->drop_ref();
  }

  [[nodiscard]] bool valid() const noexcept { return task_ != nullptr; }
  [[nodiscard]] TaskId id() const noexcept { return task("id").id(); }
  [[nodiscard]] const std::string& name() const noexcept { return task("name").name(); }
  [[nodiscard]] bool done() const noexcept { return task("done").done(); }
  [[nodiscard]] bool cancelled() const noexcept { return task("cancelled").outcome() == detail::Outcome::cancelled; }
  // asyncio Task.cancel(): see SEMANTICS LP-*, CN-*. Returns false if the task is done.
  bool cancel() noexcept { return task("cancel").cancel(); }
  // asyncio Task.cancelling() and Task.uncancel() [CN-UNCANCEL]: the count of
  // outstanding cancel() calls, and withdrawing one (at 0, a cancellation not
  // yet delivered is withdrawn too, as in CPython 3.13). Returns the new count.
  [[nodiscard]] int cancelling() const noexcept { return task("cancelling").cancelling(); }
  int uncancel() noexcept { return task("uncancel").uncancel(); }
  // The value, or the task's exception rethrown, or CancelledError.
  // std::logic_error if the task has not finished.
  decltype(auto) result() const { return task("result").result(); }

  // Waits until the task is done, then yields result(). Cancelling the
  // awaiting task cancels this one too (asyncio).
  [[nodiscard]] detail::JoinAwaiter<T> operator co_await() const noexcept {
    return detail::JoinAwaiter<T>{task("operator co_await")};
  }

 private:
  friend class EventLoop;
  friend struct detail::LoopAccess;
  explicit TaskHandle(detail::SpawnedTask<T>* task) noexcept : task_(task) { task_->add_ref(); }

  [[nodiscard]] detail::SpawnedTask<T>& task(const char* what) const noexcept {
    if (task_ == nullptr) [[unlikely]]
      detail::empty_task_handle(what);
    return *task_;
  }
  [[nodiscard]] detail::TaskControl& control() const noexcept { return task("control"); }

  detail::SpawnedTask<T>* task_ = nullptr;
};

}  // namespace lockstep
