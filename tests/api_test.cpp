// The public C++ API that the harness's program language cannot reach: each
// test pins one documented behaviour of core/include/lockstep/*.hpp or
// docs/SEMANTICS.md, and each was seen to fail against a core broken for it.
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "lockstep/lockstep.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using lockstep::CancelledError;
using lockstep::EventLoop;
using lockstep::Lock;
using lockstep::Task;
using lockstep::TaskHandle;
using lockstep::TaskId;
using lockstep::testing::Boom;
using lockstep::testing::Log;
using lockstep::testing::note;
using lockstep::testing::PickLast;

namespace {

Task<int> yield_then(int v) {
  co_await lockstep::yield_now();
  co_return v;
}

Task<int> value_after(int v, lockstep::Duration d) {
  co_await lockstep::sleep(d);
  co_return v;
}

Task<> sleep_for(lockstep::Duration d) { co_await lockstep::sleep(d); }

Task<> fail_after(lockstep::Duration d) {
  co_await lockstep::sleep(d);
  throw Boom{};
}

Task<int> fail_int_after(lockstep::Duration d) {
  co_await lockstep::sleep(d);
  throw Boom{};
}

// Collects UnretrievedErrorSink reports for the life of the object.
struct SinkRecorder {
  struct Report {
    TaskId id;
    std::string name;
  };
  std::vector<Report> reports;
  lockstep::UnretrievedErrorSink before;
  SinkRecorder() : before(lockstep::set_unretrieved_error_sink({&SinkRecorder::handle, this})) {}
  SinkRecorder(const SinkRecorder&) = delete;
  SinkRecorder& operator=(const SinkRecorder&) = delete;
  ~SinkRecorder() { lockstep::set_unretrieved_error_sink(before); }
  static void handle(void* self, TaskId id, const std::string& name, const std::exception_ptr&) {
    static_cast<SinkRecorder*>(self)->reports.push_back({id, name});
  }
};

}  // namespace

// --- TaskHandle: cancel, cancelling, uncancel, result, await ---

// CN-UNCANCEL: uncancel() with no cancel() outstanding stays at 0.
TEST(TaskHandle, UncancelBelowZeroStaysAtZero) {
  EventLoop loop;
  auto task = loop.spawn(yield_then(1));
  EXPECT_EQ(task.uncancel(), 0);
  EXPECT_EQ(task.cancelling(), 0);
  task.cancel();
  EXPECT_EQ(task.cancelling(), 1);  // one request counts one, not two
}

// CN-UNCANCEL: each cancel() counts; uncancel() returns the new count.
TEST(TaskHandle, CancellingCountsEveryCancelCallAndUncancelReturnsTheNewCount) {
  EventLoop loop;
  auto task = loop.spawn(yield_then(1));
  EXPECT_TRUE(task.cancel());
  EXPECT_TRUE(task.cancel());
  EXPECT_EQ(task.cancelling(), 2);
  EXPECT_EQ(task.uncancel(), 1);
  loop.run_until_idle();
  EXPECT_TRUE(task.cancelled());  // one request still outstanding: it is delivered
}

// CN-UNCANCEL (header): at 0, a cancellation not yet delivered is withdrawn,
// so a task cancelled before it ever ran runs after all.
TEST(TaskHandle, UncancelToZeroBeforeTheFirstStepLetsTheTaskRun) {
  EventLoop loop;
  Log log;
  auto task = loop.spawn(note(log, "ran"));
  task.cancel();
  EXPECT_EQ(task.uncancel(), 0);
  loop.run_until_idle();
  EXPECT_EQ(log, (Log{"ran"}));
  EXPECT_FALSE(task.cancelled());
}

// CN-UNCANCEL: the same for a ready task that would see it at its yield.
TEST(TaskHandle, UncancelToZeroWithdrawsACancellationDueAtTheNextResume) {
  EventLoop loop;
  auto task = loop.spawn(yield_then(7));
  loop.step();  // parked at its yield, queued again
  task.cancel();
  task.uncancel();
  loop.run_until_idle();
  ASSERT_FALSE(task.cancelled());
  EXPECT_EQ(task.result(), 7);
}

// task_handle.hpp: result() of an unfinished task is std::logic_error.
TEST(TaskHandle, ResultOfAnUnfinishedTaskThrowsLogicError) {
  EventLoop loop;
  auto task = loop.spawn(yield_then(1));
  EXPECT_THROW((void)task.result(), std::logic_error);
  loop.run_until_idle();
  EXPECT_EQ(task.result(), 1);
}

