// EventLoop: the single-threaded loop that runs lockstep's tasks.
//
// Also brings in what a program that runs tasks needs (TaskHandle, the loop's
// awaitables, SchedulePolicy), so `#include "lockstep/event_loop.hpp"` alone
// is enough to spawn, await, yield and sleep.
#pragma once

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "lockstep/awaitables.hpp"  // IWYU pragma: export
#include "lockstep/detail/loop_access.hpp"
#include "lockstep/detail/spawned_task.hpp"
#include "lockstep/detail/task_control.hpp"
#include "lockstep/detail/timer.hpp"
#include "lockstep/errors.hpp"
#include "lockstep/ready_tasks.hpp"             // IWYU pragma: export
#include "lockstep/schedule_policy.hpp"         // IWYU pragma: export
#include "lockstep/task.hpp"                    // IWYU pragma: export
#include "lockstep/task_handle.hpp"             // IWYU pragma: export
#include "lockstep/unretrieved_error_sink.hpp"  // IWYU pragma: export

namespace lockstep {

// A single-threaded event loop with asyncio's scheduling rules (SEMANTICS LP-*, CN-*).
//
// - Ready queue: FIFO by default. A step resumes one task until it suspends or
//   finishes. Waking is enqueueing: nothing resumes inside another task's step,
//   so there is no recursion however long a hand-off chain is.
// - Spawning only enqueues; the new task first runs when the loop reaches it.
// - Time is virtual (Duration since the loop was made). When no task is ready
//   the clock jumps to the next timer. Timers that are due fire at the start of
//   a step, in deadline order and, for equal deadlines, in the order they were set.
// - Deterministic: with the same SchedulePolicy answers, the same program
//   performs the same steps in the same order. Task ids count up from 1.
// - Not thread-safe: one loop, one thread. Awaiting across loops is undefined.
// - Destroying the loop destroys every unfinished task's frame (in spawn order),
//   so locals, guards and lock waiters are destroyed and unlink themselves;
//   wake-ups made during that teardown are dropped. Unfinished tasks then read
//   as cancelled through any TaskHandle that outlives the loop.
// - Waking, queueing, timers and loop-internal callbacks are internal
//   (detail::LoopAccess, for core's awaitables and the harness).
class EventLoop {
 public:
  EventLoop() = default;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  // asyncio.create_task: the task is queued and first runs when the loop gets
  // to it. The name is for traces and messages only.
  template <class T>
  TaskHandle<T> spawn(Task<T> task, std::string name = {});

  // Spawns `task` and steps until it finishes; returns its value or rethrows
  // its exception (CancelledError if it was cancelled). Other tasks stay as
  // they are. Throws Deadlock if the loop goes idle first.
  template <class T>
  T run(Task<T> task);

  // Runs one step: fires due timers, jumps the clock if nothing is ready, then
  // resumes one ready task. Returns false, doing nothing, when the loop is idle
  // (no task ready, no timer pending).
  bool step();
  // Steps while a task is ready, without moving the clock. Returns the steps.
  std::size_t run_ready();
  // Steps until idle. Returns the steps.
  std::size_t run_until_idle();

  [[nodiscard]] Duration now() const noexcept { return now_; }
  // now() + delay, saturating at Duration::max() ("never").
  [[nodiscard]] Duration deadline_after(Duration delay) const noexcept {
    if (delay > Duration::zero() && now_ > Duration::max() - delay) return Duration::max();
    return now_ + delay;
  }
  [[nodiscard]] bool closing() const noexcept { return closing_; }
  [[nodiscard]] std::size_t ready_count() const noexcept { return ready_size_; }
  [[nodiscard]] std::size_t timer_count() const noexcept { return timers_.size(); }
  [[nodiscard]] std::size_t unfinished_task_count() const noexcept { return live_count_; }
  [[nodiscard]] bool idle() const noexcept { return ready_size_ == 0 && timers_.empty(); }
  // The task being stepped, or 0 outside a step.
  [[nodiscard]] TaskId current_task_id() const noexcept { return current_ != nullptr ? current_->id() : 0; }

  // Wake-ups refused because their task was not suspended (already ready,
  // running or done). Always 0 with lockstep's own awaitables; a broken lock
  // that resumes a waiter twice shows up here.
  [[nodiscard]] std::size_t misdirected_wakeups() const noexcept { return misdirected_wakeups_; }

  // nullptr restores FIFO. The policy must outlive its use by the loop.
  void set_schedule_policy(SchedulePolicy* policy) noexcept { policy_ = policy; }

  // The ready queue, front first.
  [[nodiscard]] ReadyTasks ready() const noexcept { return ReadyTasks{ready_head_, ready_size_}; }
  // Calls f(deadline, task id) for every armed timer, in the order they fire.
  template <class F>
  void for_each_timer(F&& f) const {
    for (const auto& [deadline, timer] : timers_) f(deadline, timer->owner_);
  }

 private:
  friend struct detail::LoopAccess;
  void wake(detail::TaskControl& task) noexcept;
  void enqueue(detail::TaskControl& task) noexcept;
  void arm_timer(detail::Timer& timer, Duration deadline, TaskId owner);
  void disarm_timer(detail::Timer& timer) noexcept;
  void adopt(detail::TaskControl& task);
  void link_ready(detail::ReadyNode& node) noexcept;
  detail::ReadyNode& pop_next();
  void run_entry(detail::ReadyNode& node);
  void run_step(detail::TaskControl& task);
  void finish(detail::TaskControl& task, detail::Outcome outcome) noexcept;
  bool fire_due_timers() noexcept;
  bool jump_to_next_timer() noexcept;

  Duration now_{0};
  TaskId last_id_ = 0;
  bool closing_ = false;
  SchedulePolicy* policy_ = nullptr;
  detail::TaskControl* current_ = nullptr;
  detail::ReadyNode* ready_head_ = nullptr;
  detail::ReadyNode* ready_tail_ = nullptr;
  std::size_t ready_size_ = 0;
  detail::TaskControl* live_head_ = nullptr;
  detail::TaskControl* live_tail_ = nullptr;
  std::size_t live_count_ = 0;
  std::size_t misdirected_wakeups_ = 0;
  std::multimap<Duration, detail::Timer*> timers_;
};

template <class T>
TaskHandle<T> EventLoop::spawn(Task<T> task, std::string name) {
  if (!task.valid()) throw std::invalid_argument("lockstep: spawn() of an empty Task");
  if (closing_) throw std::logic_error("lockstep: spawn() while the loop is being destroyed");
  auto* control = new detail::SpawnedTask<T>(*this, ++last_id_, std::move(name), std::move(task));
  adopt(*control);
  return TaskHandle<T>{control};
}

template <class T>
T EventLoop::run(Task<T> task) {
  TaskHandle<T> handle = spawn(std::move(task));
  while (!handle.done()) {
    if (!step()) {
      throw Deadlock("lockstep: run(): task #" + std::to_string(handle.id()) +
                     " can never finish: no task is ready and no timer is pending");
    }
  }
  return handle.result();
}

}  // namespace lockstep
