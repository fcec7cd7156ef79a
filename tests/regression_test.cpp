// Regressions: each test pins a bug found in review, named after what broke.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "lockstep/lockstep.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using lockstep::CancelledError;
using lockstep::EventLoop;
using lockstep::Lock;
using lockstep::Task;
using lockstep::TaskHandle;
using lockstep::testing::Log;

namespace {

Task<> release_by_hand_then_sleep(Lock& lock) {
  auto guard = co_await lock.scoped();
  lock.release();
  co_await lockstep::sleep(1h);
}

Task<> await_inner(Lock& lock, Log& log) {
  try {
    co_await release_by_hand_then_sleep(lock);
  } catch (const std::exception&) {
    log.push_back("resumed during teardown");
  }
}

}  // namespace

// Regression: a guard whose lock was already free threw LockNotAcquired out of
// its frame's destruction at loop teardown; the parent coroutine then resumed
// in the middle of being destroyed (double free).
TEST(Regression, GuardNeverThrowsWhileItsFrameIsDestroyedAtTeardown) {
  Lock lock;
  Log log;
  {
    EventLoop loop;
    loop.spawn(await_inner(lock, log));
    loop.run_ready();
  }
  EXPECT_TRUE(log.empty());
  EXPECT_FALSE(lock.locked());
}

namespace {
struct Holder {
  std::optional<Task<>> task;
};
Task<> await_owned_elsewhere(Holder& holder) { co_await std::move(*holder.task); }
Task<> destroy_the_task_object(Lock& lock, Holder& holder) {
  co_await lockstep::yield_now();
  holder.task.reset();  // the frame belongs to the await now, not to this object
  lock.release();
}
Task<> acquire_once(Lock& lock, Log& log) {
  co_await lock.acquire();
  log.push_back("acquired");
}
}  // namespace

// Regression: destroying a Task object while another task awaited it freed the
// frame under the awaiting task's feet.
TEST(Regression, DestroyingATaskObjectThatIsBeingAwaitedDoesNotFreeTheFrame) {
  Lock lock;
  EventLoop loop;
  Log log;
  Holder holder;
  holder.task = acquire_once(lock, log);
  ASSERT_TRUE(lock.try_acquire());
  auto awaiting = loop.spawn(await_owned_elsewhere(holder));
  loop.spawn(destroy_the_task_object(lock, holder));
  loop.run_until_idle();
  EXPECT_EQ(log, Log{"acquired"});
  EXPECT_TRUE(awaiting.done());
}

TEST(RegressionDeathTest, LockDestroyedWhileAGuardStillRefersToItAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        EventLoop loop;  // declared before the lock: the wrong order
        Lock lock;
        auto hold = [](Lock& l) -> Task<> {
          auto guard = co_await l.scoped();
          co_await lockstep::sleep(1h);
        };
        loop.spawn(hold(lock));
        loop.run_ready();
      },
      "Lock destroyed with 0 waiter\\(s\\) queued and 1 guard\\(s\\) alive");
}

// Regression: uncancel() before the task ran withdrew a cancellation already
// delivered to a lock waiter, which then acquired a held lock.
TEST(Regression, WithdrawingADeliveredCancellationStillCancelsTheWaiter) {
  Lock lock;
  EventLoop loop;
  Log log;
  ASSERT_TRUE(lock.try_acquire());
  auto waiter = loop.spawn(acquire_once(lock, log));
  loop.run_ready();
  waiter.cancel();
  waiter.uncancel();
  loop.run_ready();
  EXPECT_TRUE(log.empty());
  EXPECT_TRUE(waiter.cancelled());
  EXPECT_EQ(lock.statistics().live_waiters + lock.statistics().cancelled_waiters, 0U);
}

namespace {
struct CancelOnExit {
  TaskHandle<>* handle;
  ~CancelOnExit() {
    if (handle->valid()) handle->cancel();
  }
};
Task<> hold_for_an_hour(Lock& lock) {
  auto guard = co_await lock.scoped();
  co_await lockstep::sleep(1h);
}
Task<> cancel_on_exit(TaskHandle<>* handle) {
  CancelOnExit cancel{handle};
  co_await lockstep::sleep(1h);
}
}  // namespace

// Regression: at teardown a dropped wake-up left the woken waiter's task
// "parked", and a later cancel() interrupted a waiter that was not pending.
TEST(Regression, CancelDuringTeardownAfterADroppedWakeUpIsHarmless) {
  Lock lock;
  Log log;
  TaskHandle<> waiter;
  {
    EventLoop loop;
    loop.spawn(hold_for_an_hour(lock));
    loop.spawn(cancel_on_exit(&waiter));
    waiter = loop.spawn(acquire_once(lock, log));
    loop.run_ready();
  }
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(lock.statistics().live_waiters + lock.statistics().cancelled_waiters, 0U);
}