// TK-END (run_step): a cancellation still pending when the coroutine returns wins.
TEST(TaskHandle, ATaskThatCancelsItselfAndReturnsWithoutAwaitingEndsCancelled) {
  EventLoop loop;
  TaskHandle<int> self;
  self = loop.spawn([](TaskHandle<int>* me) -> Task<int> {
    me->cancel();
    co_return 1;
  }(&self));
  loop.run_until_idle();
  EXPECT_TRUE(self.cancelled());
  EXPECT_THROW((void)self.result(), CancelledError);
}

// TK-JOIN: awaiting a task that is already done completes without suspending.
TEST(TaskHandle, AwaitingADoneTaskReturnsItsValueWithoutSuspending) {
  EventLoop loop;
  auto inner = loop.spawn(yield_then(5));
  loop.run_until_idle();
  auto outer = loop.spawn([](TaskHandle<int> h) -> Task<int> { co_return co_await h + 1; }(inner));
  EXPECT_EQ(loop.run_until_idle(), 1U);
  ASSERT_TRUE(outer.done());
  EXPECT_EQ(outer.result(), 6);
}

// --- EventLoop ---

// event_loop.hpp spawn(): an empty Task is std::invalid_argument.
TEST(EventLoop, SpawnOfAnEmptyTaskThrowsInvalidArgument) {
  EventLoop loop;
  EXPECT_THROW(loop.spawn(Task<int>{}), std::invalid_argument);
  EXPECT_EQ(loop.unfinished_task_count(), 0U);
}

// LP-IDLE: a pending timer alone keeps the loop from being idle.
TEST(EventLoop, IdleIsFalseWhileOnlyATimerIsPending) {
  EventLoop loop;
  EXPECT_TRUE(loop.idle());
  EXPECT_FALSE(loop.step());
  loop.spawn(sleep_for(1s));
  loop.run_ready();
  EXPECT_EQ(loop.ready_count(), 0U);
  EXPECT_EQ(loop.timer_count(), 1U);
  EXPECT_FALSE(loop.idle());
  EXPECT_TRUE(loop.step());  // jumps to the timer and runs the sleeper
  EXPECT_TRUE(loop.idle());
  EXPECT_EQ(loop.now(), 1s);
}

// event_loop.hpp ready(): the ready queue, front first, with its size.
TEST(EventLoop, ReadyListsTheQueueFrontFirst) {
  EventLoop loop;
  loop.spawn(yield_then(1));
  loop.spawn(yield_then(2));
  loop.spawn(yield_then(3));
  loop.step();  // task 1 yields to the back
  const lockstep::ReadyTasks ready = loop.ready();
  std::vector<TaskId> ids;
  for (const lockstep::ReadyEntry e : ready) ids.push_back(e.task);
  EXPECT_EQ(ids, (std::vector<TaskId>{2, 3, 1}));
  EXPECT_EQ(ready.size(), 3U);
  EXPECT_EQ(loop.ready_count(), 3U);
}

// event_loop.hpp for_each_timer(): every armed timer, in firing order, with its task.
TEST(EventLoop, ForEachTimerVisitsTimersInFiringOrderWithTheirTasks) {
  EventLoop loop;
  loop.spawn(sleep_for(3s));
  loop.spawn(sleep_for(1s));
  loop.run_ready();
  std::vector<std::pair<lockstep::Duration, TaskId>> timers;
  loop.for_each_timer([&](lockstep::Duration at, TaskId id) { timers.emplace_back(at, id); });
  EXPECT_EQ(timers, (std::vector<std::pair<lockstep::Duration, TaskId>>{{1s, 2}, {3s, 1}}));
}

// event_loop.hpp current_task_id(): the task being stepped, or 0 outside a step.
TEST(EventLoop, CurrentTaskIdIsTheSteppedTaskAndZeroBetweenSteps) {
  EventLoop loop;
  std::vector<TaskId> seen;
  auto record = [](std::vector<TaskId>& out) -> Task<> {
    EventLoop& l = co_await lockstep::current_loop();
    out.push_back(l.current_task_id());
    co_await lockstep::yield_now();
    out.push_back(l.current_task_id());
  };
  loop.spawn(record(seen));
  loop.spawn(record(seen));
  EXPECT_EQ(loop.current_task_id(), 0U);
  loop.step();
  EXPECT_EQ(loop.current_task_id(), 0U);
  loop.run_until_idle();
  EXPECT_EQ(seen, (std::vector<TaskId>{1, 2, 1, 2}));
  EXPECT_EQ(loop.current_task_id(), 0U);
}

