// The Lock, stepped by hand and checked between steps, row by row against
// SEMANTICS LK-*'s table, like CPython's test_locks.py. The test body itself holds
// the lock with try_acquire()/release() when it needs an outside holder.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "lockstep/lockstep.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using lockstep::CancelledError;
using lockstep::EventLoop;
using lockstep::Lock;
using lockstep::LockNotAcquired;
using lockstep::Task;
using lockstep::TaskHandle;
using lockstep::testing::Counted;
using lockstep::testing::Log;
using lockstep::testing::Occupancy;

namespace {

// Acquires and keeps the lock (the test releases it), logging "<name>".
Task<> acquire_and_keep(Lock& lock, Log& log, std::string name) {
  try {
    co_await lock.acquire();
  } catch (const CancelledError&) {
    log.push_back(name + " cancelled");
    throw;
  }
  log.push_back(name);
}

// Acquires, holds across a yield, releases; checks exclusion on the way.
Task<> take_turn(Lock& lock, Occupancy& occupancy, Log& log, std::string name) {
  auto guard = co_await lock.scoped();
  occupancy.enter();
  log.push_back(name);
  co_await lockstep::yield_now();
  occupancy.leave();
}

lockstep::LockStatistics stats(const Lock& lock) { return lock.statistics(); }

}  // namespace

// ---- Row "acquire()" ----

static Task<> log_around_acquire(Lock& lock, Log& log) {
  log.push_back("before");
  co_await lock.acquire();
  log.push_back("after");
}

TEST(LockAcquire, FreeLockIsTakenAtOnceWithoutSuspending) {
  Lock lock;
  EventLoop loop;
  Log log;
  auto a = loop.spawn(log_around_acquire(lock, log));
  loop.spawn(acquire_and_keep(lock, log, "b"));
  loop.step();  // one step: no scheduling point inside acquire()
  EXPECT_EQ(log, (Log{"before", "after"}));
  EXPECT_TRUE(a.done());
  EXPECT_TRUE(lock.locked());
  EXPECT_EQ(stats(lock).holder, a.id());
}

static Task<> cancel_self_then_acquire(TaskHandle<>* self, Lock& lock, Log& log) {
  self->cancel();
  co_await lock.acquire();
  log.push_back("acquired despite the pending cancellation");
  co_await lockstep::yield_now();  // the first real suspension sees it
  log.push_back("unreachable");
}

TEST(LockAcquire, FastPathIsNotACancellationPoint) {
  Lock lock;
  EventLoop loop;
  Log log;
  TaskHandle<> self;
  self = loop.spawn(cancel_self_then_acquire(&self, lock, log));
  loop.run_until_idle();
  EXPECT_EQ(log, Log{"acquired despite the pending cancellation"});
  EXPECT_TRUE(self.cancelled());
  EXPECT_TRUE(lock.locked());  // no owner: a task that ends holding it leaves it held
}

TEST(LockAcquire, HeldLockQueuesTheCallerAsPending) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.run_until_idle();
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(stats(lock).live_waiters, 1U);
  EXPECT_EQ(loop.ready_count(), 0U);
}

TEST(LockAcquire, NewcomerQueuesBehindAWokenHeadInTheHandoffWindow) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.run_ready();
  lock.release();  // a is woken, not yet run
  EXPECT_FALSE(lock.locked());
  loop.spawn(acquire_and_keep(lock, log, "newcomer"));
  EXPECT_FALSE(lock.try_acquire());  // no barging, SEMANTICS DV-TRY
  loop.run_ready();
  EXPECT_EQ(log, Log{"a"});
  EXPECT_EQ(stats(lock).live_waiters, 1U);  // the newcomer waits
  lock.release();
  loop.run_ready();
  EXPECT_EQ(log, (Log{"a", "newcomer"}));
}

// ---- Row "release()" ----

