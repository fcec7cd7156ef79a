#include "lockstep/check/scenario.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "lockstep/check/shrink.hpp"
#include "strategies/dfs.hpp"

namespace lockstep::check {
namespace {

struct Stop {
  std::string message;
};

// Steers by the ready queue's index, as the runner does (pick_schedule); records
// each step by task id.
class IdSteering final : public SchedulePolicy {
 public:
  explicit IdSteering(ChoiceSource& choices) : choices_(choices) {}

  std::size_t pick_next(const ReadyTasks& ready) override {
    // Decisions index the ready queue, as in the runner [LP-QUEUE]. Your task
    // ids stand in for task numbers (PCT keys its priorities by them).
    std::vector<model::Entry> options;
    ScenarioStep step;
    for (const ReadyEntry e : ready) {
      options.push_back(
          {static_cast<model::EntryKind>(e.kind), static_cast<int>(std::min<TaskId>(e.task, model::kMaxTasks))});
      step.queue += (step.queue.empty() ? "" : ",") + entry_name(e);
    }
    const std::uint32_t decision = pick_schedule(choices_, options, decisions);
    std::size_t at = 0;
    for (const ReadyEntry e : ready) {
      if (at++ == decision) {
        last = e.task;
        step.ran = entry_name(e);
      }
    }
    step.task = last;
    step.decision = decision;
    schedule.push_back(last);
    steps.push_back(std::move(step));
    return decision;
  }

  // "t3" for a step of task 3, "g3" for its gather callback, ...
  static std::string entry_name(const ReadyEntry e) {
    std::string letter = model::to_string(model::Entry{static_cast<model::EntryKind>(e.kind), 0});
    letter.pop_back();
    return letter + std::to_string(e.task);
  }

  std::vector<std::uint32_t> decisions;
  std::vector<TaskId> schedule;
  std::vector<ScenarioStep> steps;
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

std::string ScenarioRun::timeline() const {
  // One row per step; one column per task: "ran" where it ran (or "g"/"i"/"r"
  // for a loop callback of it), "." where it was ready but another ran.
  TaskId tasks = 0;
  for (const ScenarioStep& s : steps) tasks = std::max(tasks, s.task);
  for (const ScenarioStep& s : steps) {
    std::size_t at = 0;
    while (at < s.queue.size()) {
      const std::size_t end = std::min(s.queue.find(',', at), s.queue.size());
      tasks = std::max<TaskId>(tasks, std::strtoull(s.queue.c_str() + at + 1, nullptr, 10));
      at = end + 1;
    }
  }
  tasks = std::min<TaskId>(tasks, 32);  // wider than this reads badly; the queue column has the rest
  std::string out = "step  time        choice  ";
  for (TaskId t = 1; t <= tasks; ++t) {
    char head[16];
    std::snprintf(head, sizeof head, "%-5s", ("t" + std::to_string(t)).c_str());
    out += head;
  }
  out += "ready queue (front first)\n";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const ScenarioStep& s = steps[i];
    char time[32];
    std::snprintf(time, sizeof time, "%.9gs", std::chrono::duration<double>(s.now).count());
    char head[64];
    std::snprintf(head, sizeof head, "%4zu  %-10s  %6u  ", i + 1, time, s.decision);
    out += head;
    for (TaskId t = 1; t <= tasks; ++t) {
      std::string cell;
      if (s.task == t) {
        cell = s.ran.rfind('t', 0) == 0 ? "ran" : s.ran.substr(0, 1);
      } else if (("," + s.queue + ",").find("," + std::string("t") + std::to_string(t) + ",") != std::string::npos) {
        cell = ".";
      }
      char c[16];
      std::snprintf(c, sizeof c, "%-5s", cell.c_str());
      out += c;
    }
    out += s.queue + "\n";
  }
  if (steps.empty()) out += "(no step ran)\n";
  return out;
}

std::string ScenarioRun::replay_code() const {
  std::string list;
  for (std::size_t i = 0; i < decisions.size(); ++i) list += (i == 0 ? "" : ", ") + std::to_string(decisions[i]);
  return "lockstep::check::VectorSource source({" + list + "});\n" +
         "auto run = lockstep::check::run_scenario(make_scenario, source);  // make_scenario: your ScenarioFactory\n";
}

std::string ScenarioRun::describe() const {
  std::string out = failure ? "failure: " + *failure + "\n" : std::string("pass\n");
  out += timeline();
  out += "decisions:";
  for (auto d : decisions) out += " " + std::to_string(d);
  out += "\nschedule (task per step):";
  for (auto t : schedule) out += " " + std::to_string(t);
  out += "\nreplay it:\n" + replay_code();
  return out;
}

std::string ScenarioSearch::report() const {
  if (!found) {
    return "passed: " + std::to_string(runs) + " schedules" +
           (complete ? ", every one there is (within the bound)" : ", not every one there is") + "\n";
  }
  std::string out = "FAILED after " + std::to_string(runs) + " schedules\n";
  if (shrunk) {
    const auto preempting = [](const ScenarioRun& r) {
      return std::to_string(std::count_if(r.decisions.begin(), r.decisions.end(), [](auto d) { return d != 0; }));
    };
    out += "shrunk to a schedule with " + preempting(*shrunk) + " non-default decisions (the first failing one had " +
           preempting(*found) + "):\n" + shrunk->describe();
  } else {
    out += found->describe();
  }
  return out;
}

namespace {

// The failed tasks whose exception nobody retrieved, as the loop reports them.
struct Unretrieved {
  std::vector<std::string> errors;
  std::string when = "at the end";  // or "step N"