// LP-SLEEP: sleep(d < 0) is yield_now(): no timer, straight to the back of the queue.
TEST(EventLoop, NegativeSleepArmsNoTimerAndRequeuesAtOnce) {
  EventLoop loop;
  loop.spawn(sleep_for(-1s));
  loop.step();
  EXPECT_EQ(loop.timer_count(), 0U);
  EXPECT_EQ(loop.ready_count(), 1U);
  loop.run_until_idle();
  EXPECT_EQ(loop.now(), 0s);
}

// event_loop.hpp misdirected_wakeups(): a wake-up of a task that is not
// suspended is refused and counted, and queues nothing.
TEST(EventLoop, AWakeUpOfATaskThatIsNotParkedIsCountedAndRefused) {
  EventLoop loop;
  auto task = loop.spawn(yield_then(1));
  EXPECT_EQ(loop.misdirected_wakeups(), 0U);
  lockstep::detail::LoopAccess::wake(lockstep::detail::LoopAccess::control(task));  // it is ready
  EXPECT_EQ(loop.misdirected_wakeups(), 1U);
  EXPECT_EQ(loop.ready_count(), 1U);
  EXPECT_EQ(loop.run_until_idle(), 2U);
  EXPECT_EQ(task.result(), 1);
}

namespace {
struct TeardownProbe {
  EventLoop* loop;
  TaskHandle<>* other;
  std::optional<bool> closing;
  std::optional<bool> cancel_returned;
  bool spawn_threw = false;
};
struct ProbeOnExit {
  TeardownProbe* probe;
  ~ProbeOnExit() {
    probe->closing = probe->loop->closing();
    probe->cancel_returned = probe->other->cancel();
    try {
      probe->loop->spawn(sleep_for(1s));
    } catch (const std::logic_error&) {
      probe->spawn_threw = true;
    }
  }
};
Task<> park_with_probe(TeardownProbe* probe) {
  ProbeOnExit on_exit{probe};
  co_await lockstep::sleep(1h);
}
}  // namespace

// event_loop.hpp ~EventLoop: while it runs closing() is true, spawn() throws
// std::logic_error and cancel() does nothing (returns false).
TEST(EventLoop, DuringTeardownClosingIsTrueSpawnThrowsAndCancelDoesNothing) {
  TeardownProbe probe;
  TaskHandle<> other;
  {
    EventLoop loop;
    probe.loop = &loop;
    probe.other = &other;
    loop.spawn(park_with_probe(&probe));
    other = loop.spawn(sleep_for(1h));  // destroyed after the probe's task
    loop.run_ready();
    EXPECT_FALSE(loop.closing());
  }
  EXPECT_EQ(probe.closing, true);
  EXPECT_EQ(probe.cancel_returned, false);
  EXPECT_TRUE(probe.spawn_threw);
  EXPECT_TRUE(other.cancelled());
}

// awaitables.hpp sleep(): any duration type converts, saturating at both ends
// (a delay below Duration::min() is still d <= 0, a yield, LP-SLEEP).
TEST(EventLoop, SleepTakesAnyDurationTypeAndSaturatesBelowToo) {
  EventLoop loop;
  loop.spawn([]() -> Task<> { co_await lockstep::sleep(std::chrono::duration<double>(0.5)); }());
  loop.run_until_idle();
  EXPECT_EQ(loop.now(), 500ms);
  loop.spawn(
      []() -> Task<> { co_await lockstep::sleep(std::chrono::hours(-2'562'048)); }());  // just below Duration::min()
  loop.step();
  EXPECT_EQ(loop.timer_count(), 0U);
  EXPECT_EQ(loop.ready_count(), 1U);
  loop.run_until_idle();
  EXPECT_EQ(loop.now(), 500ms);
}

namespace {
struct LogOnDestroy {
  Log* log;
  std::string name;
  ~LogOnDestroy() { log->push_back(name); }
};
Task<> park_logging(Log* log, std::string name, lockstep::Duration d) {
  LogOnDestroy on_exit{log, std::move(name)};
  co_await lockstep::sleep(d);
}
}  // namespace

// event_loop.hpp ~EventLoop: unfinished frames are destroyed in spawn order.
TEST(EventLoop, TeardownDestroysUnfinishedFramesInSpawnOrder) {
  Log log;
  {
    EventLoop loop;
    loop.spawn(park_logging(&log, "first", 2h));
    loop.spawn(park_logging(&log, "second", 1h));
    loop.spawn(park_logging(&log, "third", 3h));
    loop.run_ready();
  }
  EXPECT_EQ(log, (Log{"first", "second", "third"}));
}

// --- SchedulePolicy ---

