// gather(tasks): asyncio.gather for Tasks of one type.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "lockstep/event_loop.hpp"

namespace lockstep {
namespace detail {

// Parks the gathering task until every child is done or one has failed.
class AllDone final : Interruptible {
 public:
  explicit AllDone(std::vector<TaskControl*> children)
      : children_(std::move(children)), joiners_(std::make_unique<Child[]>(children_.size())) {}
  AllDone(const AllDone&) = delete;
  AllDone& operator=(const AllDone&) = delete;

  bool await_ready() noexcept {
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (children_[i]->done()) note_done(i);
    }
    return settled();
  }
  template <LockstepPromise P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    self_ = &awaiting.promise().task();
    for (std::size_t i = 0; i < children_.size(); ++i) {
      joiners_[i].parent = this;
      joiners_[i].index = i;
      joiners_[i].child = children_[i];
      children_[i]->add_joiner(joiners_[i]);
    }
    self_->park(awaiting, *this);
  }
  // Returns the child that failed first, if one did. Every child counts as
  // retrieved: a later failure of a sibling is not reported as lost (asyncio).
  std::optional<std::size_t> await_resume() {
    for (TaskControl* child : children_) child->mark_retrieved();
    const bool delivered = self_ != nullptr && self_->take_cancellation();
    if (delivered || cancel_requested_) detail::throw_cancelled();
    return first_failure_;
  }

 private:
  struct Child final : Joiner {
    AllDone* parent = nullptr;
    std::size_t index = 0;
    TaskControl* child = nullptr;
    ~Child() {
      if (linked()) child->remove_joiner(*this);
    }
    void on_done(TaskControl&) noexcept override { parent->on_child_done(index); }
  };

  [[nodiscard]] bool settled() const noexcept { return first_failure_ || done_ == children_.size(); }
  void note_done(std::size_t index) noexcept {
    ++done_;
    if (!first_failure_ && children_[index]->outcome() != Outcome::value) first_failure_ = index;
  }
  void on_child_done(std::size_t index) noexcept {
    const bool was_settled = settled();
    note_done(index);
    if (!was_settled && settled()) self_->loop().wake(*self_);
  }
  // asyncio: cancelling a gather cancels every child that has not finished.
  // The gather ends cancelled even if every child swallows its cancellation.
  bool interrupt() noexcept override {
    cancel_requested_ = true;
    for (TaskControl* child : children_) child->cancel();
    return false;
  }

  std::vector<TaskControl*> children_;
  std::unique_ptr<Child[]> joiners_;
  std::size_t done_ = 0;
  std::optional<std::size_t> first_failure_;
  bool cancel_requested_ = false;
  TaskControl* self_ = nullptr;
};

}  // namespace detail

// Spawns every task on the current loop, in order, and waits for all of them.
// Returns their values in the order given. If one fails (or is cancelled), its
// exception (or CancelledError) propagates as soon as it happens; the others
// keep running, as with asyncio's default return_exceptions=False. Cancelling
// the gathering task cancels every unfinished child.
template <class T>
Task<std::conditional_t<std::is_void_v<T>, void, std::vector<T>>> gather(std::vector<Task<T>> tasks) {
  EventLoop& loop = co_await current_loop();
  std::vector<TaskHandle<T>> handles;
  std::vector<detail::TaskControl*> controls;
  handles.reserve(tasks.size());
  controls.reserve(tasks.size());
  for (Task<T>& task : tasks) {
    handles.push_back(loop.spawn(std::move(task)));
    controls.push_back(&handles.back().control());
  }
  const std::optional<std::size_t> failed = co_await detail::AllDone{std::move(controls)};
  if (failed) handles[*failed].result();  // rethrows
  if constexpr (!std::is_void_v<T>) {
    std::vector<T> values;
    values.reserve(handles.size());
    for (const TaskHandle<T>& handle : handles) values.push_back(handle.result());
    co_return values;
  }
}

}  // namespace lockstep
