// Running the deterministic scheduler over your own coroutine code.
//
// A Scenario spawns your tasks on the loop and states your invariants; the
// harness runs it under any choice source (every schedule up to a preemption
// bound, PCT, random), checks the invariants after every step and at the end,
// and shrinks a failing schedule to its simplest form. There is no reference
// model here: your invariants are the oracle.
//
//   struct Transfers : lockstep::check::Scenario {
//     Bank bank; lockstep::Lock lock;          // the lock before the loop's tasks
//     void start(lockstep::EventLoop& loop) override {
//       loop.spawn(transfer(bank, lock, 0, 1, 10));
//       loop.spawn(transfer(bank, lock, 1, 0, 5));
//     }
//     std::optional<std::string> check_end() override {
//       if (bank.total() != 100) return "money was created or lost";
//       return std::nullopt;
//     }
//   };
//   auto result = lockstep::check::explore_scenario([] { return std::make_unique<Transfers>(); }, {});
//
// A scenario object is made afresh for every run (the factory), and must not
// read anything but the loop and its own state: runs must replay exactly.
//
// A run fails when an invariant breaks, when a task is left unfinished (a
// deadlock), or when one of your tasks fails with an exception that nobody
// retrieved (awaited, or read through its handle) by the time its last handle
// goes. `ScenarioSearch::report()` (or `ScenarioRun::describe()`) shows the
// failing run: its message, a timeline of its steps, and the C++ that replays
// it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lockstep/check/choice.hpp"
#include "lockstep/check/explore.hpp"
#include "lockstep/lockstep.hpp"

namespace lockstep::check {

class Scenario {
 public:
  virtual ~Scenario() = default;
  // Spawn the tasks (they first run when the harness steps the loop).
  virtual void start(EventLoop& loop) = 0;
  // After every step; a message means the invariant is broken.
  virtual std::optional<std::string> check_step() { return std::nullopt; }
  // When nothing can run any more.
  virtual std::optional<std::string> check_end() { return std::nullopt; }
};
using ScenarioFactory = std::function<std::unique_ptr<Scenario>()>;

// One step of a scenario run.
struct ScenarioStep {
  TaskId task = 0;             // the task it ran (or a loop callback of, like "g3": gather's)
  std::string ran;             // that entry: "t3", "g3"
  std::string queue;           // the ready queue before it, front first: "t1,t3,g3"
  std::uint32_t decision = 0;  // the index chosen into it
  Duration now{};              // the loop's virtual time after it
};

struct ScenarioRun {
  std::vector<std::uint32_t> decisions;
  std::vector<TaskId> schedule;  // the task each step ran
  std::vector<ScenarioStep> steps;
  // "step 7: <your message>", "at the end: ...", a deadlock, or "step 4: task
  // #2 failed and nobody retrieved its exception: <what()>".
  std::optional<std::string> failure;
  // The failure, a timeline (one row per step, one column per task), the
  // decisions and schedule, and the C++ that replays the run.
  [[nodiscard]] std::string describe() const;
  [[nodiscard]] std::string timeline() const;
  // "lockstep::check::VectorSource source({0, 1});\nauto run = lockstep::check::run_scenario(make, source);"
  [[nodiscard]] std::string replay_code() const;
};

struct ScenarioOptions {
  std::size_t step_budget = 100'000;
  // An unfinished task at the end is a failure (a deadlock), unless allowed.
  bool allow_unfinished_tasks = false;
};

ScenarioRun run_scenario(const ScenarioFactory& make, ChoiceSource& choices, const ScenarioOptions& options = {});

struct ScenarioSearch {
  std::size_t runs = 0;
  bool complete = false;              // explore: the whole (bounded) tree
  std::optional<ScenarioRun> found;   // the first failing run
  std::optional<ScenarioRun> shrunk;  // the same failure with the simplest schedule found
  // "passed: 12 schedules, every one explored", or the failure: the shrunk
  // run described in full (timeline and replay code), then the first one's
  // decisions.
  [[nodiscard]] std::string report() const;
};

// Every schedule (up to options.preemption_bound); sleep sets do not apply
// here (the harness cannot see what your steps touch).
ScenarioSearch explore_scenario(const ScenarioFactory& make, const ExploreOptions& options,
                                const ScenarioOptions& scenario = {});
ScenarioSearch random_scenario(const ScenarioFactory& make, std::size_t runs, std::uint64_t seed,
                               const ScenarioOptions& scenario = {});

}  // namespace lockstep::check
