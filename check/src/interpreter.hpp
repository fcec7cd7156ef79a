// Runs a model::Program's tasks as real coroutines on the loop, against one
// LockUnderTest per lock, logging the typed events the model predicts
// (model/step_record.hpp; docs/SEMANTICS.md says what each op does).
// Internal to check/.
#pragma once

#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "lockstep/check/lock_under_test.hpp"
#include "lockstep/model/program.hpp"
#include "lockstep/model/step_record.hpp"

namespace lockstep::check {

// The error `throw` raises in task k (an Exception, not a CancelledError).
struct TaskError {
  int task;
};

class Interpreter {
  // One count in live_frames per object: the frame's copy of the parameter
  // stays counted until the frame is destroyed.
  struct LiveFrame {
    int* count;
    explicit LiveFrame(int& c) noexcept : count(&c) { ++*count; }
    LiveFrame(LiveFrame&& other) noexcept : count(other.count) { ++*count; }
    LiveFrame(const LiveFrame&) = delete;
    LiveFrame& operator=(const LiveFrame&) = delete;
    LiveFrame& operator=(LiveFrame&&) = delete;
    ~LiveFrame() { --*count; }
  };
  // A task root's parameter too: notes the task's number in `into` when the
  // loop's teardown destroys the frame (the loop is closing), so that the
  // runner can check the order (OB-TEARDOWN). `into` outlives the loop.
  struct TeardownWitness {
    const EventLoop* loop;
    std::vector<int>* into;
    int task;
    TeardownWitness(const EventLoop& l, std::vector<int>* i, int t) noexcept : loop(&l), into(i), task(t) {}
    TeardownWitness(TeardownWitness&& other) noexcept
        : loop(other.loop), into(std::exchange(other.into, nullptr)), task(other.task) {}
    TeardownWitness(const TeardownWitness&) = delete;
    TeardownWitness& operator=(const TeardownWitness&) = delete;
    TeardownWitness& operator=(TeardownWitness&&) = delete;
    ~TeardownWitness() {
      if (into != nullptr && loop->closing()) into->push_back(task);
    }
  };

 public:
  // live_frames counts the interpreter's coroutine frames alive (each task's
  // root and every body it runs), so that the runner can check that the loop
  // destroyed them all; it must outlive the loop. `torn_down`, if given,
  // receives the number of each task whose frame the loop's teardown
  // destroys, in that order; it must outlive the loop too.
  Interpreter(const model::Program& program, EventLoop& loop, std::vector<LockUnderTest*> locks, int& live_frames,
              std::vector<int>* torn_down = nullptr);

  void spawn_initial_tasks();

  [[nodiscard]] std::optional<int> number_if_known(TaskId id) const;
  // Moves the step's events into `into` (one allocation at their size); the
  // interpreter keeps its buffer's capacity for the next step.
  void take_events(std::vector<model::Event>& into) {
    into.assign(events_.begin(), events_.end());
    events_.clear();
  }
  [[nodiscard]] std::optional<model::OpKind> waits_at(int task) const {
    return waits_at_.at(static_cast<std::size_t>(task));
  }
  // The most tasks that held each lock at once since the last call: mutual
  // exclusion is checked at every acquisition, not only between steps.
  // reset_peak_holders() starts the next interval (no allocation).
  [[nodiscard]] const std::vector<int>& peak_holders() const { return peak_holders_; }
  void reset_peak_holders() { peak_holders_ = holders_; }
  // Each task's root returns the task's number (SEMANTICS TK-VALUE).
  [[nodiscard]] const TaskHandle<int>& handle(int task) const { return handles_.at(static_cast<std::size_t>(task)); }
  // what() of an exception no program op raises, if a task ended with one.
  [[nodiscard]] const std::string& unexpected_error() const { return unexpected_error_; }

 private:
  using Ops = std::vector<model::Op>;
  // A coroutine's parameters live in its frame until the frame is destroyed
  // (its locals die at co_return): the LiveFrame parameter counts the frame.
  Task<int> run_task(int task, LiveFrame live, TeardownWitness witness);
  Task<> run_ops(int task, const Ops& ops, LiveFrame live);
  Task<> run_ops(int task, const Ops& ops) { return run_ops(task, ops, LiveFrame(live_frames_)); }
  Task<> run_op(int task, const model::Op& op);
  Task<> run_scoped(int task, const model::Op& op);
  Task<> run_body(int task, const model::Op& op, std::function<void()> release);
  void log_scope_exit(int lock, const ScopeProbe& probe);
  Task<> run_try(int task, const model::Op& op);
  Task<> run_timeout(int task, const model::Op& op);
  Task<> run_await(int task, const model::Op& op);
  Task<> run_gather(int task, const model::Op& op);
  Task<> run_lock_wait(int task, const model::Op& op);
  Task<> run_pause(int task, const model::Op& op);
  void run_instant(int task, const model::Op& op);
  void guard_release(int task);
  void spawn(int task);
  void log(model::EventKind kind, model::Result result, int lock = -1, int target = 0, int value = 0) {
    events_.push_back({kind, result, lock, target, value});
  }
  void acquired(int lock);
  void released(int lock) { --holders_.at(static_cast<std::size_t>(lock)); }
  LockUnderTest& lock(int index) { return *locks_.at(static_cast<std::size_t>(index)); }

  const model::Program& program_;
  EventLoop& loop_;
  int& live_frames_;
  std::vector<int>* torn_down_;
  std::vector<LockUnderTest*> locks_;
  std::vector<TaskHandle<int>> handles_;                // by task number
  std::vector<std::optional<model::OpKind>> waits_at_;  // by task number
  struct OpenScope {
    int lock;
    std::function<void()> release;  // guard.release()
  };
  std::vector<std::vector<OpenScope>> guards_;   // by task number: the open scopes, innermost last
  std::vector<std::pair<TaskId, int>> numbers_;  // (loop id, task number), in spawn order
  std::vector<model::Event> events_;
  std::vector<int> holders_;  // per lock: completed acquisitions minus releases
  std::vector<int> peak_holders_;
  std::string unexpected_error_;
};

}  // namespace lockstep::check