TEST(LockRelease, OfAFreeLockThrowsLockNotAcquired) {
  Lock lock;
  try {
    lock.release();
    FAIL() << "expected LockNotAcquired";
  } catch (const LockNotAcquired& e) {
    EXPECT_STREQ(e.what(), "Lock is not acquired.");
  }
  static_assert(std::is_base_of_v<std::logic_error, LockNotAcquired>);
}

TEST(LockRelease, ASecondReleaseInTheHandoffWindowThrows) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.run_ready();
  lock.release();
  EXPECT_THROW(lock.release(), LockNotAcquired);
  loop.run_ready();
  EXPECT_EQ(log, Log{"a"});
  EXPECT_TRUE(lock.locked());
}

TEST(LockRelease, OfAHeldLockFreesItAndWakesOnlyThePendingHead) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.spawn(acquire_and_keep(lock, log, "b"));
  loop.run_ready();
  lock.release();
  EXPECT_FALSE(lock.locked());
  EXPECT_EQ(loop.ready_count(), 1U);  // only the head
  EXPECT_EQ(stats(lock).live_waiters, 2U);
  loop.run_ready();
  EXPECT_EQ(log, Log{"a"});
  EXPECT_TRUE(lock.locked());
  EXPECT_EQ(stats(lock).live_waiters, 1U);
}

static Task<> release_from_another_task(Lock& lock, Log& log) {
  lock.release();
  log.push_back("released someone else's hold");
  co_return;
}

TEST(LockRelease, ByATaskThatIsNotTheAcquirerWorks) {
  Lock lock;
  EventLoop loop;
  Log log;
  loop.spawn(acquire_and_keep(lock, log, "holder"));
  loop.run_ready();
  ASSERT_TRUE(lock.locked());
  loop.spawn(release_from_another_task(lock, log));
  loop.run_ready();
  EXPECT_FALSE(lock.locked());
  EXPECT_EQ(log, (Log{"holder", "released someone else's hold"}));
}

// ---- Row "woken waiter runs" and FIFO ----

TEST(LockFifo, FourWaitersGetTheLockInTheOrderTheyStartedWaiting) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  for (const char* name : {"a", "b", "c", "d"}) loop.spawn(acquire_and_keep(lock, log, name));
  loop.run_ready();
  for (int i = 0; i < 4; ++i) {
    lock.release();
    loop.run_ready();
    ASSERT_TRUE(lock.locked());
  }
  EXPECT_EQ(log, (Log{"a", "b", "c", "d"}));
}

static Task<> release_and_reacquire(Lock& lock, Log& log) {
  co_await lock.acquire();
  log.push_back("holder has it");
  co_await lockstep::yield_now();  // let the other task queue up
  lock.release();
  co_await lock.acquire();  // must queue behind the woken waiter
  log.push_back("holder has it again");
  lock.release();
}

TEST(LockFifo, TheReleaserReacquiringAtOnceQueuesBehindTheWokenWaiter) {
  Lock lock;
  EventLoop loop;
  Log log;
  loop.spawn(release_and_reacquire(lock, log));
  loop.spawn(acquire_and_keep(lock, log, "waiter"));
  loop.step();  // holder takes it and yields
  loop.step();  // waiter queues
  loop.step();  // holder releases (waking waiter) and queues again
  EXPECT_EQ(stats(lock).live_waiters, 2U);
  EXPECT_FALSE(lock.locked());
  loop.step();  // waiter runs
  EXPECT_EQ(log, (Log{"holder has it", "waiter"}));
  lock.release();
  loop.run_until_idle();
  EXPECT_EQ(log, (Log{"holder has it", "waiter", "holder has it again"}));
  EXPECT_FALSE(lock.locked());
}

// ---- Row "pending waiter cancelled" ----

