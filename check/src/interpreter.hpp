// Runs a model::Program's tasks as real coroutines on the loop, against a
// LockUnderTest, logging the same events the model predicts (see
// model/step_record.hpp for the vocabulary). Internal to check/.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "lockstep/check/lock_under_test.hpp"
#include "lockstep/model/program.hpp"

namespace lockstep::check {

// The exception `throw` raises in task k.
struct TaskError {
  int task;
};

class Interpreter {
 public:
  Interpreter(const model::Program& program, EventLoop& loop, LockUnderTest& lock);

  void spawn_initial_tasks();

  [[nodiscard]] int number_of(TaskId id) const { return numbers_.at(id); }
  [[nodiscard]] std::optional<int> number_if_known(TaskId id) const;
  std::vector<std::string> take_events() { return std::exchange(events_, {}); }
  [[nodiscard]] const std::string& waits_at(int task) const { return waits_at_.at(static_cast<std::size_t>(task)); }
  // The most tasks that held the lock at once since the last call: mutual
  // exclusion is checked at every acquisition, not only between steps.
  int take_peak_holders() { return std::exchange(peak_holders_, holders_); }
  [[nodiscard]] const TaskHandle<>& handle(int task) const { return handles_.at(static_cast<std::size_t>(task)); }
  // what() of an exception no program op raises, if a task ended with one.
  [[nodiscard]] const std::string& unexpected_error() const { return unexpected_error_; }

 private:
  Task<> run_task(int task);
  Task<> run_ops(int task, const std::vector<model::Op>& ops);
  Task<> run_body(int task, const std::vector<model::Op>& body);
  void spawn(int task);
  void log(std::string event) { events_.push_back(std::move(event)); }
  void log_scope_exit(const ScopeProbe& probe);

  const model::Program& program_;
  EventLoop& loop_;
  LockUnderTest& lock_;
  std::vector<TaskHandle<>> handles_;     // by task number
  std::vector<std::string> waits_at_;     // by task number
  std::map<TaskId, int> numbers_;
  std::vector<std::string> events_;
  void acquired() { peak_holders_ = std::max(peak_holders_, ++holders_); }

  int holders_ = 0;  // completed acquisitions minus releases
  int peak_holders_ = 0;
  std::string unexpected_error_;
};

}  // namespace lockstep::check