  static void report(void* context, TaskId id, const std::string& name, const std::exception_ptr& error) noexcept {
    auto& self = *static_cast<Unretrieved*>(context);
    std::string what = "an exception that is not a std::exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = std::string(e.what());
    } catch (...) {
      // on purpose: `what` already says it is not a std::exception
    }
    try {
      self.errors.push_back(self.when + ": task #" + std::to_string(id) + (name.empty() ? "" : " (" + name + ")") +
                            " failed and nobody retrieved its exception: " + what);
    } catch (...) {
      // on purpose: a sink called from a destructor must not throw; out of memory loses the report
    }
  }
};

class SinkScope {
 public:
  explicit SinkScope(Unretrieved& sink) : before_(set_unretrieved_error_sink({&Unretrieved::report, &sink})) {}
  ~SinkScope() { set_unretrieved_error_sink(before_); }
  SinkScope(const SinkScope&) = delete;
  SinkScope& operator=(const SinkScope&) = delete;

 private:
  UnretrievedErrorSink before_;
};

}  // namespace

ScenarioRun run_scenario(const ScenarioFactory& make, ChoiceSource& choices, const ScenarioOptions& options) {
  ScenarioRun result;
  Unretrieved unretrieved;
  const SinkScope sink(unretrieved);
  std::unique_ptr<Scenario> scenario = make();  // outlives the loop, as a Lock inside it must
  IdSteering steering(choices);
  {
    EventLoop loop;
    loop.set_schedule_policy(&steering);
    scenario->start(loop);
    try {
      std::size_t steps = 0;
      while (true) {
        unretrieved.when = "step " + std::to_string(steps + 1);
        if (!loop.step()) break;
        ++steps;
        if (!steering.steps.empty()) steering.steps.back().now = loop.now();
        if (!unretrieved.errors.empty()) throw Stop{unretrieved.errors.front()};
        if (steps > options.step_budget)
          throw Stop{"the run took more than " + std::to_string(options.step_budget) + " steps"};
        if (loop.misdirected_wakeups() != 0)
          throw Stop{"step " + std::to_string(steps) + ": a task was woken while it was not waiting"};
        if (auto broken = scenario->check_step()) throw Stop{"step " + std::to_string(steps) + ": " + *broken};
      }
      unretrieved.when = "at the end";
      if (!options.allow_unfinished_tasks && loop.unfinished_task_count() != 0) {
        throw Stop{"deadlock: " + std::to_string(loop.unfinished_task_count()) + " task(s) can never finish"};
      }
      if (auto broken = scenario->check_end()) throw Stop{"at the end: " + *broken};
    } catch (Stop& stop) {
      result.failure = std::move(stop.message);
    }
    loop.set_schedule_policy(nullptr);
    unretrieved.when = "at the end";
  }
  // Handles the scenario kept go with it: a failure they held is reported now.
  scenario.reset();
  if (!result.failure && !unretrieved.errors.empty()) result.failure = unretrieved.errors.front();
  result.decisions = std::move(steering.decisions);
  result.schedule = std::move(steering.schedule);
  result.steps = std::move(steering.steps);
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
