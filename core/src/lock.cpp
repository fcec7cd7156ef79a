#include "lockstep/lock.hpp"

#include <cstdio>
#include <cstdlib>

#include "lockstep/detail/inline_with_lto.hpp"
#include "lockstep/event_loop.hpp"

namespace lockstep {

using Waiter = detail::AcquireAwaiter;
using State = Waiter::State;

Lock::~Lock() {
  if (!waiters_.empty() || live_guards_ != 0) {
    std::fprintf(stderr, "lockstep: Lock destroyed with %zu waiter(s) queued and %zu guard(s) alive\n", waiters_.size(),
                 live_guards_);
    std::abort();
  }
}

namespace {
[[maybe_unused]] [[noreturn]] void invariant_broken(const char* name, const char* what) noexcept {
  std::fprintf(stderr, "lockstep: Lock invariant %s broken: %s\n", name, what);
  std::abort();
}
}  // namespace

// Debug builds only: NDEBUG (release builds, the mutant cores) compiles it away.
// A queue longer than kCheckedWaiters is checked at its head and by its counts
// only, so that long hand-off chains stay linear.
void Lock::check_invariants() const noexcept {
#ifndef NDEBUG
  constexpr std::size_t kCheckedWaiters = 64;
  if (waiters_.size() > kCheckedWaiters) {
    if (live_waiters_ > waiters_.size()) invariant_broken("INV-LIVE-COUNT", "more live waiters than queued ones");
    if (waiters_.front()->state_ == State::woken && locked_) {
      invariant_broken("INV-ONE-WOKEN", "a waiter is woken while the lock is held");
    }
    return;
  }
  std::size_t live = 0;
  std::size_t woken = 0;
  for (const Waiter* w = waiters_.front(); w != nullptr; w = detail::IntrusiveList<Waiter>::next(*w)) {
    if (w->state_ == State::idle) invariant_broken("INV-FIFO", "an idle waiter is queued");
    if (w->state_ == State::woken && w != waiters_.front()) {
      invariant_broken("INV-FIFO", "a waiter behind the head is woken");
    }
    woken += w->state_ == State::woken ? 1 : 0;
    live += w->state_ == State::pending || w->state_ == State::woken ? 1 : 0;
  }
  if (woken > 1) invariant_broken("INV-ONE-WOKEN", "more than one waiter is woken");
  if (woken != 0 && locked_) invariant_broken("INV-ONE-WOKEN", "a waiter is woken while the lock is held");
  if (!locked_ && live != 0 && waiters_.front()->state_ == State::pending) {
    invariant_broken("INV-ONE-WOKEN", "the lock is free, its head waiter is pending and nobody will wake it");
  }
  if (live != live_waiters_) {
    invariant_broken("INV-LIVE-COUNT", "the live-waiter count is not the number of live waiters");
  }
#endif
}

void Lock::check_taken_without_queueing() const noexcept {
#ifndef NDEBUG
  if (!locked_ || live_waiters_ != 0) invariant_broken("INV-NO-BARGING", "taken without queueing past a live waiter");
  check_invariants();
#endif
}

LOCKSTEP_INLINE_WITH_LTO bool Lock::try_acquire() noexcept {
  if (locked_ || live_waiters_ != 0) return false;  // INV-NO-BARGING
  take(nullptr);
  check_taken_without_queueing();  // INV-NO-BARGING
  return true;
}

LOCKSTEP_INLINE_WITH_LTO void Lock::release() {
  if (!locked_) throw LockNotAcquired{};
  locked_ = false;
  holder_ = 0;
  wake_head_if_pending();
  check_invariants();  // INV-ONE-WOKEN: a live head is woken
}

LockStatistics Lock::statistics() const noexcept {
  const std::optional<TaskId> holder = holder_ != 0 ? std::optional<TaskId>{holder_} : std::nullopt;
  return {locked_, live_waiters_, waiters_.size() - live_waiters_, holder};
}

LOCKSTEP_INLINE_WITH_LTO void Lock::take(const detail::TaskControl* by) noexcept {
  assert(!locked_);
  locked_ = true;
  if (by != nullptr) holder_ = by->id();
}

LOCKSTEP_INLINE_WITH_LTO void Lock::wake_head_if_pending() noexcept {
  Waiter* head = waiters_.front();
  if (head == nullptr || head->state_ != State::pending) return;
  // INV-ONE-WOKEN: the head is the only waiter ever woken, and a woken head
  // blocks every other wake-up until it unlinks.
  head->state_ = State::woken;
  detail::LoopAccess::wake(*head->task_);
}

LOCKSTEP_INLINE_WITH_LTO void Lock::unlink(Waiter& waiter) noexcept {
  waiters_.unlink(waiter);
  if (waiter.state_ == State::pending || waiter.state_ == State::woken) --live_waiters_;  // INV-LIVE-COUNT
  waiter.state_ = State::idle;
}

namespace detail {

LOCKSTEP_INLINE_WITH_LTO bool AcquireAwaiter::try_fast_path() noexcept {
  Lock& lock = *lock_;
  if (lock.locked_ || lock.live_waiters_ != 0) return false;  // INV-NO-BARGING
  lock.take(running_task);
  lock.check_taken_without_queueing();  // INV-NO-BARGING
  return true;
}

LOCKSTEP_INLINE_WITH_LTO void AcquireAwaiter::enqueue_and_park(std::coroutine_handle<> awaiting) noexcept {
  state_ = State::pending;
  lock_->waiters_.push_back(*this);  // INV-FIFO
  ++lock_->live_waiters_;
  task_->park(awaiting, *this);  // may interrupt this waiter at once (a cancellation while running)
  lock_->check_invariants();     // INV-FIFO, INV-LIVE-COUNT
}

// The task is parked here, so this waiter is pending (a woken waiter's task is
// ready, not parked, and sees its cancellation in await_resume instead).
Interrupted AcquireAwaiter::interrupt() noexcept {
  assert(state_ == State::pending);
  state_ = State::cancelled;
  --lock_->live_waiters_;     // INV-LIVE-COUNT; cancelled waiters never block the fast path
  lock_->check_invariants();  // INV-LIVE-COUNT
  return Interrupted::wake;
}

LOCKSTEP_INLINE_WITH_LTO void AcquireAwaiter::await_resume() {
  if (!linked()) return;  // fast path
  resume_queued();
}

LOCKSTEP_INLINE_WITH_LTO void AcquireAwaiter::resume_queued() {
  Lock& lock = *lock_;
  assert(state_ == State::woken || state_ == State::cancelled);
  // An interrupted waiter stays cancelled even if the request was withdrawn
  // (uncancel) before it ran: its slot is already given up.
  const bool cancel_delivered = task_->take_cancellation();
  const bool cancelled = state_ == State::cancelled || cancel_delivered;
  lock.unlink(*this);
  if (cancelled) {
    // Cancellation wins over a wake-up that already arrived; either way, if the
    // lock is free, the head must not be left waiting (restores INV-ONE-WOKEN's
    // promise that a free lock with live waiters has a woken head).
    if (!lock.locked_) lock.wake_head_if_pending();
    lock.check_invariants();  // INV-ONE-WOKEN, INV-LIVE-COUNT
    detail::throw_cancelled();
  }
  lock.take(task_);
  lock.check_invariants();  // INV-ONE-WOKEN: the woken head is gone, the lock is held
}

// The frame died while queued (its task was destroyed with the loop, or a
// Task holding it was destroyed unfinished). Unlink, and do what the waiter
// would have done had it run: a free lock must not keep a pending head asleep
// (a woken or cancelled waiter may have been the one due to pass a wake-up on).
LOCKSTEP_INLINE_WITH_LTO AcquireAwaiter::~AcquireAwaiter() {
  if (!linked()) return;
  lock_->unlink(*this);
  if (!lock_->locked_) lock_->wake_head_if_pending();
  lock_->check_invariants();  // INV-ONE-WOKEN, INV-LIVE-COUNT
}

LOCKSTEP_INLINE_WITH_LTO LockGuard ScopedAwaiter::await_resume() {
  acquire_.await_resume();
  return LockGuard{*lock_};
}

}  // namespace detail

LOCKSTEP_INLINE_WITH_LTO LockGuard::LockGuard(Lock& lock) noexcept : lock_(&lock) { ++lock.live_guards_; }

LOCKSTEP_INLINE_WITH_LTO LockGuard::~LockGuard() noexcept(false) {
  if (lock_ == nullptr) return;
  Lock& lock = *std::exchange(lock_, nullptr);
  --lock.live_guards_;
  if (lock.locked()) {
    lock.release();
    return;
  }
  // The lock is already free. Unwinding, the exception in flight wins; while
  // the frame is being destroyed (loop teardown), there is no one to tell.
  if (std::uncaught_exceptions() != 0 || detail::frames_being_destroyed != 0) return;
  throw LockNotAcquired{};
}

void LockGuard::release() {
  if (lock_ == nullptr) throw LockNotAcquired{};
  Lock& lock = *std::exchange(lock_, nullptr);
  --lock.live_guards_;
  lock.release();
}

}  // namespace lockstep