TEST(LockCancel, PendingWaiterCancelledWhileHeldLeavesTheOthersUnaffected) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(acquire_and_keep(lock, log, "a"));
  auto b = loop.spawn(acquire_and_keep(lock, log, "b"));
  loop.spawn(acquire_and_keep(lock, log, "c"));
  loop.run_ready();
  b.cancel();
  EXPECT_EQ(stats(lock).live_waiters, 2U);
  EXPECT_EQ(stats(lock).cancelled_waiters, 1U);
  loop.run_ready();  // b unlinks and throws; the lock is held, so it wakes no one
  EXPECT_EQ(log, Log{"b cancelled"});
  EXPECT_TRUE(b.cancelled());
  EXPECT_EQ(stats(lock).cancelled_waiters, 0U);
  EXPECT_EQ(loop.ready_count(), 0U);
  lock.release();
  loop.run_ready();
  EXPECT_EQ(log, (Log{"b cancelled", "a"}));
  lock.release();
  loop.run_ready();
  EXPECT_EQ(log, (Log{"b cancelled", "a", "c"}));
}

TEST(LockCancel, CancelledHeadThatRunsAfterAReleaseWakesTheNextWaiter) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  auto a = loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.spawn(acquire_and_keep(lock, log, "b"));
  loop.run_ready();
  a.cancel();      // a is cancelled and queued to throw
  lock.release();  // the head is cancelled, not pending: nobody is woken yet
  EXPECT_EQ(loop.ready_count(), 1U);
  loop.step();  // a unlinks, sees the lock free, wakes b
  EXPECT_EQ(log, Log{"a cancelled"});
  EXPECT_EQ(loop.ready_count(), 1U);
  loop.step();
  EXPECT_EQ(log, (Log{"a cancelled", "b"}));
  EXPECT_TRUE(lock.locked());
}

TEST(LockCancel, PendingWaiterCancelledInTheHandoffWindowDoesNotWakeASecondOne) {
  Lock lock;
  EventLoop loop;
  Log log;
  Occupancy occupancy;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(take_turn(lock, occupancy, log, "a"));
  auto b = loop.spawn(take_turn(lock, occupancy, log, "b"));
  loop.spawn(take_turn(lock, occupancy, log, "c"));
  loop.run_ready();
  lock.release();  // a woken
  b.cancel();      // b pending -> cancelled, queued behind a
  loop.run_until_idle();
  EXPECT_EQ(occupancy.most, 1);
  EXPECT_EQ(log, (Log{"a", "c"}));
  EXPECT_TRUE(b.cancelled());
  EXPECT_FALSE(lock.locked());
}

// ---- Row "woken waiter cancelled before it runs" ----

TEST(LockCancel, WokenWaiterCancelledBeforeItRunsPassesTheWakeUpOn) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  auto a = loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.spawn(acquire_and_keep(lock, log, "b"));
  loop.run_ready();
  lock.release();  // a woken
  EXPECT_TRUE(a.cancel());
  loop.step();  // cancellation wins: a throws and wakes b
  EXPECT_EQ(log, Log{"a cancelled"});
  EXPECT_FALSE(lock.locked());
  EXPECT_EQ(loop.ready_count(), 1U);
  loop.step();
  EXPECT_EQ(log, (Log{"a cancelled", "b"}));
  EXPECT_TRUE(lock.locked());
  EXPECT_TRUE(a.cancelled());
}

static Task<> yield_then_acquire(Lock& lock, Log& log) {
  co_await lockstep::yield_now();
  const bool cancelled_waiter_queued = lock.statistics().cancelled_waiters == 1;
  co_await lock.acquire();
  log.push_back(cancelled_waiter_queued ? "fast path past a cancelled waiter" : "acquired");
}

TEST(LockCancel, FreshAcquireTakesTheFastPathWhenEveryQueuedWaiterIsCancelled) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  auto a = loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.spawn(yield_then_acquire(lock, log));
  loop.step();  // a queues
  loop.step();  // the newcomer yields
  a.cancel();   // a is cancelled but still queued, behind the newcomer in the ready queue
  lock.release();
  loop.step();  // newcomer: fast path
  EXPECT_EQ(log, Log{"fast path past a cancelled waiter"});
  EXPECT_TRUE(lock.locked());
  loop.step();  // a unlinks and throws; the lock is held, so it wakes no one
  EXPECT_EQ(log, (Log{"fast path past a cancelled waiter", "a cancelled"}));
  EXPECT_EQ(stats(lock).cancelled_waiters, 0U);
}

