// Misuse of the Lock ends in a precise exception or a loud abort, never in
// silent corruption (SPEC §2, §3).
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

TEST(LockMisuseDeathTest, GuardUnwindingAfterAManualReleaseTerminatesLoudly) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Lock lock;
        EventLoop loop;
        loop.run(release_by_hand_then_throw(lock));
      },
      "already been released by hand");
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
