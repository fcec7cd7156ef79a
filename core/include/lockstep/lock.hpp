// Lock: a coroutine lock with the semantics of Python's asyncio.Lock.
#pragma once

#include <cassert>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <utility>

#include "lockstep/detail/intrusive_list.hpp"
#include "lockstep/detail/task_control.hpp"
#include "lockstep/errors.hpp"
#include "lockstep/task.hpp"

namespace lockstep {

class Lock;
class LockGuard;

struct LockStatistics {
  bool locked = false;
  std::size_t live_waiters = 0;       // pending or woken
  std::size_t cancelled_waiters = 0;  // still queued, about to unlink themselves
  std::optional<TaskId> holder;       // the task that acquired it, if a task did
};

namespace detail {

// The awaitable that acquire() returns, and the waiter node itself: it lives in
// the awaiting coroutine's frame, so queueing never allocates.
class AcquireAwaiter final : public ListNode, Interruptible {
 public:
  enum class State : unsigned char { idle, pending, woken, cancelled };

  explicit AcquireAwaiter(Lock& lock) noexcept : lock_(&lock) {}
  // Movable until it is awaited (so it can be passed to wait_for).
  AcquireAwaiter(AcquireAwaiter&& other) noexcept : lock_(other.lock_) { assert(!other.linked()); }
  ~AcquireAwaiter();

  // The fast path: takes a free lock without suspending at all.
  bool await_ready() noexcept { return try_fast_path(); }
  template <LockstepPromise P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    task_ = &awaiting.promise().task();
    enqueue_and_park(awaiting);
  }
  void await_resume();

 private:
  friend class lockstep::Lock;
  bool try_fast_path() noexcept;
  void enqueue_and_park(std::coroutine_handle<> awaiting) noexcept;
  void resume_queued();  // await_resume of a waiter that queued
  Interrupted interrupt() noexcept override;

  Lock* lock_;
  TaskControl* task_;  // set by await_suspend: meaningful only while queued
  State state_ = State::idle;
};

class ScopedAwaiter {
 public:
  explicit ScopedAwaiter(Lock& lock) noexcept : acquire_(lock), lock_(&lock) {}
  ScopedAwaiter(ScopedAwaiter&&) noexcept = default;

  bool await_ready() noexcept { return acquire_.await_ready(); }
  template <LockstepPromise P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    acquire_.await_suspend(awaiting);
  }
  LockGuard await_resume();

 private:
  AcquireAwaiter acquire_;
  Lock* lock_;
};

}  // namespace detail

// An asyncio.Lock for lockstep's EventLoop.
//
// What it is: a mutual-exclusion lock for coroutines on one loop. It has no
// owner: any task, or code outside every task, may release() it.
// Thread affinity: one thread, like the loop. Tasks of several loops on that
//   thread may share it; each waiter is woken on its own task's loop.
// Ordering: strict FIFO among live waiters, in the order they started waiting.
//   release() frees the lock and wakes the head waiter; until that waiter runs
//   (the hand-off window) locked() is false, yet a newcomer's acquire() queues
//   behind it: there is no barging.
// Where a waiter resumes: in its own step, when the loop reaches it, never
//   inside release(). A hand-off chain of any length uses no stack.
// Cancellation: a fast-path acquire() is not a cancellation point. A queued
//   waiter that is cancelled throws CancelledError without the lock; if it had
//   been woken, the wake-up passes to the next waiter.
// Undefined: using it from two threads. Destroying it while waiters are queued
//   or guards still refer to it is a programming error: the destructor prints
//   "lockstep: Lock destroyed with N waiter(s) queued and M guard(s) alive" to
//   stderr and calls std::abort() rather than leave them pointing at freed
//   memory. Declare the lock before the EventLoop, so the loop (which destroys
//   its unfinished tasks, and with them their waiters and guards) goes first.
//
//   lockstep::Lock lock;
//   Task<> worker() {
//     auto guard = co_await lock.scoped();   // async with lock:
//     co_await lockstep::sleep(1s);
//   }                                         // released, even on exceptions
//
// The state machine (SEMANTICS LK-*); "live" waiters are pending or woken:
//
// | call / event          | free, no live waiter | free, head woken      | held                  |
// |-----------------------|----------------------|-----------------------|-----------------------|
// | acquire()             | take it, no suspend  | queue at tail         | queue at tail         |
// | release()             | LockNotAcquired      | LockNotAcquired       | free; wake head if    |
// |                       |                      |                       | it is pending         |
// | woken waiter runs     | -                    | unlink, take it       | impossible            |
// | pending waiter        | -                    | mark cancelled; when it runs: unlink, throw, and if   |
// |   cancelled           |                      | free, wake the head if pending                        |
// | woken waiter          | -                    | unlink, throw, wake   | -                     |
// |   cancelled first     |                      | the new head          |                       |
class Lock {
 public:
  friend class LockGuard;
  Lock() noexcept = default;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  ~Lock();

