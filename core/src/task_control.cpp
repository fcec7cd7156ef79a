#include "lockstep/detail/task_control.hpp"

#include <cassert>
#include <cstdio>
#include <cstdlib>

#include "lockstep/detail/inline_with_lto.hpp"
#include "lockstep/errors.hpp"
#include "lockstep/event_loop.hpp"

namespace lockstep::detail {

const std::exception_ptr& cancelled_exception() noexcept {
  static const std::exception_ptr cancelled = std::make_exception_ptr(CancelledError{});
  return cancelled;
}

void empty_task_handle(const char* what) noexcept {
  std::fprintf(stderr, "lockstep: TaskHandle::%s() on an empty handle (default-constructed or moved-from)\n", what);
  std::abort();
}

TaskControl::TaskControl(EventLoop& loop, TaskId id, std::string name) noexcept
    : ReadyNode(EntryKind::task), loop_(&loop), id_(id), name_(std::move(name)) {}

bool TaskControl::cancel() noexcept {
  if (status_ == Status::done || loop_->closing()) return false;
  ++cancel_requests_;
  if (status_ == Status::parked) {
    // A join cycle (A awaits B awaits A) hands the cancellation round in a
    // circle; each task passes it on once.
    if (interrupting_) return true;
    interrupting_ = true;
    apply(parked_at_->interrupt());
    interrupting_ = false;
  } else {
    // Ready: it sees the cancellation at the await it resumes from. Running:
    // at its next suspension (see park). Never started: it will not start.
    cancel_pending_ = true;
  }
  return true;
}

int TaskControl::uncancel() noexcept {
  if (cancel_requests_ > 0) --cancel_requests_;
  if (cancel_requests_ == 0) cancel_pending_ = false;
  return cancel_requests_;
}

LOCKSTEP_INLINE_WITH_LTO bool TaskControl::take_cancellation() noexcept {
  return std::exchange(cancel_pending_, false);
}

LOCKSTEP_INLINE_WITH_LTO void TaskControl::throw_if_cancelled() {
  if (take_cancellation()) detail::throw_cancelled();
}

LOCKSTEP_INLINE_WITH_LTO void TaskControl::park(std::coroutine_handle<> resume_at,
                                                Interruptible& interruptible) noexcept {
  assert(status_ == Status::running);
  resume_at_ = resume_at;
  status_ = Status::parked;
  parked_at_ = &interruptible;
  // A cancellation requested while running lands on the first await that
  // suspends (asyncio cancels the future the task yields).
  if (cancel_pending_) {
    cancel_pending_ = false;
    apply(interruptible.interrupt());
  }
}

// [CN-PARKED]: what the interrupted await asks for.
void TaskControl::apply(Interrupted interrupted) noexcept {
  switch (interrupted) {
    case Interrupted::wake:
      cancel_pending_ = true;
      LoopAccess::wake(*this);
      break;
    case Interrupted::handed_on:
      break;
    case Interrupted::at_resume:
      cancel_pending_ = true;
      break;
  }
}

LOCKSTEP_INLINE_WITH_LTO void TaskControl::yield(std::coroutine_handle<> resume_at) noexcept {
  assert(status_ == Status::running);
  resume_at_ = resume_at;
  LoopAccess::enqueue(*this);
}

void TaskControl::drop_ref() noexcept {
  assert(refs_ > 0);
  if (--refs_ == 0) {
    report_unretrieved_error();
    delete this;
  }
}

}  // namespace lockstep::detail
