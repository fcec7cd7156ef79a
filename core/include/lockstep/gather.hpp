// gather(tasks): asyncio.gather for Tasks of one type.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "lockstep/detail/suspend_with_task.hpp"
#include "lockstep/event_loop.hpp"

namespace lockstep {
namespace detail {

// Parks the gathering task until every child is done or one has failed.
// asyncio runs gather's _done_callback as its own loop turn after a child
// finishes [GA-TURN]: each child's end queues a gather_done callback, and only
// that callback settles the gather and wakes the task.
class AllDone final : Interruptible, public SuspendWithTask<AllDone> {
 public:
  explicit AllDone(std::vector<TaskControl*> children) : children_(std::move(children)) {}
  AllDone(const AllDone&) = delete;
  AllDone& operator=(const AllDone&) = delete;
  ~AllDone();

  bool await_ready() noexcept { return children_.empty(); }
  // Registers one joiner per child (allocated): std::bad_alloc propagates to
  // the await, the task still running; joiners already registered are
  // orphaned as when the gather ends early (~AllDone). await_suspend:
  // SuspendWithTask, into suspend.
  // Returns the child that failed first, if one did [GA-FAIL]. Every child
  // counts as retrieved: a later failure of a sibling is not reported as lost.
  std::optional<std::size_t> await_resume();

 private:
  friend class SuspendWithTask<AllDone>;
  // A child's done-callback registration. It outlives the gather when the
  // child is still running (asyncio leaves _done_callback on the child): an
  // orphaned one still takes its turn when the child ends, then deletes itself.
  struct Child final : Joiner {
    AllDone* parent = nullptr;  // null once orphaned
    TaskId owner = 0;
    std::size_t index = 0;
    TaskControl* child = nullptr;
    Callback* callback = nullptr;  // the queued gather_done callback, if any
    ~Child() {
      if (linked()) child->remove_joiner(*this);
    }
    void on_done(TaskControl&) noexcept override;
    void on_loop_closing() noexcept override;
  };

  void suspend(TaskControl& self, std::coroutine_handle<> awaiting);  // core/src/gather.cpp
  [[nodiscard]] std::vector<bool> repeats() const;
  void counted(std::size_t index) noexcept;
  Interrupted interrupt() noexcept override;

  std::vector<TaskControl*> children_;
  std::vector<Child*> joiners_;  // owned, see ~AllDone; one per distinct child
  std::size_t done_ = 0;
  std::optional<std::size_t> first_failure_;
  bool settled_ = false;
  bool cancel_requested_ = false;
  TaskControl* self_ = nullptr;
};

}  // namespace detail

// asyncio.gather of tasks already spawned: waits for all of them and returns
// their values in the order given. If one fails (or is cancelled), its
// exception (or CancelledError) propagates as soon as gather's callback for it
// has run [GA-FAIL]; the others keep running, as with asyncio's default
// return_exceptions=False. Cancelling the gathering task cancels every
// unfinished child [GA-CANCEL].
template <class T>
Task<std::conditional_t<std::is_void_v<T>, void, std::vector<T>>> gather(std::vector<TaskHandle<T>> handles) {
  std::vector<detail::TaskControl*> controls;
  controls.reserve(handles.size());
  for (const TaskHandle<T>& handle : handles) controls.push_back(&detail::LoopAccess::control(handle));
  const std::optional<std::size_t> failed = co_await detail::AllDone{std::move(controls)};
  if (failed) handles[*failed].result();  // rethrows
  if constexpr (!std::is_void_v<T>) {
    std::vector<T> values;
    values.reserve(handles.size());
    for (const TaskHandle<T>& handle : handles) values.push_back(handle.result());
    co_return values;
  }
}

// asyncio.gather of coroutines: spawns every task on the current loop, in
// order, then gathers them as above.
template <class T>
Task<std::conditional_t<std::is_void_v<T>, void, std::vector<T>>> gather(std::vector<Task<T>> tasks) {
  EventLoop& loop = co_await current_loop();
  std::vector<TaskHandle<T>> handles;
  handles.reserve(tasks.size());
  for (Task<T>& task : tasks) handles.push_back(loop.spawn(std::move(task)));
  if constexpr (std::is_void_v<T>) {
    co_await gather(std::move(handles));
  } else {
    co_return co_await gather(std::move(handles));
  }
}

}  // namespace lockstep
