// What one step of a run looked like, in terms both the production run and
// the model can state; the runner compares the two field by field.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "lockstep/model/lock_table.hpp"

namespace lockstep::model {

// Events, in the order the task performed them during the step:
//   acquire | acquire!cancelled | release | release!not-acquired |
//   try_acquire=1 | try_acquire=0 | acquire_timeout | acquire_timeout!timeout |
//   acquire_timeout!cancelled | scoped | scoped!cancelled | /scoped |
//   /scoped!not-acquired | yield | yield!cancelled | sleep | sleep!cancelled |
//   throw | cancel K=1 | cancel K=0 | spawn K | end=ok | end=error | end=cancelled
// A task cancelled before it ever ran takes one step with no events.
struct StepRecord {
  long now = 0;                    // virtual seconds when the step began
  std::vector<TaskNumber> ready;   // ready tasks before the pick, ascending
  TaskNumber task = 0;             // the task that ran
  std::vector<std::string> events;
  std::string waits_at;            // the op it is suspended at; "" once it is done
  bool locked = false;             // the lock after the step
  std::size_t live_waiters = 0;
  std::optional<TaskNumber> holder;

  friend bool operator==(const StepRecord&, const StepRecord&) = default;
};

// One line: "@0 ready=1,2 t2: acquire, yield -> waits yield | locked holder=2 live=1"
std::string to_string(const StepRecord& step);
// Parses what to_string wrote; throws std::invalid_argument saying what is wrong.
StepRecord parse_step_record(const std::string& line);

}  // namespace lockstep::model
