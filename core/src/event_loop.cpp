#include "lockstep/event_loop.hpp"

#include "lockstep/detail/inline_with_lto.hpp"

#include <cstdio>
#include <string>

namespace lockstep {

using detail::Outcome;
using detail::TaskControl;
using Status = TaskControl::Status;

ReadyTasks::iterator& ReadyTasks::iterator::operator++() noexcept {
  at_ = at_->next_ready_;
  return *this;
}

ReadyEntry ReadyTasks::iterator::operator*() const noexcept {
  if (at_->entry_kind() == detail::EntryKind::task)
    return {at_->entry_kind(), static_cast<const TaskControl*>(at_)->id()};
  return {at_->entry_kind(), static_cast<const detail::Callback*>(at_)->owner()};
}

EventLoop::~EventLoop() {
  closing_ = true;  // from here on, spawn() throws and cancel() does nothing
  // ... and wake() drops wake-ups of this loop's tasks: each task carries the
  // flag, so that a wake-up reads it beside the task's status, not through
  // the task's loop.
  for (TaskControl* task = live_head_; task != nullptr; task = task->next_live_) task->loop_closing_ = true;
  // Queued callbacks go first: each detaches from the awaiter it serves.
  for (detail::ReadyNode* node = ready_head_; node != nullptr;) {
    detail::ReadyNode* next = node->next_ready_;
    if (node->entry_kind() != detail::EntryKind::task) delete static_cast<detail::Callback*>(node);
    node = next;
  }
  ready_head_ = ready_tail_ = nullptr;
  ready_size_ = 0;
  // Destroying a frame runs destructors (guards release, waiters unlink), which
  // may free finished tasks but never an unfinished one: the loop holds those.
  while (live_head_ != nullptr) {
    TaskControl& task = *live_head_;
    task.destroy_root();
    finish(task, Outcome::cancelled);
  }
  assert(timers_.empty() && "a timer outlived the frame that armed it");
}

void EventLoop::adopt(TaskControl& task) {
  task.prev_live_ = live_tail_;
  (live_tail_ != nullptr ? live_tail_->next_live_ : live_head_) = &task;
  live_tail_ = &task;
  ++live_count_;
  task.resume_at_ = task.root_frame_ = task.root();
  enqueue(task);
}

LOCKSTEP_INLINE_WITH_LTO void EventLoop::enqueue(TaskControl& task) noexcept {
  if (task.loop_closing_) return;
  assert(task.next_ready_ == nullptr && ready_tail_ != &task && "a task queued twice");
  task.status_ = Status::ready;
  link_ready(task);
}

// [LP-QUEUE] Everything that becomes ready goes to the back of the queue.
LOCKSTEP_INLINE_WITH_LTO void EventLoop::link_ready(detail::ReadyNode& node) noexcept {
  (ready_tail_ != nullptr ? ready_tail_->next_ready_ : ready_head_) = &node;
  ready_tail_ = &node;
  ++ready_size_;
}

LOCKSTEP_INLINE_WITH_LTO void EventLoop::wake(TaskControl& task) noexcept {
  if (task.loop_closing_) {
    // The wake-up is dropped (the task is about to be destroyed), but the task
    // is no longer parked at what woke it.
    if (task.status_ == Status::parked) {
      task.parked_at_ = nullptr;
      task.status_ = Status::ready;
    }
    return;
  }
  if (task.status_ != Status::parked) {
    // A double resume in the making (a broken awaiter): refuse it and count it,
    // so that a harness can report it instead of crashing.
    ++misdirected_wakeups_;
    return;
  }
  task.parked_at_ = nullptr;
  enqueue(task);
}

// [LP-QUEUE] A parked task's wake-up, a yield, a loop-internal callback: all
// go through the loop's private queueing, reached from awaiters only here.
LOCKSTEP_INLINE_WITH_LTO void detail::LoopAccess::wake(TaskControl& task) noexcept { task.loop().wake(task); }
LOCKSTEP_INLINE_WITH_LTO void detail::LoopAccess::enqueue(TaskControl& task) noexcept { task.loop().enqueue(task); }
void detail::LoopAccess::arm_timer(EventLoop& loop, Timer& timer, Duration deadline, TaskId owner) {
  loop.arm_timer(timer, deadline, owner);
}
void detail::LoopAccess::disarm_timer(EventLoop& loop, Timer& timer) noexcept { loop.disarm_timer(timer); }
void detail::LoopAccess::schedule(EventLoop& loop, Callback& callback) noexcept { loop.link_ready(callback); }

void EventLoop::arm_timer(detail::Timer& timer, Duration deadline, TaskId owner) {
  assert(!timer.armed_);
  timer.where_ = timers_.emplace(deadline, &timer);  // [TM-ORDER] equal deadlines keep insertion order
  timer.owner_ = owner;
  timer.armed_ = true;
}

void EventLoop::disarm_timer(detail::Timer& timer) noexcept {
  if (!timer.armed_) return;
  timers_.erase(timer.where_);
  timer.armed_ = false;
}

LOCKSTEP_INLINE_WITH_LTO bool EventLoop::fire_due_timers() noexcept {
  bool fired = false;
  while (!timers_.empty() && timers_.begin()->first <= now_) {
    detail::Timer& timer = *timers_.begin()->second;
    timers_.erase(timers_.begin());
    timer.armed_ = false;
    timer.fire();
    fired = true;
  }
  return fired;
}

bool EventLoop::jump_to_next_timer() noexcept {
  if (timers_.empty()) return false;
  now_ = timers_.begin()->first;
  fire_due_timers();
  return true;
}

LOCKSTEP_INLINE_WITH_LTO bool EventLoop::step() {
  fire_due_timers();
  while (ready_size_ == 0) {
    if (!jump_to_next_timer()) return false;
  }
  run_entry(pop_next());
  return true;
}

std::size_t EventLoop::run_ready() {
  std::size_t steps = 0;
  while (true) {
    fire_due_timers();
    if (ready_size_ == 0) return steps;
    run_entry(pop_next());
    ++steps;
  }
}

std::size_t EventLoop::run_until_idle() {
  std::size_t steps = 0;
  while (step()) ++steps;
  return steps;
}

LOCKSTEP_INLINE_WITH_LTO void EventLoop::run_entry(detail::ReadyNode& node) {
  if (node.entry_kind() == detail::EntryKind::task) {
    run_step(static_cast<TaskControl&>(node));
    return;
  }
  auto* callback = static_cast<detail::Callback*>(&node);
  callback->run();
  delete callback;
}

LOCKSTEP_INLINE_WITH_LTO detail::ReadyNode& EventLoop::pop_next() {
  std::size_t index = 0;
  if (policy_ != nullptr) {
    index = policy_->pick_next(ReadyTasks{ready_head_, ready_size_});
    if (index >= ready_size_) {
      throw std::out_of_range("lockstep: SchedulePolicy::pick_next returned " + std::to_string(index) + " with only " +
                              std::to_string(ready_size_) + " tasks ready");
    }
  }
  detail::ReadyNode* before = nullptr;
  detail::ReadyNode* picked = ready_head_;
  for (std::size_t i = 0; i < index; ++i) {
    before = picked;
    picked = picked->next_ready_;
  }
  (before != nullptr ? before->next_ready_ : ready_head_) = picked->next_ready_;
  if (ready_tail_ == picked) ready_tail_ = before;
  picked->next_ready_ = nullptr;
  --ready_size_;
  return *picked;
}

LOCKSTEP_INLINE_WITH_LTO void EventLoop::run_step(TaskControl& task) {
  task.status_ = Status::running;
  current_ = &task;
  detail::running_task = &task;
  if (!task.started_ && task.cancel_pending_) {
    // SEMANTICS LP-*, CN-*: a task cancelled before it ever ran finishes without running.
    current_ = nullptr;
    detail::running_task = nullptr;
    task.destroy_root();
    finish(task, Outcome::cancelled);
    return;
  }
  task.started_ = true;
  task.resume_at_.resume();
  current_ = nullptr;
  detail::running_task = nullptr;
  if (task.root_frame_.done()) {  // the frame is alive until collect_root
    Outcome outcome = task.collect_root();
    // asyncio: a cancellation still pending when the coroutine returns wins.
    if (outcome == Outcome::value && task.cancel_pending_) outcome = Outcome::cancelled;
    finish(task, outcome);
  } else if (task.status_ == Status::running) {
    throw std::logic_error("lockstep: task #" + std::to_string(task.id()) +
                           " suspended at an await the loop does not know; only lockstep "
                           "awaitables may suspend a task");
  }
}

void EventLoop::finish(TaskControl& task, Outcome outcome) noexcept {
  task.status_ = Status::done;
  task.outcome_ = outcome;
  task.cancel_pending_ = false;
  task.parked_at_ = nullptr;
  (task.prev_live_ != nullptr ? task.prev_live_->next_live_ : live_head_) = task.next_live_;
  (task.next_live_ != nullptr ? task.next_live_->prev_live_ : live_tail_) = task.prev_live_;
  task.prev_live_ = task.next_live_ = nullptr;
  --live_count_;
  while (detail::Joiner* joiner = task.joiners_.front()) {
    task.joiners_.unlink(*joiner);
    if (closing_) {
      joiner->on_loop_closing();
    } else {
      joiner->on_done(task);
    }
  }
  task.drop_ref();
}

namespace detail {

namespace {
thread_local UnretrievedErrorSink unretrieved_sink;
}  // namespace

void report_unretrieved(TaskId id, const std::string& name, const std::exception_ptr& error) noexcept {
  if (unretrieved_sink.handler != nullptr) {
    unretrieved_sink.handler(unretrieved_sink.context, id, name, error);
    return;
  }
  std::string what;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown exception";  // not a std::exception: nothing more to say
  }
  std::fprintf(stderr, "lockstep: task #%llu%s%s%s failed and its exception was never retrieved: %s\n",
               static_cast<unsigned long long>(id), name.empty() ? "" : " (", name.c_str(), name.empty() ? "" : ")",
               what.c_str());
}

}  // namespace detail
UnretrievedErrorSink set_unretrieved_error_sink(UnretrievedErrorSink sink) noexcept {
  const UnretrievedErrorSink before = detail::unretrieved_sink;
  detail::unretrieved_sink = sink;
  return before;
}

}  // namespace lockstep
