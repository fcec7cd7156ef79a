// What CPython's asyncio does, area by area (docs/SEMANTICS.md), checked on
// the reference model: programs in the text form, run under explicit index
// sequences, with their events and observable state.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/model/model_run.hpp"
#include "lockstep/model/program.hpp"
#include "lockstep/model/step_record.hpp"

namespace lockstep::model {
namespace {

struct Outcome {
  std::vector<StepRecord> steps;
  std::vector<TaskNumber> unfinished;
  std::vector<TaskEnd> ends;  // by task number - 1

  // "t1,t2,g1": the entry each step ran.
  [[nodiscard]] std::string ran() const {
    std::string out;
    for (const StepRecord& s : steps) out += (out.empty() ? "" : ",") + to_string(s.ran());
    return out;
  }
};

// Runs `text`, picking picks[i] at step i and the front (index 0) after them.
Outcome run(std::string_view text, const std::vector<std::uint32_t>& picks = {}) {
  ModelRun model(parse_program(text));
  Outcome out;
  while (model.prepare_step()) {
    const std::size_t i = out.steps.size();
    if (i > 1000) throw std::runtime_error("runaway program");
    out.steps.push_back(model.step(i < picks.size() ? picks[i] : 0));
  }
  out.unfinished = model.unfinished();
  for (std::size_t k = 1; k <= parse_program(text).tasks.size(); ++k) {
    out.ends.push_back(model.end_of(static_cast<TaskNumber>(k)));
  }
  return out;
}

std::string events(const StepRecord& step) {
  std::string out;
  for (const Event& e : step.events) out += (out.empty() ? "" : ", ") + to_string(e);
  return out;
}

std::string entries(const std::vector<Entry>& queue) {
  std::string out;
  for (const Entry& e : queue) out += (out.empty() ? "" : ",") + to_string(e);
  return out;
}

// ---- the loop (LP-*) and timers (TM-*) ----

TEST(Loop, YieldRequeuesAtTheBackSoTasksAlternateInFifoOrder) {  // LP-YIELD, LP-STEP
  const Outcome r = run("task 1: yield; yield\ntask 2: yield\n");
  EXPECT_EQ(r.ran(), "t1,t2,t1,t2,t1");
  EXPECT_EQ(entries(r.steps[0].queue), "t2,t1");
  EXPECT_EQ(events(r.steps[3]), "yield ok, end ok");
}

TEST(Loop, PickingAnIndexRunsThatEntryAndLeavesTheOthersInOrder) {  // LP-STEP
  const Outcome r = run("task 1: yield\ntask 2: yield\ntask 3: yield\n", {2});
  EXPECT_EQ(entries(r.steps[0].ready), "t1,t2,t3");
  EXPECT_EQ(entries(r.steps[0].queue), "t1,t2,t3");  // t3 ran and re-queued itself
  EXPECT_EQ(r.ran(), "t3,t1,t2,t3,t1,t2");
}

TEST(Timers, EqualDeadlinesFireInArmingOrder) {  // TM-ORDER, TM-FIRE, DV-HEAP
  // Arming order: 2, 3, 4 (first steps), then 1 after its yield.
  const Outcome r = run("task 1: yield; sleep 2\ntask 2: sleep 2\ntask 3: sleep 2\ntask 4: sleep 2\n");
  const StepRecord& armed = r.steps[4];
  ASSERT_EQ(armed.timers.size(), 4U);
  EXPECT_EQ(armed.timers[0].task, 2);
  EXPECT_EQ(armed.timers[3].task, 1);
  EXPECT_EQ(r.steps[5].now, 2);
  EXPECT_EQ(entries(r.steps[5].ready), "t2,t3,t4,t1");
}

TEST(Timers, TheClockJumpsOnlyWhenNothingIsReady) {  // TM-CLOCK, LP-SLEEP
  const Outcome r = run("task 1: sleep 3; yield\ntask 2: yield; yield\n");
  EXPECT_EQ(r.ran(), "t1,t2,t2,t2,t1,t1");
  EXPECT_EQ(r.steps[3].now, 0);
  EXPECT_EQ(r.steps[4].now, 3);
  EXPECT_EQ(events(r.steps[4]), "sleep ok");
}

TEST(Timers, ACancelledSleepersTimerStaysUntilItResumes) {  // CN-WAIT, LP-SLEEP, OB-TIMER
  const Outcome r = run("task 1: sleep 5\ntask 2: cancel 1; yield\n");
  const StepRecord& cancelled = r.steps[1];
  EXPECT_EQ(events(cancelled), "cancel 1 yes");
  ASSERT_EQ(cancelled.timers.size(), 1U);
  EXPECT_EQ(cancelled.timers[0].deadline, 5);
  EXPECT_EQ(cancelled.tasks[0].status, TaskStatus::ready);
  EXPECT_EQ(cancelled.tasks[0].cancelling, 1);
  EXPECT_EQ(entries(cancelled.queue), "t1,t2");
  EXPECT_EQ(events(r.steps[2]), "sleep cancelled, end cancelled");
  EXPECT_TRUE(r.steps[2].timers.empty());
  for (const StepRecord& s : r.steps) EXPECT_EQ(s.now, 0);
}

// ---- the lock (LK-*) ----

TEST(Lock, AWokenWaiterCancelledBeforeItRunsPassesTheWakeUpOn) {  // LK-CANCEL, CN-REQ, CN-DELIVER
  const Outcome r =
      run("task 1: acquire; yield; release; cancel 2\ntask 2: acquire; release\ntask 3: acquire; release\n");
  const StepRecord& release = r.steps[3];
  EXPECT_EQ(events(release), "yield ok, release a ok, cancel 2 yes, end ok");
  ASSERT_EQ(release.locks[0].waiters.size(), 2U);
  EXPECT_EQ(release.locks[0].waiters[0].state, WaiterState::woken);  // a done future cannot be cancelled
  EXPECT_EQ(release.tasks[1].cancelling, 1);
  const StepRecord& woken = r.steps[4];
  EXPECT_EQ(events(woken), "acquire a cancelled, end cancelled");
  EXPECT_FALSE(woken.locks[0].locked);
  ASSERT_EQ(woken.locks[0].waiters.size(), 1U);
  EXPECT_EQ(woken.locks[0].waiters[0].task, 3);
  EXPECT_EQ(woken.locks[0].waiters[0].state, WaiterState::woken);
  EXPECT_EQ(entries(woken.queue), "t3");
  EXPECT_EQ(events(r.steps[5]), "acquire a ok, release a ok, end ok");
}

TEST(Lock, ACancelledWaiterDoesNotBlockTheFastPath) {  // LK-ACQ-FAST, LK-WAKE
  const Outcome r = run("task 1: acquire; yield; cancel 2; release; acquire; release\ntask 2: acquire; release\n");
  // The cancelled head is not woken by release, and the fresh acquire takes the lock past it.
  EXPECT_EQ(events(r.steps[2]), "yield ok, cancel 2 yes, release a ok, acquire a ok, release a ok, end ok");
  EXPECT_EQ(r.steps[2].locks[0].waiters.at(0).state, WaiterState::cancelled);
  EXPECT_EQ(events(r.steps[3]), "acquire a cancelled, end cancelled");
  EXPECT_TRUE(r.steps[3].locks[0].waiters.empty());
}

TEST(Lock, ACancelledHeadThatRunsWhileTheLockIsFreeWakesTheNext) {  // LK-CANCEL, LK-WAKE
  const Outcome r = run("task 1: acquire; yield; cancel 2; release\ntask 2: acquire\ntask 3: acquire\n");
  EXPECT_EQ(events(r.steps[3]), "yield ok, cancel 2 yes, release a ok, end ok");
  EXPECT_EQ(entries(r.steps[3].queue), "t2");  // nobody woken: the head is cancelled
  EXPECT_EQ(events(r.steps[4]), "acquire a cancelled, end cancelled");
  EXPECT_EQ(entries(r.steps[4].queue), "t3");
  EXPECT_EQ(r.steps[4].locks[0].waiters.at(0).state, WaiterState::woken);
}

TEST(Lock, TryAcquireDoesNotBargePastAWokenWaiter) {  // LK-TRY
  const Outcome r = run("task 1: acquire; yield; release; try_acquire\ntask 2: acquire; release\n");
  EXPECT_EQ(events(r.steps[2]), "yield ok, release a ok, try_acquire a no, end ok");
  EXPECT_EQ(events(r.steps[3]), "acquire a ok, release a ok, end ok");
}

TEST(Lock, TryAcquireTakesTheLockWithoutAHolder) {  // LK-TRY, LK-HOLDER
  const Outcome r = run("task 1: try_acquire; try_acquire\n");
  EXPECT_EQ(events(r.steps[0]), "try_acquire a yes, try_acquire a no, end ok");
  EXPECT_TRUE(r.steps[0].locks[0].locked);
  EXPECT_FALSE(r.steps[0].locks[0].holder.has_value());
}

TEST(Lock, ReleasingAFreeLockIsCaught) {  // LK-REL, DV-RELEASE
  const Outcome r = run("task 1: release b; acquire b\n");
  EXPECT_EQ(events(r.steps[0]), "release b not-acquired, acquire b ok, end ok");
  EXPECT_EQ(r.steps[0].locks.size(), 2U);
  EXPECT_EQ(r.steps[0].locks[1].holder, 1);
}

TEST(Lock, ALockOrderDeadlockLeavesBothTasksUnfinished) {  // LP-IDLE, DV-DEADLOCK
  const Outcome r = run("task 1: scoped a { yield; acquire b }\ntask 2: scoped b { yield; acquire a }\n");
  EXPECT_EQ(r.unfinished, (std::vector<TaskNumber>{1, 2}));
  const StepRecord& last = r.steps.back();
  EXPECT_TRUE(last.queue.empty());
  EXPECT_EQ(last.locks[0].waiters.at(0).task, 2);
  EXPECT_EQ(last.locks[1].waiters.at(0).task, 1);
  EXPECT_EQ(last.tasks[0].status, TaskStatus::parked);
  EXPECT_EQ(last.tasks[0].waits_at, OpKind::acquire);
}

// ---- wait_for (WF-*) ----

TEST(WaitFor, NonPositiveTimeoutOnAFreeLockNeverTakesItAndSpendsTheTurnsIAndR) {  // WF-NONPOS
  const Outcome r = run("task 1: acquire_timeout 0; try_acquire; release\n");
  EXPECT_EQ(r.ran(), "t1,i1,r1,t1");
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(r.steps[i].locks[0].locked);
    EXPECT_TRUE(r.steps[i].locks[0].waiters.empty());
    EXPECT_TRUE(r.steps[i].events.empty());
    EXPECT_EQ(r.steps[i].tasks[0].waits_at, OpKind::acquire_timeout);
  }
  EXPECT_EQ(r.steps[0].tasks[0].status, TaskStatus::parked);
  EXPECT_EQ(events(r.steps[3]), "acquire_timeout a timeout, try_acquire a yes, release a ok, end ok");
  EXPECT_EQ(r.steps[3].tasks[0].cancelling, 0);
}

TEST(WaitFor, NegativeTimeoutIsTheSame) {  // WF-NONPOS
  EXPECT_EQ(run("task 1: acquire_timeout -5\n").ran(), "t1,i1,r1,t1");
}

TEST(WaitFor, NonPositiveTimeoutCancelledBeforeRunsStaysCancelled) {  // WF-INNER, WF-RELEASE, WF-ZERO-RESUME
  // t1 parks, t2 cancels it (waiter cancelled, t1 queued); i1 still appends r1
  // since t1 has not resumed; r1 then finds the waiter done and does nothing.
  const Outcome r = run("task 1: acquire_timeout 0\ntask 2: cancel 1\n");
  EXPECT_EQ(r.ran(), "t1,t2,i1,t1,r1");
  EXPECT_EQ(entries(r.steps[1].queue), "i1,t1");
  EXPECT_EQ(entries(r.steps[2].queue), "t1,r1");
  EXPECT_EQ(events(r.steps[3]), "acquire_timeout a cancelled, end cancelled");
  EXPECT_TRUE(r.steps[4].events.empty());
  EXPECT_TRUE(r.steps[4].queue.empty());
  EXPECT_EQ(r.ends[0], TaskEnd::cancelled);
}

TEST(WaitFor, AfterResumingTheInnerTurnAppendsNothing) {                              // WF-INNER
  const Outcome r = run("task 1: acquire_timeout 0\ntask 2: cancel 1\n", {0, 0, 1});  // t1 resumes before i1
  EXPECT_EQ(r.ran(), "t1,t2,t1,i1");
  EXPECT_TRUE(r.steps[3].queue.empty());
}

TEST(WaitFor, PendingSelfCancelQueuesTheTaskBehindItsInnerTurn) {  // WF-NONPOS, TK-SUSPEND
  const Outcome r = run("task 1: cancel 1; acquire_timeout 0\n");
  EXPECT_EQ(entries(r.steps[0].queue), "i1,t1");
  EXPECT_EQ(r.ran(), "t1,i1,t1,r1");
  EXPECT_EQ(events(r.steps[2]), "acquire_timeout a cancelled, end cancelled");
}

TEST(WaitFor, PositiveTimeoutExpiresWithTimeoutErrorAndRestoresTheCount) {  // WF-ARM, WF-EXPIRE, WF-EXIT
  const Outcome r = run("task 1: acquire; sleep 5; release\ntask 2: acquire_timeout 2; yield\n");
  const StepRecord& parked = r.steps[1];
  ASSERT_EQ(parked.timers.size(), 2U);
  EXPECT_EQ(parked.timers[0].deadline, 2);
  EXPECT_EQ(parked.timers[0].task, 2);
  const StepRecord& expired = r.steps[2];
  EXPECT_EQ(expired.now, 2);
  EXPECT_EQ(events(expired), "acquire_timeout a timeout");
  EXPECT_EQ(expired.tasks[1].cancelling, 0);
  EXPECT_TRUE(expired.locks[0].waiters.empty());
  ASSERT_EQ(expired.timers.size(), 1U);
  EXPECT_EQ(expired.timers[0].task, 1);
  EXPECT_EQ(r.ends[1], TaskEnd::ok);
}

TEST(WaitFor, FastPathDisarmsTheTimer) {  // WF-FAST
  const Outcome r = run("task 1: acquire_timeout 3; yield\n");
  EXPECT_EQ(events(r.steps[0]), "acquire_timeout a ok");
  EXPECT_TRUE(r.steps[0].timers.empty());
  EXPECT_EQ(r.steps[0].locks[0].holder, 1);
}

TEST(WaitFor, AnOutsideCancelStaysACancelledError) {  // WF-OUTSIDE
  const Outcome r = run("task 1: acquire; yield; yield\ntask 2: acquire_timeout 5\ntask 3: cancel 2\n");
  EXPECT_EQ(r.ran(), "t1,t2,t3,t1,t2,t1");
  EXPECT_EQ(events(r.steps[4]), "acquire_timeout a cancelled, end cancelled");
  EXPECT_EQ(r.steps[4].tasks[1].cancelling, 1);
  EXPECT_TRUE(r.steps[4].timers.empty());
  for (const StepRecord& s : r.steps) EXPECT_EQ(s.now, 0);
}

TEST(WaitFor, ACancelArrivingAfterTheTimerFiredWins) {  // WF-EXIT: uncancel() > c0
  const char* program = "task 1: acquire; sleep 10\ntask 2: acquire_timeout 2\ntask 3: sleep 2; cancel 2\n";
  const Outcome front = run(program);
  EXPECT_EQ(events(front.steps[3]), "acquire_timeout a timeout, end ok");
  const Outcome late = run(program, {0, 0, 0, 1});  // at @2 t3 runs before t2
  EXPECT_EQ(entries(late.steps[3].ready), "t2,t3");
  EXPECT_EQ(events(late.steps[3]), "sleep ok, cancel 2 yes, end ok");
  EXPECT_EQ(late.steps[3].tasks[1].cancelling, 2);
  EXPECT_EQ(events(late.steps[4]), "acquire_timeout a cancelled, end cancelled");
  EXPECT_EQ(late.steps[4].tasks[1].cancelling, 1);
}

// ---- gather (GA-*) ----

TEST(Gather, TheAwaitingTaskResumesOnlyAfterTheExtraGatherTurn) {  // GA-TURN
  const Outcome r = run("task 1: gather 2\ntask 2: yield\ntask 3: yield; yield; yield\n");
  EXPECT_EQ(r.ran(), "t1,t3,t2,t3,t2,t3,g1,t3,t1");
  EXPECT_EQ(events(r.steps[4]), "yield ok, end ok");
  EXPECT_EQ(entries(r.steps[4].queue), "t3,g1");
  EXPECT_EQ(entries(r.steps[6].queue), "t3,t1");  // t3 runs once more before t1
  EXPECT_EQ(events(r.steps[8]), "gather 2 =2 ok, end ok");
}

TEST(Gather, WaitsForTheLastCallbackNotForTheLastChildToEnd) {  // GA-TURN: the count of callbacks
  const Outcome r = run("task 1: gather 2 3\ntask 2: yield\ntask 3: yield\n");
  EXPECT_EQ(r.ran(), "t1,t2,t3,t2,t3,g1,g1,t1");
  EXPECT_TRUE(r.steps[5].queue == (std::vector<Entry>{{EntryKind::gather_done, 1}}));  // both children done
  EXPECT_EQ(entries(r.steps[6].queue), "t1");
}

TEST(Gather, ReturnsTheValuesInTheOrderGivenNotTheOrderTheChildrenEnded) {  // GA-VALUES, TK-VALUE
  const Outcome r = run("task 1: gather 3 2\ntask 2: yield\ntask 3: yield; yield\n");
  EXPECT_EQ(r.ran(), "t1,t3,t2,t3,t2,t3,g1,g1,t1");  // task 2 ends first
  EXPECT_EQ(events(r.steps.back()), "gather 3 =32 ok, end ok");
}

TEST(Gather, RaisesTheErrorOfTheFirstChildWhoseCallbackSettlesIt) {  // GA-TURN, TK-ERR-ORIGIN
  const Outcome r = run("task 1: try { gather 2 3 }\ntask 2: yield; throw\ntask 3: throw\n");
  EXPECT_EQ(events(r.steps[2]), "throw error, end =3 error");
  EXPECT_EQ(events(r.steps.back()), "gather 2 =3 error, /try =3 caught-error, end ok");
}

TEST(Gather, AFailingChildSettlesItWhileTheOthersRunOn) {  // GA-TURN, GA-RESUME
  const Outcome r = run("task 1: try { gather 2 3 }; yield\ntask 2: throw\ntask 3: yield; yield; yield\n");
  EXPECT_EQ(events(r.steps[1]), "throw error, end =2 error");
  EXPECT_EQ(r.ran(), "t1,t2,t3,g1,t3,t1,t3,t1,t3,g1");  // the last g1 finds the gather settled
  const std::size_t resumed = 5;
  EXPECT_EQ(events(r.steps[resumed]), "gather 2 =2 error, /try =2 caught-error");
  EXPECT_EQ(r.steps[resumed].tasks[2].status, TaskStatus::ready);  // task 3 is not cancelled
  EXPECT_EQ(r.steps[resumed].tasks[2].cancelling, 0);
  EXPECT_EQ(r.ends, (std::vector<TaskEnd>{TaskEnd::ok, TaskEnd::error, TaskEnd::ok}));
}

TEST(Gather, CancellingTheGatherCancelsItsChildren) {  // GA-CANCEL, TK-START-CANCELLED
  const Outcome r = run("task 1: gather 2 3\ntask 2: sleep 5\ntask 3: yield\ntask 4: cancel 1\n");
  EXPECT_EQ(r.ran(), "t1,t4,t2,t3,g1,g1,t1");
  const StepRecord& cancel = r.steps[1];
  EXPECT_EQ(events(cancel), "cancel 1 yes, end ok");
  EXPECT_EQ(cancel.tasks[0].cancelling, 1);
  EXPECT_EQ(cancel.tasks[0].status, TaskStatus::parked);
  EXPECT_EQ(cancel.tasks[1].cancelling, 1);
  EXPECT_EQ(cancel.tasks[2].cancelling, 1);
  EXPECT_TRUE(r.steps[2].events.empty());  // cancelled before its first step
  EXPECT_EQ(r.steps[2].tasks[1].end, TaskEnd::cancelled);
  EXPECT_EQ(entries(r.steps[4].queue), "g1,t1");  // the first cancelled child settles it
  EXPECT_EQ(events(r.steps[6]), "gather 2 cancelled, end cancelled");
}

TEST(Gather, CancelAfterEveryChildEndedIsPendingOnTheGatheringTask) {  // GA-CANCEL fails, CN-DELIVER
  const Outcome r = run("task 1: gather 2\ntask 2: yield\ntask 3: yield; yield; cancel 1\n");
  // t1, t3, t2, t3, t2 (ends: g1 queued), t3 cancels 1 while g1 is still queued.
  EXPECT_EQ(r.ran(), "t1,t3,t2,t3,t2,t3,g1,t1");
  EXPECT_EQ(events(r.steps[5]), "yield ok, cancel 1 yes, end ok");
  EXPECT_EQ(r.steps[5].tasks[1].cancelling, 0);
  EXPECT_EQ(events(r.steps[7]), "gather 2 cancelled, end cancelled");
}

// ---- tasks, joining, cancellation (TK-*, CN-*) ----

TEST(Join, AwaitOfATaskThatSwallowsTheCancellationResumesNormally) {  // TK-JOIN, CN-WAIT
  const Outcome r = run("task 1: await 2; yield\ntask 2: try { sleep 3 }; yield\ntask 3: cancel 1\n");
  const StepRecord& cancel = r.steps[2];
  EXPECT_EQ(events(cancel), "cancel 1 yes, end ok");
  EXPECT_EQ(cancel.tasks[0].cancelling, 1);
  EXPECT_EQ(cancel.tasks[1].cancelling, 1);
  EXPECT_EQ(cancel.tasks[0].status, TaskStatus::parked);
  EXPECT_EQ(events(r.steps[3]), "sleep cancelled, /try caught-cancelled");
  EXPECT_EQ(r.ran(), "t1,t2,t3,t2,t2,t1,t1");
  EXPECT_EQ(events(r.steps[5]), "await 2 =2 ok");
  EXPECT_EQ(r.ends, (std::vector<TaskEnd>{TaskEnd::ok, TaskEnd::ok, TaskEnd::ok}));
}

TEST(Join, AwaitOfADoneOrUnstartedTaskDoesNotSuspend) {  // TK-JOIN, DV-UNSPAWNED
  const Outcome r = run("task 1: await 3; spawn 3; yield; await 3\ntask 2: throw\ntask 3: throw\n");
  EXPECT_EQ(events(r.steps[0]), "await 3 not-started, spawn 3 ok");
  EXPECT_EQ(events(r.steps.back()), "yield ok, await 3 =3 error, end =3 error");
}

TEST(Join, AnErrorKeepsTheTaskThatThrewItAcrossAwaits) {  // TK-ERR-ORIGIN
  const Outcome r = run("task 1: try { await 2 }\ntask 2: await 3\ntask 3: throw\n");
  EXPECT_EQ(events(r.steps.back()), "await 2 =3 error, /try =3 caught-error, end ok");
}

TEST(Cancel, SelfCancelIsDeliveredAtTheNextYield) {  // CN-REQ, CN-DELIVER, LP-YIELD
  const Outcome r = run("task 1: cancel 1; try_acquire; yield; release\n");
  EXPECT_EQ(events(r.steps[0]), "cancel 1 yes, try_acquire a yes");
  EXPECT_EQ(r.steps[0].tasks[0].cancelling, 1);
  EXPECT_EQ(events(r.steps[1]), "yield cancelled, end cancelled");
  EXPECT_TRUE(r.steps[1].locks[0].locked);
}

TEST(Cancel, SelfCancelAtALockWaitCancelsTheWaiterAtOnce) {  // TK-SUSPEND
  const Outcome r = run("task 1: acquire; yield\ntask 2: cancel 2; acquire\n");
  EXPECT_EQ(events(r.steps[1]), "cancel 2 yes");
  EXPECT_EQ(r.steps[1].locks[0].waiters.at(0).state, WaiterState::cancelled);
  EXPECT_EQ(r.steps[1].tasks[1].status, TaskStatus::ready);
}

TEST(Cancel, UncancelWithdrawsAPendingCancel) {  // CN-UNCANCEL, VR-UNCANCEL (3.13)
  const Outcome r = run("task 1: cancel 1; uncancel; yield\n");
  ASSERT_EQ(r.steps[0].events.size(), 2U);
  EXPECT_EQ(r.steps[0].events[1].kind, EventKind::uncancel);
  EXPECT_EQ(r.steps[0].events[1].value, 0);
  EXPECT_EQ(events(r.steps[1]), "yield ok, end ok");
  EXPECT_EQ(r.ends[0], TaskEnd::ok);
}

TEST(Cancel, UncancelByAnotherTaskDoesNotUndoACancelledWaiter) {  // CN-UNCANCEL, CN-WAIT
  const Outcome r = run("task 1: acquire; yield; yield\ntask 2: acquire\ntask 3: cancel 2; uncancel 2\n");
  EXPECT_EQ(events(r.steps[2]), "cancel 2 yes, uncancel 2 =0 ok, end ok");
  EXPECT_EQ(r.steps[2].tasks[1].cancelling, 0);
  EXPECT_EQ(r.steps[2].locks[0].waiters.at(0).state, WaiterState::cancelled);
  EXPECT_EQ(events(r.steps[4]), "acquire a cancelled, end cancelled");
}

TEST(Cancel, UncancelByAnotherTaskDoesNotReviveACancelledSleep) {  // CN-UNCANCEL, CN-WAIT, LP-SLEEP
  const Outcome r = run("task 1: sleep 5\ntask 2: cancel 1; uncancel 1\n");
  EXPECT_EQ(events(r.steps[1]), "cancel 1 yes, uncancel 1 =0 ok, end ok");
  EXPECT_EQ(events(r.steps[2]), "sleep cancelled, end cancelled");
  EXPECT_EQ(r.ends[0], TaskEnd::cancelled);
}

TEST(Cancel, UncancelByAnotherTaskWithdrawsItsPendingCancel) {  // CN-UNCANCEL, VR-UNCANCEL (3.13)
  const Outcome r = run("task 1: yield; yield\ntask 2: cancel 1; uncancel 1\n");
  EXPECT_EQ(events(r.steps[2]), "yield ok");  // the cancel was pending, not delivered: withdrawn
  EXPECT_EQ(r.ends[0], TaskEnd::ok);
}

TEST(Cancel, UncancelOfAnUnspawnedTaskReturnsZero) {  // CN-UNCANCEL, DV-UNSPAWNED
  const Outcome r = run("task 1: uncancel 2; spawn 2\ntask 2: yield\n");
  EXPECT_EQ(events(r.steps[0]), "uncancel 2 =0 ok, spawn 2 ok, end ok");
}

TEST(Cancel, CancelOfADoneOrUnspawnedTaskSaysNo) {  // CN-REQ
  const Outcome r = run("task 1: cancel 2; yield; cancel 3\ntask 2: spawn 3\ntask 3: yield\n");
  EXPECT_EQ(events(r.steps[0]), "cancel 2 yes");
  EXPECT_TRUE(r.steps[1].events.empty());  // task 2, cancelled before it started
  EXPECT_EQ(r.ends[1], TaskEnd::cancelled);
  EXPECT_EQ(events(r.steps[2]), "yield ok, cancel 3 no, end ok");
}

TEST(Task, ACancelPendingWhenTheBodyReturnsMakesTheOutcomeCancelled) {  // TK-END
  const Outcome r = run("task 1: cancel 1\n");
  EXPECT_EQ(events(r.steps[0]), "cancel 1 yes, end ok");
  EXPECT_EQ(r.steps[0].tasks[0].end, TaskEnd::cancelled);
}

TEST(Task, TryCatchesACancellationWithoutUncancelling) {  // TK-CATCH, CN-CATCH
  const Outcome r = run("task 1: try { cancel 1; yield }; yield\n");
  EXPECT_EQ(events(r.steps[1]), "yield cancelled, /try caught-cancelled");
  EXPECT_EQ(r.steps[1].tasks[0].cancelling, 1);
  EXPECT_EQ(events(r.steps[2]), "yield ok, end ok");
  EXPECT_EQ(r.ends[0], TaskEnd::ok);
}

// ---- scoped blocks (SC-*) ----

TEST(Scoped, ExitAfterGuardReleaseIsSkipped) {  // SC-EARLY, SC-EXIT
  const Outcome r = run("task 1: scoped { guard_release; yield }\n");
  EXPECT_EQ(events(r.steps[0]), "scoped a ok, guard_release a ok");
  EXPECT_FALSE(r.steps[0].locks[0].locked);
  EXPECT_EQ(events(r.steps[1]), "yield ok, /scoped a skipped, end ok");
}

TEST(Scoped, ReleaseInsideTheBodyThenExitIsNotAcquiredAndTheTaskGoesOn) {  // SC-EXIT
  const Outcome r = run("task 1: scoped { release }; yield\n");
  EXPECT_EQ(events(r.steps[0]), "scoped a ok, release a ok, /scoped a not-acquired");
  EXPECT_EQ(events(r.steps[1]), "yield ok, end ok");
}

TEST(Scoped, AFreeLockWhileUnwindingIsSkippedAndTheErrorGoesOn) {  // SC-EXIT-FREE, DV-UNWIND
  const Outcome r = run("task 1: try { scoped { release; throw } }\n");
  EXPECT_EQ(events(r.steps[0]),
            "scoped a ok, release a ok, throw error, /scoped a skipped, /try =1 caught-error, end ok");
}

TEST(Scoped, UnwindingReleasesAHeldLockAndWakesTheNextWaiter) {  // SC-UNWIND
  const Outcome r = run("task 1: scoped { yield; throw }\ntask 2: acquire\n");
  EXPECT_EQ(events(r.steps[2]), "yield ok, throw error, /scoped a released, end =1 error");
  EXPECT_EQ(entries(r.steps[2].queue), "t2");
}

TEST(Scoped, ACancelledEnterHasNoExit) {  // SC-ENTER
  const Outcome r = run("task 1: acquire; yield\ntask 2: scoped { yield }\ntask 3: cancel 2\n");
  EXPECT_EQ(events(r.steps[4]), "scoped a cancelled, end cancelled");
}

// ---- the API ----

TEST(Api, AnIndexOutsideTheQueueIsALogicError) {
  ModelRun model(parse_program("task 1: yield\n"));
  ASSERT_TRUE(model.prepare_step());
  EXPECT_THROW(model.step(1), std::logic_error);
}

TEST(Api, AnIdleRunReportsNoMoreSteps) {  // LP-IDLE
  ModelRun model(parse_program("task 1: yield\n"));
  ASSERT_TRUE(model.prepare_step());
  model.step(0);
  ASSERT_TRUE(model.prepare_step());
  model.step(0);
  EXPECT_FALSE(model.prepare_step());
  EXPECT_TRUE(model.unfinished().empty());
  EXPECT_EQ(model.end_of(1), TaskEnd::ok);
}

}  // namespace
}  // namespace lockstep::model