// event_loop.hpp set_schedule_policy(): nullptr restores FIFO.
TEST(SchedulePolicy, SettingNullRestoresFifo) {
  EventLoop loop;
  PickLast policy;
  loop.set_schedule_policy(&policy);
  Log log;
  loop.spawn(note(log, "a"));
  loop.spawn(note(log, "b"));
  loop.spawn(note(log, "c"));
  loop.step();
  loop.set_schedule_policy(nullptr);
  loop.run_until_idle();
  EXPECT_EQ(log, (Log{"c", "a", "b"}));
  EXPECT_EQ(policy.seen.size(), 1U);
}

// --- gather ---

// GA-VALUES: a gather of nothing returns at once, without suspending.
TEST(Gather, OfNoTasksReturnsAnEmptyVectorWithoutSuspending) {
  EventLoop loop;
  auto gathering = loop.spawn(lockstep::gather(std::vector<Task<int>>{}));
  EXPECT_EQ(loop.run_until_idle(), 1U);
  ASSERT_TRUE(gathering.done());
  EXPECT_TRUE(gathering.result().empty());
}

// GA-FAIL: a gather of void tasks propagates the first failure too.
TEST(Gather, OfVoidTasksPropagatesTheFirstFailure) {
  EventLoop loop;
  std::vector<Task<>> tasks;
  tasks.push_back(sleep_for(5s));
  tasks.push_back(fail_after(1s));
  EXPECT_THROW(loop.run(lockstep::gather(std::move(tasks))), Boom);
  EXPECT_EQ(loop.now(), 1s);
}

// GA-FAIL: a child's cancellation propagates as CancelledError as soon as it is counted.
TEST(Gather, OfHandlesRaisesCancelledErrorAsSoonAsAChildIsCancelled) {
  EventLoop loop;
  auto slow = loop.spawn(value_after(1, 5s));
  auto doomed = loop.spawn(value_after(2, 5s));
  auto gathering = loop.spawn(lockstep::gather(std::vector<TaskHandle<int>>{slow, doomed}));
  loop.run_ready();
  doomed.cancel();
  loop.run_ready();
  ASSERT_TRUE(gathering.done());
  EXPECT_TRUE(gathering.cancelled());
  EXPECT_EQ(loop.now(), 0s);
  EXPECT_FALSE(slow.done());
}

// gather.hpp AllDone::await_resume: every child counts as retrieved, so a
// sibling failing after the gather raised is not reported as lost (TK-UNRETRIEVED).
TEST(Gather, ASiblingFailingAfterTheGatherRaisedIsNotReportedAsUnretrieved) {
  SinkRecorder sink;
  {
    EventLoop loop;
    std::vector<Task<int>> tasks;
    tasks.push_back(fail_int_after(1s));
    tasks.push_back(fail_int_after(2s));
    EXPECT_THROW(loop.run(lockstep::gather(std::move(tasks))), Boom);
    loop.run_until_idle();
    EXPECT_EQ(loop.now(), 2s);
  }
  EXPECT_TRUE(sink.reports.empty());
}

// GA-CANCEL: cancelling a gather whose children are all done (only their
// callback turns pending) cancels no child, so the gathering task resumes with
// CancelledError, even though a child failed.
TEST(Gather, CancelledWhileOnlyItsCallbackTurnsArePendingItStillEndsCancelled) {
  EventLoop loop;
  auto child = loop.spawn(fail_int_after(0s));
  loop.run_until_idle();
  auto gathering = loop.spawn(lockstep::gather(std::vector<TaskHandle<int>>{child}));
  loop.step();  // it parks; child's callback turn is queued
  EXPECT_TRUE(gathering.cancel());
  loop.run_until_idle();
  EXPECT_TRUE(gathering.cancelled());
}

// --- UnretrievedErrorSink ---

// OB-UNRETRIEVED: a failed task nobody retrieved is reported to the sink, with
// its id and name, when its last handle goes; result() counts as retrieving.
TEST(UnretrievedErrorSink, GetsAFailureNobodyRetrievedAndNotOneThatWas) {
  SinkRecorder sink;
  {
    EventLoop loop;
    auto lost = loop.spawn(fail_after(0s), "lost");
    auto seen = loop.spawn(fail_after(0s), "seen");
    loop.run_until_idle();
    EXPECT_THROW(seen.result(), Boom);
    EXPECT_TRUE(sink.reports.empty());  // handles still held
  }
  ASSERT_EQ(sink.reports.size(), 1U);
  EXPECT_EQ(sink.reports[0].id, 1U);
  EXPECT_EQ(sink.reports[0].name, "lost");
}

