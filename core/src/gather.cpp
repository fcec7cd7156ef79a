#include "lockstep/gather.hpp"

namespace lockstep::detail {

AllDone::~AllDone() {
  for (std::size_t i = 0; i < children_.size(); ++i) {
    if (joiners_[i].callback != nullptr) joiners_[i].callback->detach();
  }
}

void AllDone::suspend(TaskControl& self, std::coroutine_handle<> awaiting) noexcept {
  self_ = &self;
  for (std::size_t i = 0; i < children_.size(); ++i) {
    joiners_[i].parent = this;
    joiners_[i].index = i;
    joiners_[i].child = children_[i];
    children_[i]->add_joiner(joiners_[i]);
  }
  self.park(awaiting, *this);
}

std::optional<std::size_t> AllDone::await_resume() {
  for (TaskControl* child : children_) child->mark_retrieved();
  const bool delivered = self_ != nullptr && self_->take_cancellation();
  // [GA-CANCEL] A cancelled gather whose children all finished without a
  // failure still ends cancelled.
  if (delivered || (!first_failure_ && cancel_requested_)) throw_cancelled();
  return first_failure_;
}

// [GA-TURN] A child's end queues gather's callback for it; only that callback
// counts the child.
void AllDone::Child::on_done(TaskControl&) noexcept {
  TaskControl& self = *parent->self_;
  self.loop().call_soon(EntryKind::gather_done, self.id(), &callback, [p = parent, i = index] { p->counted(i); });
}

// [GA-TURN] The gather_done callback of child `index`.
void AllDone::counted(std::size_t index) noexcept {
  if (settled_) return;
  ++done_;
  if (children_[index]->outcome() != Outcome::value) {
    first_failure_ = index;  // [GA-FAIL] cancelled or failed: settles at once
  } else if (done_ != children_.size()) {
    return;
  }
  settled_ = true;
  self_->loop().wake(*self_);
}

// [GA-CANCEL] asyncio: cancelling a gather cancels every child that has not
// finished; if none could be cancelled, the task itself sees the cancellation
// when it resumes.
Interrupted AllDone::interrupt() noexcept {
  bool any = false;
  for (TaskControl* child : children_) any = child->cancel() || any;
  if (!any) return Interrupted::at_resume;
  cancel_requested_ = true;
  return Interrupted::handed_on;
}

}  // namespace lockstep::detail
