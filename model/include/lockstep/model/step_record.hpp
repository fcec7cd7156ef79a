// What one step of a run looked like, in terms that the production run, the
// model and CPython's asyncio can all state. The runner compares the three
// field by field after every step. Typed inside; text only in to_string and
// parse_step_record (traces, messages).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lockstep/model/program.hpp"

namespace lockstep::model {

// An entry of the loop's ready queue (asyncio's Handle) [LP-QUEUE]: a task's
// next step, or one of the loop-internal callbacks that asyncio spends a loop
// turn on, named by the task whose await it serves.
enum class EntryKind : std::uint8_t {
  task,             // "t3": task 3 runs a step
  gather_done,      // "g3": a gather child finished; the gather of task 3 counts it [GA-TURN]
  timeout_inner,    // "i3": the cancelled inner task of task 3's wait_for(aw, T <= 0) [WF-NONPOS]
  timeout_release,  // "r3": its done-callback, which wakes task 3 [WF-NONPOS]
};

struct Entry {
  EntryKind kind = EntryKind::task;
  TaskNumber task = 0;
  friend bool operator==(const Entry&, const Entry&) = default;
  friend auto operator<=>(const Entry&, const Entry&) = default;
};

// What a completed operation did. Events are listed in the order the task
// performed them during the step.
enum class EventKind : std::uint8_t {
  acquire,          // ok | cancelled
  release,          // ok | not-acquired
  try_acquire,      // yes | no
  acquire_timeout,  // ok | timeout | cancelled
  scope_enter,      // "scoped": ok | cancelled
  scope_exit,       // "/scoped": released | not-acquired | skipped
  guard_release,    // ok | not-acquired
  yield,            // ok | cancelled
  sleep,            // ok | cancelled
  throw_,           // error (throw) | cancelled (raise_cancelled)
  cancel,           // yes | no (target)
  uncancel,         // ok, value = what uncancel() returned
  spawn,            // ok (target)
  await_,           // ok | error | cancelled | not-started (target)
  gather,           // ok | error | cancelled (target = first child)
  try_exit,         // "/try": ok | caught-error | caught-cancelled
  end,              // ok | error | cancelled: the task finished
  timeout_enter,    // "timeout": ok (the deadline is set, or for T <= 0 the wait begins)
  timeout_exit,     // "/timeout": ok | timeout | error | cancelled (what leaves the block)
};

enum class Result : std::uint8_t {
  ok,
  cancelled,     // CancelledError raised out of the operation
  error,         // an error raised out of the operation
  timeout,       // TimeoutError, caught by the program
  not_acquired,  // LockNotAcquired, caught by the program
  yes,
  no,
  released,  // a scope exit that released the lock
  skipped,   // a scope exit that did nothing (released early, or the lock was
             // free while an exception unwound the scope) [SC-EXIT-FREE]
  not_started,
  caught_error,
  caught_cancelled,
};

struct Event {
  EventKind kind = EventKind::yield;
  Result result = Result::ok;
  int lock = -1;          // lock events: 0, 1, 2
  TaskNumber target = 0;  // cancel, uncancel K, spawn, await, gather
  // uncancel: what uncancel() returned (always printed, " =N").
  // await ok: the awaited task's value (TK-VALUE); gather ok: the children's
  // values in the order given, as decimal digits (GA-VALUES); await, gather
  // and end error, /try caught-error: the task whose throw raised the error
  // (TK-ERR-ORIGIN). Printed " =N" when not 0.
  int value = 0;
  friend bool operator==(const Event&, const Event&) = default;
};

enum class TaskStatus : std::uint8_t { unspawned, ready, parked, done };
enum class TaskEnd : std::uint8_t { none, ok, error, cancelled };

struct TaskView {
  TaskStatus status = TaskStatus::unspawned;
  TaskEnd end = TaskEnd::none;
  int cancelling = 0;              // Task.cancelling()
  std::optional<OpKind> waits_at;  // the op it is suspended at, once started and until done
  friend bool operator==(const TaskView&, const TaskView&) = default;
};

enum class WaiterState : std::uint8_t { pending, woken, cancelled };

struct Waiter {
  TaskNumber task = 0;
  WaiterState state = WaiterState::pending;
  friend bool operator==(const Waiter&, const Waiter&) = default;
};

struct LockView {
  bool locked = false;
  std::optional<TaskNumber> holder;  // the task whose acquire took it; none after try_acquire
  std::vector<Waiter> waiters;       // queue order, cancelled ones included until they unlink
  friend bool operator==(const LockView&, const LockView&) = default;
};

struct TimerView {
  long deadline = 0;  // virtual seconds
  TaskNumber task = 0;
  friend bool operator==(const TimerView&, const TimerView&) = default;
};

struct StepRecord {
  long now = 0;              // virtual seconds when the step ran
  std::vector<Entry> ready;  // the ready queue before the pick (due timers fired), in order
  std::uint32_t picked = 0;  // the index into `ready` that ran
  std::vector<Event> events;
  // After the step:
  std::vector<Entry> queue;       // the ready queue, in order
  std::vector<TaskView> tasks;    // by task number - 1
  std::vector<LockView> locks;    // by lock index, lock_count() of them
  std::vector<TimerView> timers;  // armed timers in the order they will fire

  [[nodiscard]] Entry ran() const { return ready.at(picked); }
  friend bool operator==(const StepRecord&, const StepRecord&) = default;
};

// One line:
//   @0 t1,t2 #1: acquire a ok, yield ok => t2,t1 | 1=ready:yield 2=parked:acquire c1 | a=held(1)[2] | 5:t3
// Entries: tK, gK, iK, rK. Tasks: K=STATUS[:WAITS_AT][ cN] with STATUS one of
// new, ready, parked, ok, error, cancelled. Locks: a=free|held(K)|held(-),
// waiters in brackets, suffix w = woken, x = cancelled. Timers: DEADLINE:tK.
std::string to_string(const StepRecord& step);
// Appends what to_string(step) returns to `out` (the same bytes, no temporaries).
void append_text(std::string& out, const StepRecord& step);
std::string to_string(const Event& event);
std::string to_string(const Entry& entry);
// Parses what to_string(Entry) wrote ("t3", "g2"); throws std::invalid_argument.
Entry parse_entry(const std::string& text);
// Parses what to_string wrote; throws std::invalid_argument saying what is wrong.
StepRecord parse_step_record(const std::string& line);

std::string_view name_of(EventKind kind);
std::string_view name_of(Result result);
std::string_view name_of(TaskEnd end);

// The first field in which two records differ, as "field: expected X, got Y",
// or "" if they are equal.
std::string first_difference(const StepRecord& expected, const StepRecord& got);

}  // namespace lockstep::model