// ---- The scoped form (SEMANTICS SC-*) ----

struct BodyError : std::runtime_error {
  BodyError() : std::runtime_error("thrown in the body") {}
};

static Task<> throw_in_scoped_body(Lock& lock) {
  auto guard = co_await lock.scoped();
  co_await lockstep::yield_now();
  throw BodyError{};
}

TEST(LockScoped, ExceptionInTheBodyReleasesAndPropagatesWithItsType) {
  Lock lock;
  EventLoop loop;
  auto task = loop.spawn(throw_in_scoped_body(lock));
  loop.step();
  EXPECT_TRUE(lock.locked());
  loop.run_until_idle();
  EXPECT_FALSE(lock.locked());
  EXPECT_THROW(task.result(), BodyError);
}

static Task<> sleep_in_scoped_body(Lock& lock) {
  auto guard = co_await lock.scoped();
  co_await lockstep::sleep(1h);
}

TEST(LockScoped, CancellationDeliveredInTheBodyReleases) {
  Lock lock;
  EventLoop loop;
  Log log;
  auto holder = loop.spawn(sleep_in_scoped_body(lock));
  loop.spawn(acquire_and_keep(lock, log, "next"));
  loop.run_ready();
  EXPECT_TRUE(lock.locked());
  holder.cancel();
  loop.run_ready();
  EXPECT_TRUE(holder.cancelled());
  EXPECT_EQ(log, Log{"next"});  // released, and the hand-off happened
}

TEST(LockScoped, AGuardWhoseAcquireWasCancelledReleasesNothing) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  auto waiter = loop.spawn(sleep_in_scoped_body(lock));
  loop.run_ready();
  waiter.cancel();
  loop.run_until_idle();
  EXPECT_TRUE(waiter.cancelled());
  EXPECT_TRUE(lock.locked());  // still the test's hold
}

static Task<> move_guard_out(Lock& lock, Log& log) {
  auto guard = co_await lock.scoped();
  {
    lockstep::LockGuard moved = std::move(guard);
    EXPECT_FALSE(guard.owns_release());  // NOLINT(bugprone-use-after-move): the moved-from state is the test
  }
  log.push_back(lock.locked() ? "still held" : "released by the moved-to guard");
}

TEST(LockScoped, AMovedFromGuardReleasesNothing) {
  Lock lock;
  EventLoop loop;
  Log log;
  loop.run(move_guard_out(lock, log));
  EXPECT_EQ(log, Log{"released by the moved-to guard"});
  EXPECT_FALSE(lock.locked());
}

// ---- wait_for on acquire ----

static Task<> acquire_with_timeout(Lock& lock, Log& log) {
  try {
    co_await lockstep::wait_for(lock.acquire(), 1s);
    log.push_back("acquired");
  } catch (const lockstep::TimeoutError&) {
    log.push_back("timed out");
  }
}

TEST(LockTimeout, WaitForTimingOutOnAcquireLeavesNoWaiterAndTheLockIntact) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(acquire_with_timeout(lock, log));
  loop.spawn(acquire_and_keep(lock, log, "patient"));
  loop.run_until_idle();
  EXPECT_EQ(log, Log{"timed out"});
  EXPECT_EQ(loop.now(), 1s);
  EXPECT_TRUE(lock.locked());
  EXPECT_EQ(stats(lock).live_waiters, 1U);
  EXPECT_EQ(stats(lock).cancelled_waiters, 0U);
  lock.release();
  loop.run_until_idle();
  EXPECT_EQ(log, (Log{"timed out", "patient"}));
}

