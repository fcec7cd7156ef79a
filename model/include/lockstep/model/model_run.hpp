// The reference model running a whole Program abstractly: its own ready set,
// per-task program counters, virtual clock and timers, and a LockTable.
// Given the same choice of task at each step, it predicts every StepRecord of
// the production run (SPEC §1 for the loop, §2 for the lock, §3 for scoped).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "lockstep/model/lock_table.hpp"
#include "lockstep/model/program.hpp"
#include "lockstep/model/step_record.hpp"

namespace lockstep::model {

enum class TaskEnd { unfinished, ok, error, cancelled };

class ModelRun {
 public:
  explicit ModelRun(Program program);

  // Fires due timers, jumping the clock while nothing is ready, as the loop
  // does at the start of a step. Returns false when the run is idle.
  bool prepare_step();
  [[nodiscard]] std::vector<TaskNumber> ready() const;
  [[nodiscard]] long now() const { return now_; }
  // Runs one step of a ready task (after prepare_step) and says what happened.
  StepRecord step(TaskNumber task);

  [[nodiscard]] const LockTable& lock() const { return lock_; }
  [[nodiscard]] TaskEnd end_of(TaskNumber task) const { return at(task).end; }
  [[nodiscard]] std::vector<TaskNumber> unfinished() const;  // spawned, not done
  // The op a suspended task waits at ("" if it is not suspended).
  [[nodiscard]] std::string waits_at(TaskNumber task) const;

 private:
  enum class Status { unspawned, ready, running, parked, done };
  enum class Await { none, yield, sleep, lock };
  enum class Flow { normal, cancelled, error };
  struct TimerKey {
    long deadline;
    long seq;
    auto operator<=>(const TimerKey&) const = default;
  };
  struct Timer {
    TaskNumber task;
    bool cancels;  // an acquire_timeout deadline; otherwise a sleep
  };
  struct Task {
    Status status = Status::unspawned;
    bool started = false;
    bool cancel_pending = false;  // delivered at the next await it resumes from
    int cancel_requests = 0;
    std::size_t pc = 0;                  // the top-level op it is at
    std::optional<std::size_t> body_pc;  // inside the scoped block at ops[pc]
    Await awaiting = Await::none;
    std::optional<TimerKey> timer;
    bool timeout_expired = false;
    int cancelling_before = 0;
    TaskEnd end = TaskEnd::unfinished;
  };

  Task& at(TaskNumber task) { return tasks_.at(static_cast<std::size_t>(task) - 1); }
  [[nodiscard]] const Task& at(TaskNumber task) const { return tasks_.at(static_cast<std::size_t>(task) - 1); }
  [[nodiscard]] const Op* current_op(TaskNumber task) const;  // nullptr at the end of a body or the task
  void advance(TaskNumber task);

  Flow resume(TaskNumber task);
  bool start(TaskNumber task, const Op& op, Flow& flow);  // false: suspended
  void exit_scope(TaskNumber task);
  void finish(TaskNumber task, Flow flow);

  void park(TaskNumber task, Await awaiting);
  void interrupt(TaskNumber task);
  void make_ready(TaskNumber task);
  bool cancel(TaskNumber task);
  int uncancel(TaskNumber task);
  bool take_cancellation(TaskNumber task) { return std::exchange(at(task).cancel_pending, false); }
  void arm_timer(TaskNumber task, long delay, bool cancels);
  void disarm_timer(TaskNumber task);
  void fire_due_timers();
  void emit(std::string event) { events_.push_back(std::move(event)); }

  Program program_;
  std::vector<Task> tasks_;
  LockTable lock_;
  long now_ = 0;
  long next_timer_seq_ = 0;
  std::map<TimerKey, Timer> timers_;
  std::vector<std::string> events_;
};

}  // namespace lockstep::model