  // `co_await lock.acquire();` Takes the lock at once, without suspending, when
  // it is free and no live waiter is queued; otherwise queues at the tail.
  [[nodiscard]] detail::AcquireAwaiter acquire() noexcept { return detail::AcquireAwaiter{*this}; }

  // `auto guard = co_await lock.scoped();` acquire(), then a guard that
  // releases on every exit from its scope.
  [[nodiscard]] detail::ScopedAwaiter scoped() noexcept { return detail::ScopedAwaiter{*this}; }

  // Takes the lock only where acquire() would take it without suspending.
  // Never barges past a live waiter. (Beyond asyncio, SEMANTICS DV-TRY.)
  bool try_acquire() noexcept;

  // Frees the lock and wakes the head waiter if it is pending.
  // Throws LockNotAcquired ("Lock is not acquired.") if the lock is free,
  // including in the hand-off window.
  void release();

  [[nodiscard]] bool locked() const noexcept { return locked_; }
  [[nodiscard]] LockStatistics statistics() const noexcept;
  // Checks INV-FIFO, INV-ONE-WOKEN and INV-LIVE-COUNT (below) and aborts with
  // "lockstep: Lock invariant INV-... broken: ..." on stderr if one does not
  // hold. Active only where core/src/lock.cpp is compiled without NDEBUG (the
  // lock calls it itself wherever it restores an invariant); with NDEBUG it
  // does nothing, so the mutant cores (mutants/, built with NDEBUG) must be
  // caught by the harness alone. Linear in the number of queued waiters up to
  // 64; a longer queue is checked at its head and by its counts only.
  void check_invariants() const noexcept;

  // Calls f(task id, state) for every queued waiter, head first; state is
  // pending, woken or cancelled. For harnesses and debugging.
  template <class F>
  void for_each_waiter(F&& f) const {
    for (const Waiter* w = waiters_.front(); w != nullptr; w = detail::IntrusiveList<Waiter>::next(*w)) {
      f(w->task_->id(), w->state_);
    }
  }

 private:
  friend class detail::AcquireAwaiter;
  using Waiter = detail::AcquireAwaiter;

  void take(const detail::TaskControl* by) noexcept;
  // check_invariants(), and INV-NO-BARGING: after a take without queueing.
  void check_taken_without_queueing() const noexcept;
  void wake_head_if_pending() noexcept;
  void unlink(Waiter& waiter) noexcept;

  bool locked_ = false;
  // INV-FIFO: waiters_ is in the order acquire() suspended; only the head is
  //   ever woken.
  // INV-ONE-WOKEN: at most one waiter is woken, and only while !locked_; and a
  //   free lock with live waiters is in a hand-off: its head is woken, or
  //   cancelled and about to pass the wake-up on when it unlinks.
  // INV-LIVE-COUNT: live_waiters_ == number of pending or woken waiters.
  // INV-NO-BARGING: the fast path is taken only when !locked_ && live_waiters_ == 0.
  detail::IntrusiveList<Waiter> waiters_;
  std::size_t live_waiters_ = 0;
  std::size_t live_guards_ = 0;  // guards that still refer to this lock
  TaskId holder_ = 0;            // the task that acquired it; 0: none (task ids start at 1)
};

// The guard of `co_await lock.scoped()`: releases the lock when it leaves scope
// (normal exit, exception, cancellation) and never swallows the exception.
// Move-only; a moved-from guard releases nothing.
//
// Misuse: if the body released the lock by hand (or another task released it:
// the lock has no owner), the lock is free when the guard leaves scope. Like
// asyncio's `async with`, whose __aexit__ then raises RuntimeError, the
// destructor throws LockNotAcquired. While another exception is already
// unwinding the scope, C++ cannot raise a second one: that exception keeps
// propagating and the guard does nothing (asyncio would chain the two). While
// its frame is destroyed unfinished (loop teardown) it never throws either.
// ("Unwinding" is any exception in flight on the thread: a loop stepped from a
// destructor during stack unwinding would see its misused guards stay quiet;
// the alternative, recording std::uncaught_exceptions() in every guard, costs
// a library call on every acquisition.) If
// another task took the lock in between, the guard releases that task's hold,
// as asyncio does. Call guard.release() to release early instead.
class [[nodiscard]] LockGuard {
 public:
  explicit LockGuard(Lock& lock) noexcept;
  LockGuard(LockGuard&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
  LockGuard& operator=(LockGuard&&) = delete;
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  ~LockGuard() noexcept(false);

  // Releases now; the guard then does nothing.
  void release();
  [[nodiscard]] bool owns_release() const noexcept { return lock_ != nullptr; }

 private:
  Lock* lock_;
};

}  // namespace lockstep
