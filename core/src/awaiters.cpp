// The loop's own awaitables that are not templates: sleep.
#include "lockstep/event_loop.hpp"

namespace lockstep::detail {

SleepAwaiter::~SleepAwaiter() {
  if (armed()) LoopAccess::disarm_timer(task_->loop(), *this);
}

// [LP-SLEEP] sleep(d <= 0) is yield_now(); otherwise a timer at now + d.
void SleepAwaiter::suspend(TaskControl& task, std::coroutine_handle<> awaiting) {
  task_ = &task;
  if (delay_ <= Duration::zero()) {
    task.yield(awaiting);
    return;
  }
  LoopAccess::arm_timer(task.loop(), *this, task.loop().deadline_after(delay_), task.id());
  task.park(awaiting, *this);
}

// [LP-SLEEP-CANCEL] The timer goes only now that the task resumes (asyncio's
// sleep cancels its TimerHandle in `finally`). An interrupted sleep stays
// cancelled even if the request was withdrawn.
void SleepAwaiter::await_resume() {
  LoopAccess::disarm_timer(task_->loop(), *this);
  const bool delivered = task_->take_cancellation();
  if (delivered || interrupted_) throw_cancelled();
}

void SleepAwaiter::fire() noexcept {
  if (!interrupted_) LoopAccess::wake(*task_);
}

Interrupted SleepAwaiter::interrupt() noexcept {
  interrupted_ = true;
  return Interrupted::wake;
}

}  // namespace lockstep::detail
