// The reference model: runs a whole Program abstractly, read off
// docs/SEMANTICS.md and nothing else (no core headers, no coroutines). Given
// the same index into the ready queue at each step it predicts the complete
// StepRecord of the production run.
//
//   ModelRun m(program);
//   while (m.prepare_step()) m.step(0);   // asyncio's own order
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "lockstep/model/lock_table.hpp"
#include "lockstep/model/program.hpp"
#include "lockstep/model/step_record.hpp"

namespace lockstep::model {

class ModelRun {
 public:
  explicit ModelRun(Program program);
  // Runs `program` without a copy of it; the program must outlive the run
  // (a harness that runs one program many times).
  struct Borrowed {};
  ModelRun(const Program& program, Borrowed);
  // Frames point into the program: neither copied nor moved.
  ModelRun(const ModelRun&) = delete;
  ModelRun& operator=(const ModelRun&) = delete;

  // TM-FIRE: fires due timers, jumping the clock while nothing is ready.
  // Returns false when nothing is ready (the run is over, LP-IDLE).
  bool prepare_step();
  [[nodiscard]] const std::vector<Entry>& ready() const { return ready_; }
  [[nodiscard]] long now() const { return now_; }
  // LP-STEP: runs ready()[index] (after prepare_step) and returns the record.
  StepRecord step(std::uint32_t index);
  // The same, written into `record` (every field overwritten), reusing its
  // vectors' capacity: a harness that keeps one record allocates nothing per step.
  void step(std::uint32_t index, StepRecord& record);

  [[nodiscard]] TaskEnd end_of(TaskNumber task) const { return at(task).end; }
  [[nodiscard]] std::vector<TaskNumber> unfinished() const;  // OB-END: spawned, not done
  // TK-UNRETRIEVED: tasks that ended with an error no await or gather retrieved.
  [[nodiscard]] std::vector<TaskNumber> unretrieved() const;

 private:
  enum class Raise : std::uint8_t { none, error, cancelled };
  // What a suspended task waits on (its `_fut_waiter`), TK-SUSPEND.
  enum class Wait : std::uint8_t { none, yield, lock, sleep, zero, join, gather };
  enum class Fut : std::uint8_t { pending, done, cancelled };  // sleep and WF-NONPOS waiter futures
  enum class FrameKind : std::uint8_t { top, scoped, try_, timeout };

  struct Frame {
    const std::vector<Op>* ops = nullptr;
    std::size_t pc = 0;
    FrameKind kind = FrameKind::top;
    int lock = 0;          // scoped
    bool engaged = false;  // scoped: the guard still owns a release (SC-EARLY)
    int c0 = 0;            // timeout: the task's cancelling count on entry (WF-SCOPE)
    bool expired = false;  // timeout: its deadline passed (WF-EXPIRE)
    std::optional<std::pair<long, long>> timer = std::nullopt;  // timeout: its deadline's key into timers_
  };
  struct DoneCallback {   // TK-DONE-CB
    bool gather = false;  // false: wake the awaiting task
    TaskNumber task = 0;  // the awaiting / gathering task
    std::size_t gather_id = 0;
  };
  struct Task {
    TaskStatus status = TaskStatus::unspawned;
    TaskEnd end = TaskEnd::none;
    bool started = false;
    int cancelling = 0;        // CN-REQ's count
    bool must_cancel = false;  // the pending cancel
    std::vector<Frame> frames;
    Wait wait = Wait::none;
    Fut fut = Fut::pending;
    TaskNumber target = 0;                       // join
    std::size_t gather_id = 0;                   // gather
    std::optional<std::pair<long, long>> timer;  // key into timers_
    int c0 = 0;                                  // WF-ARM
    bool expired = false;                        // WF-EXPIRE
    long zero_serial = 0;                        // WF-NONPOS: which wait an iK/rK belongs to
    bool zero_registered = false;                // WF-INNER: release callback still registered
    std::vector<DoneCallback> callbacks;
    TaskNumber error_from = 0;  // TK-ERR-ORIGIN: whose throw the error in flight (or the end's) is
    bool retrieved = false;     // TK-UNRETRIEVED: an await or a gather took its outcome
  };
  struct Gather {
    TaskNumber parent = 0;
    std::vector<TaskNumber> children;
    std::size_t finished = 0;  // callbacks run
    bool settled = false;
    TaskEnd result = TaskEnd::none;
    bool cancel_requested = false;
    TaskNumber error_from = 0;  // TK-ERR-ORIGIN of a gather settled with an error
  };
  struct Slot {                 // ready_'s hidden payload, same index
    std::size_t gather_id = 0;  // gK
    TaskNumber child = 0;       // gK
    long serial = 0;            // iK, rK
  };
  // A sleep's, an acquire_timeout's (both the task's `timer`) or a timeout
  // block's (its frame's `timer`).
  enum class TimerKind : std::uint8_t { sleep, wait_for, block };
  struct Timer {
    TaskNumber task = 0;
    TimerKind kind = TimerKind::sleep;
    std::size_t frame = 0;  // block: the index of its frame in the task's frames
  };

