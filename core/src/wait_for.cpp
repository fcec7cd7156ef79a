#include "lockstep/wait_for.hpp"

namespace lockstep::detail {

std::string describe_timeout(Duration timeout) {
  const auto ns = timeout.count();
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + " s of virtual time";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + " ms of virtual time";
  return std::to_string(ns) + " ns of virtual time";
}

CancelTimer::CancelTimer(TaskControl& task, Duration deadline) : task_(&task) {
  LoopAccess::arm_timer(task.loop(), *this, deadline, task.id());
}

CancelTimer::~CancelTimer() { LoopAccess::disarm_timer(task_->loop(), *this); }

// [WF-FIRE] The deadline passed: cancel the task, as asyncio.timeout does.
void CancelTimer::fire() noexcept {
  expired_ = true;
  task_->cancel();
}

bool timed_out(TaskControl& self, const CancelTimer& timer, int cancelling_before, bool cancelled) noexcept {
  return timer.expired() && self.uncancel() <= cancelling_before && cancelled;
}

TimeoutNow::~TimeoutNow() {
  if (callback_ != nullptr) callback_->detach();
}

// [WF-NONPOS] The inner task's only step is queued; the task parks.
void TimeoutNow::suspend(TaskControl& self, std::coroutine_handle<> awaiting) {
  self_ = &self;
  LoopAccess::call_soon(self.loop(), EntryKind::timeout_inner, self.id(), &callback_, [this] { inner_done(); });
  self.park(awaiting, *this);
}

void TimeoutNow::await_resume() {
  if (self_->take_cancellation() || interrupted_) throw_cancelled();
}

// The inner task finished (cancelled): its done-callback, _release_waiter,
// takes one more turn, and wakes the task only if it is still waiting.
void TimeoutNow::inner_done() {
  LoopAccess::call_soon(self_->loop(), EntryKind::timeout_release, self_->id(), &callback_, [this] {
    if (!interrupted_) LoopAccess::wake(*self_);
  });
}

Interrupted TimeoutNow::interrupt() noexcept {
  interrupted_ = true;
  return Interrupted::wake;
}

}  // namespace lockstep::detail
