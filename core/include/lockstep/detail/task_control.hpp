// The control block of one spawned task: identity, scheduling status,
// cancellation state and the list of those waiting for it to finish.
// Internal: users hold a TaskHandle<T>.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <string>
#include <utility>

#include "lockstep/detail/intrusive_list.hpp"

namespace lockstep {

class EventLoop;
class ReadyTasks;

// Tasks are numbered 1, 2, 3, ... in spawn order, per loop: ids are data that
// replays (never addresses).
using TaskId = std::uint64_t;

// Virtual time. Steps take no time; only sleeping and timeouts move the clock.
using Duration = std::chrono::nanoseconds;

namespace detail {

class TaskControl;

// The task the loop on this thread is stepping (null between steps). Lets a
// non-suspending await (the lock's fast path) know its task without the
// suspension machinery.
inline thread_local TaskControl* running_task = nullptr;

// What cancelling a parked task did to the await it is parked at [CN-PARKED].
enum class Interrupted : std::uint8_t {
  wake,       // the await is cancelled: wake the task; it raises CancelledError there
  handed_on,  // the cancellation went to what it awaits (a task, a gather's
              // children); keep waiting for that outcome
  at_resume,  // nothing could be cancelled: keep waiting, and raise
              // CancelledError when the task resumes (asyncio's _must_cancel)
};

// A suspension point that TaskControl::cancel() can interrupt while the task is
// parked there (a lock waiter, a sleep, a join, a gather).
class Interruptible {
 public:
  virtual Interrupted interrupt() noexcept = 0;

 protected:
  ~Interruptible() = default;
};

// What the loop's ready queue holds (asyncio's Handle) [LP-QUEUE]: a task's
// next step, or a loop-internal callback that asyncio spends a turn on.
enum class EntryKind : std::uint8_t {
  task,
  gather_done,      // a gather child finished; the gather counts it [GA-TURN]
  timeout_inner,    // wait_for(aw, t <= 0): the inner task's only step [WF-NONPOS]
  timeout_release,  // wait_for(aw, t <= 0): its done-callback, which wakes the task
};

class ReadyNode {
 public:
  ReadyNode(const ReadyNode&) = delete;
  ReadyNode& operator=(const ReadyNode&) = delete;
  [[nodiscard]] EntryKind entry_kind() const noexcept { return entry_kind_; }

 protected:
  explicit ReadyNode(EntryKind kind) noexcept : entry_kind_(kind) {}
  ~ReadyNode() = default;

 private:
  friend class lockstep::EventLoop;
  friend class lockstep::ReadyTasks;
  ReadyNode* next_ready_ = nullptr;
  EntryKind entry_kind_;
};

// A loop-internal callback: allocated when scheduled, owned by the loop until
// it has run. It serves an awaiter through `slot` (the awaiter's pointer to
// it); when that awaiter goes first it detaches, and the callback still takes
// its turn, doing nothing (as a no-op asyncio callback would).
class Callback : public ReadyNode {
 public:
  Callback(EntryKind kind, TaskId owner, Callback** slot) noexcept : ReadyNode(kind), owner_(owner), slot_(slot) {
    *slot = this;
  }
  virtual ~Callback() { detach(); }
  // The task whose await this callback serves (for traces and schedulers).
  [[nodiscard]] TaskId owner() const noexcept { return owner_; }
  void detach() noexcept {
    if (slot_ != nullptr) *std::exchange(slot_, nullptr) = nullptr;
  }
  void run() noexcept {
    const bool attached = slot_ != nullptr;
    detach();
    if (attached) fire();
  }

 private:
  virtual void fire() noexcept = 0;
  TaskId owner_;
  Callback** slot_;
};

template <class F>
class CallbackOf final : public Callback {
 public:
  CallbackOf(EntryKind kind, TaskId owner, Callback** slot, F f) noexcept
      : Callback(kind, owner, slot), f_(std::move(f)) {}

 private:
  void fire() noexcept override { f_(); }
  F f_;
};

// Told once when a task finishes (co_await handle, gather).
class Joiner : public ListNode {
 public:
  virtual void on_done(TaskControl& task) noexcept = 0;
  // The loop is being destroyed with the task unfinished: on_done never comes.
  virtual void on_loop_closing() noexcept {}