  Task& at(TaskNumber task) { return tasks_.at(static_cast<std::size_t>(task) - 1); }
  [[nodiscard]] const Task& at(TaskNumber task) const { return tasks_.at(static_cast<std::size_t>(task) - 1); }
  LockTable& lock(int index) { return locks_.at(static_cast<std::size_t>(index)); }
  [[nodiscard]] static const Op& current(const Task& t) { return (*t.frames.back().ops)[t.frames.back().pc]; }

  void start();  // LP-START
  void push(Entry entry) { push(entry, Slot{}); }
  void push(Entry entry, Slot slot);
  void spawn(TaskNumber task);
  void wake(TaskNumber task);
  void run_task(TaskNumber task);
  Raise resume(TaskNumber task, bool cancel_now, bool& advance);
  void run(TaskNumber task, Raise raise, bool advance);
  enum class Exec : std::uint8_t { next, entered, suspended, error, cancelled };
  bool unwind(TaskNumber task, Raise& raise);
  bool leave_frame(TaskNumber task);
  Exec execute(TaskNumber task, const Op& op);
  Exec acquire_timeout(TaskNumber task, const Op& op);
  Exec enter_timeout(TaskNumber task, const Op& op);
  Exec wait_nonpositive(TaskNumber task);
  bool exit_timeout(TaskNumber task, Frame& frame, Raise raise);
  Exec execute_lock_op(TaskNumber task, const Op& op);
  Exec execute_task_op(TaskNumber task, const Op& op);
  Exec join(TaskNumber task, const Op& op);
  Exec acquire(TaskNumber task, const Op& op);
  Exec complete_lock_op(TaskNumber task, const Op& op, bool raised);
  void exit_scope(TaskNumber task, const Frame& frame, bool unwinding);
  void release(int lock_index);
  void finish(TaskNumber task, TaskEnd end);
  void suspend(TaskNumber task, Wait wait);
  bool cancel(TaskNumber task);
  bool cancel_wait(TaskNumber task);
  int uncancel(TaskNumber task);
  std::pair<long, long> arm(TaskNumber task, long delay, TimerKind kind, std::size_t frame = 0);
  void disarm(TaskNumber task);
  void gather_done(std::size_t gather_id, TaskNumber child);
  void settle(Gather& gather, TaskEnd result);
  [[nodiscard]] static int gathered_values(const Gather& gather);
  void emit(EventKind kind, Result result, int lock = -1, TaskNumber target = 0, int value = 0) {
    events_.push_back({kind, result, lock, target, value});
  }

  Program owned_;           // empty when borrowed
  const Program& program_;  // owned_, or the borrowed program
  std::vector<Task> tasks_;
  std::vector<LockTable> locks_;
  std::vector<Gather> gathers_;
  std::vector<Entry> ready_;  // LP-QUEUE, front first (a handful of entries: a vector)
  std::vector<Slot> slots_;
  long now_ = 0;
  long timer_seq_ = 0;
  long zero_serial_ = 0;
  std::map<std::pair<long, long>, Timer> timers_;  // TM-ORDER: (deadline, arming sequence)
  std::vector<Event> events_;
};

}  // namespace lockstep::model