TEST(LockTimeout, WaitForAcquiresWhenTheLockComesFreeInTime) {
  Lock lock;
  EventLoop loop;
  Log log;
  loop.spawn(sleep_in_scoped_body(lock));  // holds it for an hour
  loop.run_ready();
  auto releaser = [](Lock& l) -> Task<> {
    co_await lockstep::sleep(500ms);
    l.release();
  };
  loop.spawn(acquire_with_timeout(lock, log));
  loop.spawn(releaser(lock));
  loop.run_ready();
  loop.step();  // the clock jumps to 500 ms; the lock is released
  loop.run_ready();
  EXPECT_EQ(log, Log{"acquired"});
  EXPECT_EQ(loop.now(), 500ms);
}

// ---- Long chains and teardown ----

static Task<> hand_on(Lock& lock, std::uintptr_t& lowest, std::uintptr_t& highest) {
  auto guard = co_await lock.scoped();
  // Locals live in the heap frame; the machine stack depth is what must not grow.
  // (An address used only for this measurement, never as replayed data.)
  const auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  if (lowest == 0 || here < lowest) lowest = here;
  if (here > highest) highest = here;
  co_await lockstep::yield_now();
}

TEST(LockChain, HundredThousandTasksHandTheLockOnWithoutStackGrowth) {
  Lock lock;
  EventLoop loop;
  std::uintptr_t lowest = 0;
  std::uintptr_t highest = 0;
  constexpr int kTasks = 100'000;
  for (int i = 0; i < kTasks; ++i) loop.spawn(hand_on(lock, lowest, highest));
  loop.run_until_idle();
  EXPECT_FALSE(lock.locked());
  EXPECT_EQ(loop.unfinished_task_count(), 0U);
  // Every holder ran at the same depth below EventLoop::step.
  EXPECT_LT(highest - lowest, 4096U);
}

static Task<> counted_waiter(Lock& lock) {
  Counted counted;
  auto guard = co_await lock.scoped();
  co_await lockstep::sleep(1h);
}

TEST(LockTeardown, LoopDestroyedWithTasksWaitingLeavesNoFrameAndNoWaiter) {
  Counted::alive = 0;
  Lock lock;  // outlives the loop
  {
    EventLoop loop;
    for (int i = 0; i < 4; ++i) loop.spawn(counted_waiter(lock));
    loop.run_ready();
    EXPECT_EQ(Counted::alive, 4);
    EXPECT_EQ(stats(lock).live_waiters, 3U);
  }
  EXPECT_EQ(Counted::alive, 0);
  EXPECT_EQ(stats(lock).live_waiters, 0U);
  EXPECT_EQ(stats(lock).cancelled_waiters, 0U);
  EXPECT_FALSE(lock.locked());  // the holder's guard released on its way out
}

// Only a second loop on the same thread can destroy a woken waiter whose lock
// lives on: the waiter must not take its wake-up to the grave.
TEST(LockTeardown, ATaskDestroyedWhileWokenPassesTheWakeUpOn) {
  Lock lock;
  Log log;
  EventLoop loop;
  ASSERT_TRUE(lock.try_acquire());
  {
    EventLoop doomed;
    doomed.spawn(acquire_and_keep(lock, log, "doomed"));
    doomed.run_ready();
    loop.spawn(acquire_and_keep(lock, log, "survivor"));
    loop.run_ready();
    lock.release();  // wakes the doomed waiter, which never runs
  }
  loop.run_ready();
  EXPECT_EQ(log, Log{"survivor"});
  EXPECT_TRUE(lock.locked());
}

// CN-UNCANCEL: uncancel() withdraws the count, not the cancellation the waiter
// already took: it gave up its place, and its acquire still raises. Kills 53.
TEST(LockCancel, AnInterruptedWaiterUncancelledBeforeItRunsStillRaisesAndLeavesTheLockToTheNext) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  auto a = loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.spawn(acquire_and_keep(lock, log, "b"));
  loop.run_ready();
  ASSERT_TRUE(a.cancel());
  EXPECT_EQ(a.uncancel(), 0);
  EXPECT_EQ(stats(lock).live_waiters, 1U);  // a's place is given up
  lock.release();
  loop.run_until_idle();
  EXPECT_EQ(log, (Log{"a cancelled", "b"}));
  EXPECT_TRUE(a.cancelled());
  EXPECT_EQ(stats(lock).holder, std::optional<lockstep::TaskId>{2});
}

