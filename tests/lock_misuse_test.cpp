// Misuse of the Lock ends in a precise exception or a loud abort, never in
// silent corruption (SEMANTICS LK-*, §3).
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "lockstep/lockstep.hpp"

using lockstep::EventLoop;
using lockstep::Lock;
using lockstep::LockNotAcquired;
using lockstep::Task;

namespace {

Task<> release_by_hand_inside_scoped_body(Lock& lock) {
  auto guard = co_await lock.scoped();
  lock.release();
}  // the guard finds the lock free

Task<> release_by_hand_then_throw(Lock& lock) {
  auto guard = co_await lock.scoped();
  lock.release();
  throw std::runtime_error("body failed");
}

Task<> wait_for_lock(Lock& lock) { co_await lock.acquire(); }

}  // namespace

TEST(LockMisuse, GuardLeavingScopeAfterAManualReleaseThrowsLockNotAcquired) {
  Lock lock;
  EventLoop loop;
  EXPECT_THROW(loop.run(release_by_hand_inside_scoped_body(lock)), LockNotAcquired);
  EXPECT_FALSE(lock.locked());
}

TEST(LockMisuse, GuardReleasingEarlyThroughTheGuardIsFine) {
  Lock lock;
  EventLoop loop;
  auto body = [](Lock& l) -> Task<bool> {
    auto guard = co_await l.scoped();
    guard.release();
    co_return l.locked();
  };
  EXPECT_FALSE(loop.run(body(lock)));
  EXPECT_FALSE(lock.locked());
}

TEST(LockMisuse, GuardUnwindingAfterAManualReleaseLetsTheBodysExceptionThrough) {
  Lock lock;
  EventLoop loop;
  try {
    loop.run(release_by_hand_then_throw(lock));
    FAIL() << "expected the body's exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "body failed");
  }
  EXPECT_FALSE(lock.locked());
}

static Task<> hold_scoped_across_yield(Lock& lock) {
  auto guard = co_await lock.scoped();
  co_await lockstep::yield_now();
}

static Task<> release_then_take(Lock& lock) {
  lock.release();
  co_await lock.acquire();
}

TEST(LockMisuse, GuardReleasesAHoldTakenByAnotherTaskAfterAManualRelease) {
  Lock lock;
  EventLoop loop;
  loop.spawn(hold_scoped_across_yield(lock));
  loop.spawn(release_then_take(lock));
  loop.step();  // scoped body holds it and yields
  loop.step();  // the other task releases it and takes it itself
  ASSERT_TRUE(lock.locked());
  loop.step();  // the scope exits: no owner, so it releases the other task's hold
  EXPECT_FALSE(lock.locked());
}

TEST(LockMisuse, ReleasingThroughAGuardTwiceThrowsLockNotAcquired) {
  Lock lock;
  EventLoop loop;
  auto body = [](Lock& l) -> Task<> {
    auto guard = co_await l.scoped();
    guard.release();
    guard.release();  // the guard has nothing left to release
  };
  EXPECT_THROW(loop.run(body(lock)), LockNotAcquired);
  EXPECT_FALSE(lock.locked());
}

TEST(LockMisuseDeathTest, LockDestroyedWithQueuedWaitersAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        EventLoop loop;
        auto lock = std::make_unique<Lock>();
        ASSERT_TRUE(lock->try_acquire());
        loop.spawn(wait_for_lock(*lock));
        loop.run_ready();
        lock.reset();
      },
      "Lock destroyed with 1 waiter\\(s\\) queued");
}
