// docs/SEMANTICS.md's lock (LK-*) as a plain state machine: asyncio.Lock's
// `_locked` flag and its deque of waiter futures, each pending (not done),
// woken (result set) or cancelled. No coroutines, no core; used by ModelRun
// and by props/model_based_test.cpp.
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
  [[nodiscard]] std::optional<TaskNumber> holder() const { return holder_; }  // LK-HOLDER
  [[nodiscard]] const std::deque<Entry>& waiters() const { return queue_; }   // OB-LOCK
  [[nodiscard]] std::size_t live_waiters() const {
    return static_cast<std::size_t>(
        std::count_if(queue_.begin(), queue_.end(), [](const Entry& e) { return e.state != Waiter::cancelled; }));
  }
  [[nodiscard]] std::size_t cancelled_waiters() const { return queue_.size() - live_waiters(); }

  // LK-ACQ-FAST, LK-TRY: unlocked and every queued waiter cancelled.
  [[nodiscard]] bool can_take_at_once() const { return !locked_ && live_waiters() == 0; }
  // LK-ACQ-FAST, LK-TRY, LK-RESUME. holder: none for try_acquire.
  void take(std::optional<TaskNumber> holder) {
    if (locked_) throw std::logic_error("model: take() of a held lock");
    locked_ = true;
    holder_ = holder;
  }
  // LK-ACQ-WAIT.
  void enqueue(TaskNumber task) { queue_.push_back({task, Waiter::pending}); }

  // LK-REL. Returns false for not-acquired; otherwise unlocks and sets `woke`
  // to the task LK-WAKE woke, if any.
  bool release(std::optional<TaskNumber>& woke) {
    if (!locked_) return false;
    locked_ = false;
    holder_.reset();
    woke = wake_first();
    return true;
  }

  // CN-WAIT, lock waiter: only a pending waiter can be cancelled.
  void cancel_pending(TaskNumber task) {
    Entry& entry = find(task);
    if (entry.state != Waiter::pending) throw std::logic_error("model: cancel of a waiter that is not pending");
    entry.state = Waiter::cancelled;
  }

  [[nodiscard]] Waiter state_of(TaskNumber task) const { return const_cast<LockTable*>(this)->find(task).state; }
  [[nodiscard]] bool has_waiter(TaskNumber task) const {
    return std::any_of(queue_.begin(), queue_.end(), [&](const Entry& e) { return e.task == task; });
  }

  // The waiter's task resumes. `cancelled`: it resumes with CancelledError
  // (LK-CANCEL: unlink, LK-WAKE if unlocked); otherwise LK-RESUME (unlink,
  // take). Returns the task LK-WAKE woke, if any.
  std::optional<TaskNumber> waiter_runs(TaskNumber task, bool cancelled) {
    const Waiter state = find(task).state;
    queue_.erase(std::find_if(queue_.begin(), queue_.end(), [&](const Entry& e) { return e.task == task; }));
    if (cancelled) return locked_ ? std::nullopt : wake_first();
    if (state != Waiter::woken || locked_) throw std::logic_error("model: a waiter ran that was not woken");
    take(task);
    return std::nullopt;
  }

 private:
  // LK-WAKE: only the FIRST waiter is looked at.
  std::optional<TaskNumber> wake_first() {
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
