// LoopAccess: the loop's and the task handles' internal surface. For core's
// own awaitables and for the harness (check/) only: user code never needs it.
#pragma once

#include <utility>

#include "lockstep/detail/task_control.hpp"

namespace lockstep {
template <class T>
class TaskHandle;
namespace detail {

class Timer;

// The only way to wake or queue a task, arm a timer or queue a loop-internal
// callback, and to reach a handle's control block. EventLoop and TaskHandle
// keep these private and befriend this struct.
struct LoopAccess {
  // Queues a parked task (what wakes every waiter). A task that is not
  // parked is refused and counted (EventLoop::misdirected_wakeups).
  static void wake(TaskControl& task) noexcept;
  // Queues a running task at the back (yield_now).
  static void enqueue(TaskControl& task) noexcept;
  static void arm_timer(EventLoop& loop, Timer& timer, Duration deadline, TaskId owner);
  static void disarm_timer(EventLoop& loop, Timer& timer) noexcept;
  // asyncio's call_soon of a loop-internal callback: queued at the back; the
  // loop owns it until it has run.
  template <class F>
  static void call_soon(EventLoop& loop, EntryKind kind, TaskId owner, Callback** slot, F f) {
    schedule(loop, *new CallbackOf<F>(kind, owner, slot, std::move(f)));
  }
  // The control block behind a valid handle (asserted).
  template <class T>
  static TaskControl& control(const TaskHandle<T>& handle) noexcept {
    return handle.control();
  }

 private:
  static void schedule(EventLoop& loop, Callback& callback) noexcept;
};

}  // namespace detail
}  // namespace lockstep