 protected:
  ~Joiner() = default;
};

enum class Outcome : std::uint8_t { pending, value, error, cancelled };

class TaskControl : public ReadyNode {
 public:
  // ready: in the loop's ready queue. running: being stepped. parked: suspended
  // until something wakes it. done: finished; its frame is gone.
  enum class Status : std::uint8_t { ready, running, parked, done };

  TaskControl(EventLoop& loop, TaskId id, std::string name) noexcept;

  [[nodiscard]] TaskId id() const noexcept { return id_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] EventLoop& loop() const noexcept { return *loop_; }
  [[nodiscard]] Status status() const noexcept { return status_; }
  [[nodiscard]] Outcome outcome() const noexcept { return outcome_; }
  [[nodiscard]] bool done() const noexcept { return status_ == Status::done; }

  // SEMANTICS LP-*, CN-*. Parked at an Interruptible: interrupt it now. Ready or running:
  // the next await it resumes from (or suspends at) throws CancelledError.
  // Done: nothing. Returns false only when the task is done.
  bool cancel() noexcept;

  // How many cancel() calls are outstanding (asyncio Task.cancelling()), and
  // withdrawing one (Task.uncancel()); wait_for uses both to tell its own
  // timeout from a cancellation that came from outside.
  [[nodiscard]] int cancelling() const noexcept { return cancel_requests_; }
  int uncancel() noexcept;

  // For await_resume of every cancellable await: consumes a delivered
  // cancellation. true means "throw CancelledError here".
  [[nodiscard]] bool take_cancellation() noexcept;
  void throw_if_cancelled();

  // Suspends the running task at `resume_at` until EventLoop::wake. While it is
  // parked, cancel() goes to `interruptible`.
  void park(std::coroutine_handle<> resume_at, Interruptible& interruptible) noexcept;
  // Suspends the running task at `resume_at` and puts it at the back of the
  // ready queue (yield_now).
  void yield(std::coroutine_handle<> resume_at) noexcept;

  void add_joiner(Joiner& joiner) noexcept { joiners_.push_back(joiner); }
  void remove_joiner(Joiner& joiner) noexcept { joiners_.unlink(joiner); }

  // Someone has seen this task's outcome (awaited it, asked for its result, or
  // a gather reported its sibling's failure): a failure it had is not lost.
  void mark_retrieved() noexcept { retrieved_ = true; }
  [[nodiscard]] bool retrieved() const noexcept { return retrieved_; }

  void add_ref() noexcept { ++refs_; }
  void drop_ref() noexcept;

 protected:
  virtual ~TaskControl() = default;
  // The root coroutine has returned or thrown: move its result out, destroy
  // the frame, and return how it ended.
  virtual Outcome collect_root() noexcept = 0;
  // The loop is closing with this task unfinished: destroy the frame.
  virtual void destroy_root() noexcept = 0;
  // First step: the root coroutine's handle.
  [[nodiscard]] virtual std::coroutine_handle<> root() const noexcept = 0;
  // A failed task whose error nobody retrieved says so when it is freed.
  virtual void report_unretrieved_error() const noexcept {}

 private:
  friend class lockstep::EventLoop;
  friend class lockstep::ReadyTasks;
  void apply(Interrupted interrupted) noexcept;

  EventLoop* loop_;
  TaskId id_;
  std::string name_;
  Status status_ = Status::ready;
  bool loop_closing_ = false;  // the loop is being destroyed: wake-ups are dropped
  Outcome outcome_ = Outcome::pending;
  bool started_ = false;
  // A cancellation is due at the next await this task resumes from.
  bool cancel_pending_ = false;
  bool interrupting_ = false;
  int cancel_requests_ = 0;
  std::coroutine_handle<> resume_at_;
  std::coroutine_handle<> root_frame_;  // root(), cached for the step loop: alive until collect_root
  Interruptible* parked_at_ = nullptr;
  IntrusiveList<Joiner> joiners_;
  TaskControl* prev_live_ = nullptr;  // EventLoop's list of unfinished tasks
  TaskControl* next_live_ = nullptr;
  int refs_ = 1;  // the loop's own reference, dropped when the task is done
  bool retrieved_ = false;
};

}  // namespace detail
}  // namespace lockstep
