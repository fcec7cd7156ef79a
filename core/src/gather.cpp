#include "lockstep/gather.hpp"

#include <algorithm>
#include <functional>
#include <numeric>

namespace lockstep::detail {

AllDone::~AllDone() {
  for (Child* joiner : joiners_) {
    if (joiner->callback != nullptr) joiner->callback->detach();
    if (joiner->linked()) {
      joiner->parent = nullptr;  // the child still runs: its callback turn is still due
    } else {
      delete joiner;
    }
  }
}

// [GA-START] asyncio registers its callback once per distinct child (a task
// given twice is one future): true for each index whose task came earlier.
std::vector<bool> AllDone::repeats() const {
  std::vector<std::size_t> order(children_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Only equal pointers matter, not their order: the result is the same on
  // every run. Ties by index, so a task's first place sorts first.
  std::sort(order.begin(), order.end(), [this](std::size_t a, std::size_t b) {
    return children_[a] == children_[b] ? a < b : std::less<>{}(children_[a], children_[b]);
  });
  std::vector<bool> repeated(children_.size(), false);
  for (std::size_t k = 1; k < order.size(); ++k) {
    if (children_[order[k]] == children_[order[k - 1]]) repeated[order[k]] = true;
  }
  return repeated;
}

void AllDone::suspend(TaskControl& self, std::coroutine_handle<> awaiting) {
  self_ = &self;
  joiners_.reserve(children_.size());
  const std::vector<bool> repeated = repeats();
  for (std::size_t i = 0; i < children_.size(); ++i) {
    if (repeated[i]) continue;
    auto* joiner = new Child;
    joiner->parent = this;
    joiner->owner = self.id();
    joiner->index = i;
    joiner->child = children_[i];
    joiners_.push_back(joiner);
    // [GA-START] asyncio's add_done_callback on a task already done queues
    // the callback at once (call_soon): its turn comes as if it had just ended.
    if (children_[i]->done()) {
      joiner->on_done(*children_[i]);
    } else {
      children_[i]->add_joiner(*joiner);
    }
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
void AllDone::Child::on_done(TaskControl& task) noexcept {
  if (parent == nullptr) {
    // Orphaned: the gather has finished; the turn is spent on nothing.
    static Callback* spent = nullptr;
    LoopAccess::call_soon(task.loop(), EntryKind::gather_done, owner, &spent, [] {});
    delete this;
    return;
  }
  LoopAccess::call_soon(task.loop(), EntryKind::gather_done, owner, &callback,
                        [p = parent, i = index] { p->counted(i); });
}

void AllDone::Child::on_loop_closing() noexcept {
  if (parent == nullptr) delete this;
}

// [GA-TURN] The gather_done callback of child `index`.
void AllDone::counted(std::size_t index) noexcept {
  if (settled_) return;
  ++done_;
  if (children_[index]->outcome() != Outcome::value) {
    first_failure_ = index;               // [GA-FAIL] cancelled or failed: settles at once
  } else if (done_ != joiners_.size()) {  // one joiner per distinct child
    return;
  }
  settled_ = true;
  LoopAccess::wake(*self_);
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