// ---- Gaps found by mutation testing: each test names the defect it was written for and the
// mutants of mutants/ it kills (measured: build/gcc/tests/unit-NAME --gtest_filter=TEST fails) ----

// Written for a try_acquire that ignores `locked` (no mutant of mutants/ plants it; every one passes).
TEST(LockTryAcquire, OnAHeldLockWithNoWaitersFails) {
  Lock lock;
  ASSERT_TRUE(lock.try_acquire());
  EXPECT_FALSE(lock.try_acquire());
  EXPECT_TRUE(lock.locked());
  lock.release();
  EXPECT_FALSE(lock.locked());  // one release frees it: it was taken once
}

// Written for cancelled waiters blocking try_acquire. Kills 12.
TEST(LockTryAcquire, SucceedsWhenEveryQueuedWaiterIsCancelled) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  auto a = loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.run_ready();
  a.cancel();
  lock.release();
  ASSERT_EQ(lock.statistics().cancelled_waiters, 1U);
  EXPECT_TRUE(lock.try_acquire());
  loop.run_until_idle();
  EXPECT_EQ(log, Log{"a cancelled"});
  EXPECT_TRUE(lock.locked());
  EXPECT_EQ(loop.ready_count(), 0U);
}

// Written for a cancelled waiter that runs while the head is woken (lock free) forwarding a
// wake-up past that head. Kills 04, 07, 11, 12, 16.
TEST(LockCancel, CancelledWaiterRunningBeforeTheWokenHeadWakesNoOneElse) {
  Lock lock;
  EventLoop loop;
  Log log;
  Occupancy occupancy;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(take_turn(lock, occupancy, log, "a"));
  auto b = loop.spawn(take_turn(lock, occupancy, log, "b"));
  loop.spawn(take_turn(lock, occupancy, log, "c"));
  loop.run_ready();
  b.cancel();                         // b is ready (to throw) ahead of a
  lock.release();                     // a woken; ready queue: b, a
  loop.step();                        // b unlinks with the lock free and a woken
  EXPECT_EQ(loop.ready_count(), 1U);  // only a
  loop.run_until_idle();
  EXPECT_EQ(occupancy.most, 1);
  EXPECT_EQ(log, (Log{"a", "c"}));
  EXPECT_TRUE(b.cancelled());
}

// Written for a waiter whose acquire timed out staying linked while the wait_for Task (whose
// frame holds the awaiter) is alive: it must unlink at once. Kills 06, 07, 12, 18, 39.
static Task<> keep_timed_out_wait_alive(Lock& lock, Log& log) {
  auto attempt = lockstep::wait_for(lock.acquire(), 1s);
  try {
    co_await std::move(attempt);
  } catch (const lockstep::TimeoutError&) {
    log.push_back("timed out, queued cancelled=" + std::to_string(lock.statistics().cancelled_waiters));
  }
  co_await lockstep::sleep(1h);  // `attempt` still alive
}

TEST(LockUnlink, TimedOutWaiterUnlinksEvenWhileItsWaitForTaskLives) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(keep_timed_out_wait_alive(lock, log));
  loop.spawn(acquire_and_keep(lock, log, "patient"));
  loop.run_ready();
  loop.step();  // 1 s: the timeout fires
  loop.run_ready();
  EXPECT_EQ(log, Log{"timed out, queued cancelled=0"});
  lock.release();
  loop.run_ready();
  EXPECT_EQ(log, (Log{"timed out, queued cancelled=0", "patient"}));
  EXPECT_EQ(loop.now(), 1s);
}

// Written for barging: a newcomer already ready when the lock is handed off reaches the fast
// path before the woken head runs; it must queue. Kills 05, 07, 12, 16.
static Task<> newcomer_after_a_yield(Lock& lock, Log& log) {
  co_await lockstep::yield_now();
  co_await lock.acquire();
  log.push_back("newcomer");
}

