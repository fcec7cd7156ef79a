// SPEC §2 as a plain state machine: the reference the production Lock is
// compared with. One function per row of the table; no coroutines, no core.
//
// | call / event              | free, no live waiter | free, head woken | held                 |
// |---------------------------|----------------------|------------------|----------------------|
// | acquire()                 | take                 | enqueue pending  | enqueue pending      |
// | release()                 | not acquired         | not acquired     | free, wake pending head |
// | woken waiter runs         | -                    | unlink, take     | impossible           |
// | pending waiter cancelled  | -                    | cancelled; when it runs: unlink, and    |
// |                           |                      | if free, wake pending head              |
// | woken waiter cancelled    | -                    | unlink, wake pending head | -           |
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>
#include <stdexcept>

namespace lockstep::model {

using TaskNumber = int;

class LockTable {
 public:
  enum class Waiter { pending, woken, cancelled };
  struct Entry {
    TaskNumber task;
    Waiter state;
  };

  [[nodiscard]] bool locked() const { return locked_; }
  [[nodiscard]] std::optional<TaskNumber> holder() const { return holder_; }
  [[nodiscard]] std::size_t live_waiters() const {
    return static_cast<std::size_t>(std::count_if(queue_.begin(), queue_.end(),
                                                   [](const Entry& e) { return e.state != Waiter::cancelled; }));
  }
  [[nodiscard]] std::size_t cancelled_waiters() const { return queue_.size() - live_waiters(); }

  // Row "acquire()", first column: the only case that takes without waiting.
  [[nodiscard]] bool can_take_at_once() const { return !locked_ && live_waiters() == 0; }
  void take(std::optional<TaskNumber> holder) {
    if (locked_) throw std::logic_error("model: take() of a held lock");
    locked_ = true;
    holder_ = holder;
  }
  // Row "acquire()", other columns.
  void enqueue(TaskNumber task) { queue_.push_back({task, Waiter::pending}); }

  // Row "release()". Returns false for LockNotAcquired; otherwise frees the
  // lock and returns the task it woke, if any.
  bool release(std::optional<TaskNumber>& woke) {
    if (!locked_) return false;
    locked_ = false;
    holder_.reset();
    woke = wake_head_if_pending();
    return true;
  }

  // Row "pending waiter cancelled".
  void cancel_pending(TaskNumber task) {
    Entry& entry = find(task);
    if (entry.state != Waiter::pending) throw std::logic_error("model: cancel of a waiter that is not pending");
    entry.state = Waiter::cancelled;
  }

  [[nodiscard]] Waiter state_of(TaskNumber task) const { return const_cast<LockTable*>(this)->find(task).state; }

  // Rows "woken waiter runs", "pending waiter cancelled" (when it runs) and
  // "woken waiter cancelled". `cancelled` says whether the task resumes with
  // a cancellation. Returns the task it woke, if any.
  std::optional<TaskNumber> waiter_runs(TaskNumber task, bool cancelled) {
    const Waiter state = find(task).state;
    queue_.erase(std::find_if(queue_.begin(), queue_.end(), [&](const Entry& e) { return e.task == task; }));
    if (cancelled) return locked_ ? std::nullopt : wake_head_if_pending();
    if (state != Waiter::woken || locked_) throw std::logic_error("model: a waiter ran that was not woken");
    take(task);
    return std::nullopt;
  }

 private:
  std::optional<TaskNumber> wake_head_if_pending() {
    if (queue_.empty() || queue_.front().state != Waiter::pending) return std::nullopt;
    queue_.front().state = Waiter::woken;
    return queue_.front().task;
  }
  Entry& find(TaskNumber task) {
    for (Entry& e : queue_) {
      if (e.task == task) return e;
    }
    throw std::logic_error("model: task is not queued");
  }

  bool locked_ = false;
  std::optional<TaskNumber> holder_;
  std::deque<Entry> queue_;
};

}  // namespace lockstep::model