// unretrieved_error_sink.hpp: set_unretrieved_error_sink returns the sink before.
TEST(UnretrievedErrorSink, SettingASinkReturnsThePreviousOne) {
  int context = 0;
  auto handler = [](void*, TaskId, const std::string&, const std::exception_ptr&) {};
  const lockstep::UnretrievedErrorSink original = lockstep::set_unretrieved_error_sink({handler, &context});
  EXPECT_EQ(original.handler, nullptr);  // the default: a line on stderr
  const lockstep::UnretrievedErrorSink mine = lockstep::set_unretrieved_error_sink(original);
  EXPECT_EQ(mine.context, &context);
  EXPECT_EQ(mine.handler, +handler);
}

// --- wait_for ---

// WF-TIMEOUT: wait_for over a TaskHandle cancels that task at the deadline.
TEST(WaitFor, OverATaskHandleCancelsTheTaskAtTheDeadline) {
  EventLoop loop;
  auto target = loop.spawn(value_after(1, 5s));
  auto waiter = [](TaskHandle<int> h) -> Task<int> { co_return co_await lockstep::wait_for(h, 1s); };
  EXPECT_THROW(loop.run(waiter(target)), lockstep::TimeoutError);
  EXPECT_EQ(loop.now(), 1s);
  EXPECT_TRUE(target.cancelled());
  EXPECT_EQ(loop.timer_count(), 0U);
}

// WF-EXIT: an exception of the awaitable in time propagates with its type.
TEST(WaitFor, AFailureInTimePropagatesWithItsType) {
  EventLoop loop;
  auto waiter = []() -> Task<> { co_await lockstep::wait_for(fail_after(1s), 2s); };
  EXPECT_THROW(loop.run(waiter()), Boom);
  EXPECT_EQ(loop.now(), 1s);
  EXPECT_EQ(loop.timer_count(), 0U);
}

// WF-VERDICT: after a timeout the task's cancelling() count is back where it was.
TEST(WaitFor, ATimeoutLeavesTheCancellingCountWhereItWas) {
  EventLoop loop;
  TaskHandle<int> self;
  self = loop.spawn([](TaskHandle<int>* me) -> Task<int> {
    try {
      co_await lockstep::wait_for(sleep_for(5s), 1s);
    } catch (const lockstep::TimeoutError&) {
      co_return me->cancelling();
    }
    co_return -1;
  }(&self));
  loop.run_until_idle();
  EXPECT_EQ(self.result(), 0);
}

// WF-VERDICT: a cancel() from outside landing in the turn the deadline fired
// keeps the count above where it was, so it stays a CancelledError.
TEST(WaitFor, AnOutsideCancellationInTheTurnOfTheTimeoutStaysACancellation) {
  EventLoop loop;
  TaskHandle<> waiter;
  loop.spawn([](TaskHandle<>* target) -> Task<> {
    co_await lockstep::sleep(1s);  // its timer fires first, so it runs first
    target->cancel();
  }(&waiter));
  waiter = loop.spawn([]() -> Task<> { co_await lockstep::wait_for(sleep_for(5s), 1s); }());
  loop.run_until_idle();
  EXPECT_TRUE(waiter.cancelled());
  EXPECT_EQ(loop.now(), 1s);
}

// --- Lock ---

// LK-HOLDER / DV-HOLDER: a queued waiter that takes the lock becomes its
// holder; release() clears it; a take from outside every task records none.
TEST(Lock, HolderFollowsAHandOffAndClearsOnRelease) {
  Lock lock;
  EventLoop loop;
  ASSERT_TRUE(lock.try_acquire());
  EXPECT_EQ(lock.statistics().holder, std::nullopt);
  auto waiter = loop.spawn([](Lock& l) -> Task<> {
    co_await l.acquire();
    co_await lockstep::sleep(1s);
    l.release();
  }(lock));
  loop.run_ready();
  lock.release();
  loop.run_ready();
  EXPECT_TRUE(lock.locked());
  EXPECT_EQ(lock.statistics().holder, waiter.id());
  loop.run_until_idle();
  EXPECT_FALSE(lock.locked());
  EXPECT_EQ(lock.statistics().holder, std::nullopt);
}

// DV-HOLDER: try_acquire records no holder, even when a task calls it.
TEST(Lock, TryAcquireInsideATaskRecordsNoHolder) {
  Lock lock;
  EventLoop loop;
  loop.run([](Lock& l) -> Task<> {
    EXPECT_TRUE(l.try_acquire());
    co_return;
  }(lock));
  EXPECT_TRUE(lock.locked());
  EXPECT_EQ(lock.statistics().holder, std::nullopt);
  lock.release();
}