TEST(LockFifo, NewcomerReachingTheFastPathInTheHandoffWindowQueues) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(acquire_and_keep(lock, log, "a"));
  loop.spawn(newcomer_after_a_yield(lock, log));
  loop.step();     // a queues
  loop.step();     // newcomer yields
  lock.release();  // a woken; ready: newcomer, a
  loop.step();     // newcomer must queue, not take it
  EXPECT_FALSE(lock.locked());
  EXPECT_EQ(lock.statistics().live_waiters, 2U);
  loop.run_ready();
  EXPECT_EQ(log, Log{"a"});
}

// Written for unlinking at the awaiter's destruction: a named awaiter outlives the co_await
// expression; a cancelled waiter must unlink when it throws. Kills 06, 07, 12.
static Task<> named_acquire_cancelled(Lock& lock, Log& log) {
  auto attempt = lock.acquire();
  try {
    co_await attempt;
    log.push_back("w acquired");
  } catch (const CancelledError&) {
    log.push_back("w cancelled, queued=" +
                  std::to_string(lock.statistics().cancelled_waiters + lock.statistics().live_waiters));
  }
  co_await lockstep::sleep(1h);  // `attempt` still in scope
}

TEST(LockUnlink, CancelledNamedAwaiterUnlinksWhenItThrows) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  auto w = loop.spawn(named_acquire_cancelled(lock, log));
  loop.spawn(acquire_and_keep(lock, log, "patient"));
  loop.run_ready();
  w.cancel();
  loop.run_ready();
  EXPECT_EQ(log, Log{"w cancelled, queued=1"});  // only the patient one
  lock.release();
  loop.run_ready();
  EXPECT_EQ(log, (Log{"w cancelled, queued=1", "patient"}));
  EXPECT_EQ(loop.now(), 0s);
}

// Written for the same with a woken waiter: it unlinks when it takes the lock, so its own
// release (awaiter still in scope) hands the lock to the next waiter. Kills 07, 08, 11, 12, 16.
static Task<> named_acquire_then_release(Lock& lock, Log& log) {
  auto attempt = lock.acquire();
  co_await attempt;
  log.push_back("w has it, live waiters=" + std::to_string(lock.statistics().live_waiters));
  lock.release();
  co_await lockstep::sleep(1h);  // `attempt` still in scope
}

TEST(LockUnlink, WokenNamedAwaiterUnlinksWhenItTakesTheLock) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  loop.spawn(named_acquire_then_release(lock, log));
  loop.spawn(acquire_and_keep(lock, log, "patient"));
  loop.run_ready();
  lock.release();
  loop.run_ready();
  EXPECT_EQ(log, (Log{"w has it, live waiters=1", "patient"}));
  EXPECT_TRUE(lock.locked());
  EXPECT_EQ(loop.now(), 0s);
}

// Written for a release that wakes a head that is not pending (EventLoop::wake refuses and
// counts a double resume). Kills 01, 03, 11, 12, 14, 16, 46, 47.
TEST(LockRelease, WithACancelledOrWokenHeadResumesNoTaskTwice) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  auto a = loop.spawn(acquire_and_keep(lock, log, "a"));
  auto b = loop.spawn(acquire_and_keep(lock, log, "b"));
  loop.spawn(acquire_and_keep(lock, log, "c"));
  loop.run_ready();
  a.cancel();      // head cancelled, ready to throw
  lock.release();  // must not touch the cancelled head
  EXPECT_EQ(lock.statistics().live_waiters, 2U);
  EXPECT_EQ(lock.statistics().cancelled_waiters, 1U);
  loop.step();  // a throws and wakes b
  b.cancel();   // b is woken (ready): cancellation wins when it runs
  loop.run_until_idle();
  EXPECT_EQ(log, (Log{"a cancelled", "b cancelled", "c"}));
  EXPECT_EQ(loop.misdirected_wakeups(), 0U);
}