namespace {
Task<int> wait_forever_for_value() {
  co_await lockstep::sleep(1s);
  co_return co_await lockstep::wait_for(
      []() -> Task<int> {
        co_await lockstep::sleep(2s);
        co_return 5;
      }(),
      lockstep::Duration::max());
}
}  // namespace

// Regression: now() + Duration::max() overflowed, so "no timeout" timed out at
// once, and sleep(3'000'000h) returned immediately.
TEST(Regression, HugeDelaysSaturateInsteadOfOverflowing) {
  EventLoop loop;
  EXPECT_EQ(loop.run(wait_forever_for_value()), 5);
  EXPECT_EQ(loop.now(), 3s);
  auto sleeper = loop.spawn([]() -> Task<> { co_await lockstep::sleep(std::chrono::hours(3'000'000)); }());
  loop.run_ready();
  EXPECT_EQ(loop.timer_count(), 1U);
  EXPECT_FALSE(sleeper.done());
  // Any delay that would pass the end of time saturates, not only Duration::max().
  EXPECT_EQ(loop.deadline_after(lockstep::Duration::max() - 1ns), lockstep::Duration::max());
  EXPECT_EQ(loop.deadline_after(lockstep::Duration::max() - 3s + 1ns), lockstep::Duration::max());
  EXPECT_EQ(loop.deadline_after(lockstep::Duration::max() - 3s), lockstep::Duration::max());
  EXPECT_EQ(loop.deadline_after(lockstep::Duration::max() - 4s), lockstep::Duration::max() - 1s);
  EXPECT_EQ(loop.deadline_after(-1s), 2s);
}

namespace {
Task<> await_self(TaskHandle<>* self) { co_await *self; }
}  // namespace

// Regression: a task awaiting itself hung, and cancelling it recursed forever.
TEST(Regression, ATaskAwaitingItselfGetsALogicError) {
  EventLoop loop;
  TaskHandle<> self;
  self = loop.spawn(await_self(&self));
  loop.run_until_idle();
  ASSERT_TRUE(self.done());  // not parked on itself for ever (result() of an unfinished task throws logic_error too)
  EXPECT_THROW(self.result(), std::logic_error);
}

namespace {
Task<int> swallow_cancellation() {
  try {
    co_await lockstep::sleep(1h);
  } catch (const CancelledError&) {
    // on purpose: the task swallows its cancellation
  }
  co_return 1;
}
Task<std::vector<int>> gather_swallowers() {
  std::vector<Task<int>> tasks;
  tasks.push_back(swallow_cancellation());
  tasks.push_back(swallow_cancellation());
  co_return co_await lockstep::gather(std::move(tasks));
}
}  // namespace

// Regression: a cancelled gather whose children swallowed their cancellation
// returned their values instead of raising CancelledError (asyncio raises).
TEST(Regression, ACancelledGatherEndsCancelledEvenIfItsChildrenSwallowIt) {
  EventLoop loop;
  auto gathering = loop.spawn(gather_swallowers());
  loop.run_ready();
  gathering.cancel();
  loop.run_until_idle();
  EXPECT_TRUE(gathering.cancelled());
}

namespace {

Task<int> yield_then_throw() {
  co_await lockstep::yield_now();
  throw std::runtime_error("boom");
}

Task<> await_catching_cancel(TaskHandle<int> target, Log& log) {
  try {
    co_await target;
  } catch (const CancelledError&) {
    log.push_back("cancelled");
  }
}

void count_report(void* reports, lockstep::TaskId /*id*/, const std::string& /*name*/,
                  const std::exception_ptr& /*error*/) {
  ++*static_cast<int*>(reports);
}

}  // namespace

// Regression (TK-UNRETRIEVED): a task awaiting a failed task and cancelled
// before it resumed threw CancelledError without taking the awaited task's
// outcome, so that task was reported as "exception never retrieved"; asyncio's
// wake-up calls result() first, and reports nothing.
TEST(Regression, AnAwaitCancelledAtResumeStillRetrievesTheAwaitedError) {
  int reports = 0;
  const lockstep::UnretrievedErrorSink before = lockstep::set_unretrieved_error_sink({&count_report, &reports});
  Log log;
  {
    EventLoop loop;
    auto failing = loop.spawn(yield_then_throw());
    auto waiting = loop.spawn(await_catching_cancel(failing, log));
    loop.step();  // failing yields
    loop.step();  // waiting parks on failing
    loop.step();  // failing ends with its error; waiting is woken (ready)
    ASSERT_TRUE(failing.done());
    ASSERT_FALSE(waiting.done());
    ASSERT_TRUE(waiting.cancel());  // pending: delivered when it resumes
    loop.run_until_idle();
    failing = {};
  }
  lockstep::set_unretrieved_error_sink(before);
  EXPECT_EQ(log, Log{"cancelled"});
  EXPECT_EQ(reports, 0);
}
