#include "lockstep/check/scenario.hpp"

#include <algorithm>

#include "lockstep/check/shrink.hpp"
#include "strategies/dfs.hpp"

namespace lockstep::check {
namespace {

struct Stop {
  std::string message;
};

// Steers by task id, relative to the task that ran last (as the runner does).
class IdSteering final : public SchedulePolicy {
 public:
  explicit IdSteering(ChoiceSource& choices) : choices_(choices) {}

  std::size_t pick_next(const ReadyTasks& ready) override {
    // Decisions index the ready queue, as in the runner [LP-QUEUE]. Your task
    // ids stand in for task numbers (PCT keys its priorities by them).
    std::vector<model::Entry> options;
    for (const ReadyEntry e : ready) {
      options.push_back({static_cast<model::EntryKind>(e.kind), static_cast<int>(std::min<TaskId>(e.task, model::kMaxTasks))});
    }
    std::uint32_t decision = 0;
    if (options.size() >= 2) {
      decision = choices_.pick(static_cast<std::uint32_t>(options.size()), ChoiceKind::schedule, options);
      if (decision >= options.size()) decision = 0;
      decisions.push_back(decision);
    }
    std::size_t at = 0;
    for (const ReadyEntry e : ready) {
      if (at++ == decision) last = e.task;
    }
    schedule.push_back(last);
    return decision;
  }

  std::vector<std::uint32_t> decisions;
  std::vector<TaskId> schedule;
  TaskId last = 0;

 private:
  ChoiceSource& choices_;
};

std::optional<ScenarioRun> shrink_failure(const ScenarioFactory& make, const ScenarioRun& failing,
                                          const ScenarioOptions& options) {
  ScenarioRun best = failing;
  shrink_decision_list(failing.decisions, [&](std::vector<std::uint32_t>& decisions) {
    VectorSource source(decisions);
    ScenarioRun run = run_scenario(make, source, options);
    if (!run.failure) return false;
    decisions = run.decisions;
    best = std::move(run);
    return true;
  });
  return best;
}

// Counts a run; a failing one is kept, with its shrunk schedule. True if it failed.
bool record(ScenarioSearch& search, ScenarioRun run, const ScenarioFactory& make, const ScenarioOptions& options) {
  ++search.runs;
  if (!run.failure) return false;
  search.shrunk = shrink_failure(make, run, options);
  search.found = std::move(run);
  return true;
}

}  // namespace

std::string ScenarioRun::describe() const {
  std::string out = "decisions:";
  for (auto d : decisions) out += " " + std::to_string(d);
  out += "\nschedule (task per step):";
  for (auto t : schedule) out += " " + std::to_string(t);
  out += "\n" + (failure ? "failure: " + *failure : std::string("pass")) + "\n";
  return out;
}

ScenarioRun run_scenario(const ScenarioFactory& make, ChoiceSource& choices, const ScenarioOptions& options) {
  ScenarioRun result;
  const std::unique_ptr<Scenario> scenario = make();  // outlives the loop, as a Lock inside it must
  IdSteering steering(choices);
  {
    EventLoop loop;
    loop.set_schedule_policy(&steering);
    scenario->start(loop);
    try {
      std::size_t steps = 0;
      while (loop.step()) {
        if (++steps > options.step_budget) throw Stop{"the run took more than " + std::to_string(options.step_budget) + " steps"};
        if (loop.misdirected_wakeups() != 0) throw Stop{"step " + std::to_string(steps) + ": a task was woken while it was not waiting"};
        if (auto broken = scenario->check_step()) throw Stop{"step " + std::to_string(steps) + ": " + *broken};
      }
      if (!options.allow_unfinished_tasks && loop.unfinished_task_count() != 0) {
        throw Stop{"deadlock: " + std::to_string(loop.unfinished_task_count()) + " task(s) can never finish"};
      }
      if (auto broken = scenario->check_end()) throw Stop{"at the end: " + *broken};
    } catch (Stop& stop) {
      result.failure = std::move(stop.message);
    }
    loop.set_schedule_policy(nullptr);
  }
  result.decisions = std::move(steering.decisions);
  result.schedule = std::move(steering.schedule);
  return result;
}

ScenarioSearch explore_scenario(const ScenarioFactory& make, const ExploreOptions& options,
                                const ScenarioOptions& scenario) {
  ScenarioSearch search;
  DfsSource dfs(options.preemption_bound, /*sleep_sets=*/false, options.prefix);
  dfs.begin_execution();
  while (true) {
    if (record(search, run_scenario(make, dfs, scenario), make, scenario)) return search;
    if (!dfs.start_next_execution()) {
      search.complete = true;
      return search;
    }
    if (options.max_executions != 0 && search.runs >= options.max_executions) return search;
  }
}

ScenarioSearch random_scenario(const ScenarioFactory& make, std::size_t runs, std::uint64_t seed,
                               const ScenarioOptions& scenario) {
  ScenarioSearch search;
  for (std::size_t i = 0; i < runs; ++i) {
    RandomSource source(seed + i);
    if (record(search, run_scenario(make, source, scenario), make, scenario)) return search;
  }
  search.complete = true;
  return search;
}

}  // namespace lockstep::check
