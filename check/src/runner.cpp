#include "lockstep/check/runner.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "interpreter.hpp"
#include "lockstep/model/model_run.hpp"

namespace lockstep::check {

using model::StepRecord;

namespace {

constexpr std::array<std::pair<FailureKind, std::string_view>, 11> kNames{{
    {FailureKind::none, "pass"},
    {FailureKind::two_holders, "two-holders"},
    {FailureKind::double_resume, "double-resume"},
    {FailureKind::lost_wakeup, "lost-wakeup"},
    {FailureKind::deadlock, "deadlock"},
    {FailureKind::lock_left_held, "lock-left-held"},
    {FailureKind::waiters_left_queued, "waiters-left-queued"},
    {FailureKind::exception_escaped, "exception-escaped"},
    {FailureKind::exception_swallowed, "exception-swallowed"},
    {FailureKind::model_disagreement, "model-disagreement"},
    {FailureKind::step_budget_exceeded, "step-budget-exceeded"},
}};

// Stops a run from inside the schedule policy.
struct Stop {
  FailureKind kind;
  std::string message;
};

std::string describe_tasks(const std::vector<int>& tasks) {
  std::string out;
  for (std::size_t i = 0; i < tasks.size(); ++i) out += (i == 0 ? "" : ",") + std::to_string(tasks[i]);
  return out.empty() ? "none" : out;
}

// Steers the loop with the choice source, relative to the task that ran last,
// and checks before every step that the model would pick from the same tasks.
class Steering final : public SchedulePolicy {
 public:
  Steering(ChoiceSource& choices, const Interpreter& interpreter, model::ModelRun* model, EventLoop& loop)
      : choices_(choices), interpreter_(interpreter), model_(model), loop_(loop) {}

  std::size_t pick_next(const ReadyTasks& ready) override {
    std::vector<int> numbers;
    for (TaskId id : ready) numbers.push_back(interpreter_.number_of(id));
    std::vector<int> sorted = numbers;
    std::sort(sorted.begin(), sorted.end());
    const long now = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(loop_.now()).count());
    if (model_ != nullptr && (sorted != model_->ready() || now != model_->now())) {
      throw Stop{FailureKind::model_disagreement,
                 "before step " + std::to_string(step_number + 1) + ": ready tasks " + describe_tasks(sorted) +
                     " at @" + std::to_string(now) + ", but the model has " + describe_tasks(model_->ready()) +
                     " at @" + std::to_string(model_->now())};
    }
    // Options: the last task first if it can run again, then the rest by number.
    std::vector<int> options;
    const bool can_continue = std::find(sorted.begin(), sorted.end(), last_task) != sorted.end();
    if (can_continue) options.push_back(last_task);
    for (int t : sorted) {
      if (t != last_task) options.push_back(t);
    }
    std::uint32_t decision = 0;
    if (options.size() >= 2) {
      decision = choices_.pick(static_cast<std::uint32_t>(options.size()),
                               can_continue ? ChoiceKind::schedule : ChoiceKind::schedule_after_block, options);
      if (decision >= options.size()) throw std::out_of_range("choice source returned an index out of range");
      decisions.push_back(decision);
    }
    chosen = options[decision];
    ready_before = std::move(sorted);
    now_before = now;
    last_task = chosen;
    return static_cast<std::size_t>(std::find(numbers.begin(), numbers.end(), chosen) - numbers.begin());
  }

  std::vector<std::uint32_t> decisions;
  std::vector<int> ready_before;
  long now_before = 0;
  int chosen = 0;
  int last_task = 0;
  std::size_t step_number = 0;

 private:
  ChoiceSource& choices_;
  const Interpreter& interpreter_;
  model::ModelRun* model_;  // null when not comparing
  EventLoop& loop_;
};

bool ends_with(const std::vector<std::string>& events, const std::string& last) {
  return !events.empty() && events.back() == last;
}

// Names the difference between what happened and what the model predicted.
Stop classify(std::size_t step, const StepRecord& got, const StepRecord& expected) {
  const std::string where = "step " + std::to_string(step) + ": ";
  const std::string detail = "expected " + model::to_string(expected) + ", got " + model::to_string(got);
  if (ends_with(got.events, "end=error") && !ends_with(expected.events, "end=error")) {
    return {FailureKind::exception_escaped, where + "task " + std::to_string(got.task) +
                                                " ended with an exception the model does not raise; " + detail};
  }
  if (ends_with(expected.events, "end=error") && !ends_with(got.events, "end=error")) {
    return {FailureKind::exception_swallowed, where + "task " + std::to_string(got.task) +
                                                  " should have ended with its exception; " + detail};
  }
  return {FailureKind::model_disagreement, where + detail};
}

model::TaskEnd production_end(const TaskHandle<>& handle) {
  if (!handle.valid() || !handle.done()) return model::TaskEnd::unfinished;
  if (handle.cancelled()) return model::TaskEnd::cancelled;
  try {
    handle.result();
    return model::TaskEnd::ok;
  } catch (...) {
    return model::TaskEnd::error;
  }
}

const char* name_of(model::TaskEnd end) {
  switch (end) {
    case model::TaskEnd::unfinished: return "unfinished";
    case model::TaskEnd::ok: return "ok";
    case model::TaskEnd::error: return "error";
    case model::TaskEnd::cancelled: return "cancelled";
  }
  return "?";
}

}  // namespace

std::string_view name_of(FailureKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "?";
}

std::optional<FailureKind> failure_kind_from_name(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

RunResult run_program(const model::Program& program, ChoiceSource& choices, const LockFactory& make_lock,
                      const RunOptions& options) {
  RunResult result;
  model::ModelRun model(program);
  const std::unique_ptr<LockUnderTest> lock = make_lock();  // outlives the loop
  EventLoop loop;
  Interpreter interpreter(program, loop, *lock);
  model::ModelRun* const compared = options.compare_with_model ? &model : nullptr;
  Steering steering(choices, interpreter, compared, loop);
  loop.set_schedule_policy(&steering);
  interpreter.spawn_initial_tasks();

  auto fail = [&](FailureKind kind, std::string message) {
    result.failure = kind;
    result.message = std::move(message);
  };

  try {
    while (true) {
      if (result.steps.size() >= options.step_budget) {
        throw Stop{FailureKind::step_budget_exceeded,
                   "the run took more than " + std::to_string(options.step_budget) + " steps"};
      }
      const bool model_can_step = compared != nullptr && model.prepare_step();
      steering.step_number = result.steps.size();
      if (!loop.step()) {
        if (model_can_step) {
          throw Stop{FailureKind::deadlock, "after step " + std::to_string(result.steps.size()) +
                                                ": nothing can run, but the model expects tasks " +
                                                describe_tasks(model.ready()) + " to run"};
        }
        break;
      }
      const std::size_t step = result.steps.size() + 1;
      StepRecord got;
      got.now = steering.now_before;
      got.ready = steering.ready_before;
      got.task = steering.chosen;
      got.events = interpreter.take_events();
      got.waits_at = interpreter.waits_at(steering.chosen);
      const LockStatistics stats = lock->statistics();
      got.locked = stats.locked;
      got.live_waiters = stats.live_waiters;
      if (stats.holder) got.holder = interpreter.number_if_known(*stats.holder);
      result.steps.push_back(got);
      choices.observe_step(got);

      if (loop.misdirected_wakeups() != 0) {
        throw Stop{FailureKind::double_resume, "step " + std::to_string(step) +
                                                   ": the lock woke a task that was not waiting (a waiter resumed twice)"};
      }
      if (const int holders = interpreter.take_peak_holders(); holders > 1) {
        throw Stop{FailureKind::two_holders, "step " + std::to_string(step) + ": " + std::to_string(holders) +
                                                 " tasks held the lock at once; " + model::to_string(got)};
      }
      // With every task finished, leftover waiters are reported at the end.
      if (loop.idle() && loop.unfinished_task_count() != 0 && !stats.locked && stats.live_waiters > 0) {
        throw Stop{FailureKind::lost_wakeup, "after step " + std::to_string(step) + ": nothing can run, the lock is free, and " +
                                                 std::to_string(stats.live_waiters) + " live waiter(s) are still queued"};
      }
      if (compared != nullptr) {
        const StepRecord expected = model.step(steering.chosen);
        if (got != expected) throw classify(step, got, expected);
      }
    }

    // The end of the run (SPEC §4).
    const std::vector<int> model_stuck = compared != nullptr ? model.unfinished() : std::vector<int>{};
    std::vector<int> stuck;
    for (std::size_t t = 1; t <= program.tasks.size(); ++t) {
      const TaskHandle<>& handle = interpreter.handle(static_cast<int>(t));
      if (handle.valid() && !handle.done()) stuck.push_back(static_cast<int>(t));
    }
    const LockStatistics stats = lock->statistics();
    if (!stuck.empty() || !model_stuck.empty()) {
      if (stuck != model_stuck) {
        throw Stop{FailureKind::deadlock, "the run stopped with tasks " + describe_tasks(stuck) +
                                              " suspended; the model expects " + describe_tasks(model_stuck)};
      }
      result.predicted_deadlock = stuck;
    } else {
      if (stats.locked && (compared == nullptr || !model.lock().locked())) {
        throw Stop{FailureKind::lock_left_held, "every task finished, but the lock is still held"};
      }
      if (stats.live_waiters != 0 || stats.cancelled_waiters != 0) {
        throw Stop{FailureKind::waiters_left_queued,
                   "every task finished, but the lock reports " + std::to_string(stats.live_waiters) +
                       " live and " + std::to_string(stats.cancelled_waiters) + " cancelled waiter(s) queued"};
      }
    }
    for (std::size_t t = 1; t <= program.tasks.size() && compared != nullptr; ++t) {
      const auto task = static_cast<int>(t);
      const model::TaskEnd got = production_end(interpreter.handle(task));
      const model::TaskEnd expected = model.end_of(task);
      if (got == expected) continue;
      std::string message = "task " + std::to_string(task) + " ended " + name_of(got) + ", the model says " + name_of(expected);
      if (!interpreter.unexpected_error().empty()) message += " (" + interpreter.unexpected_error() + ")";
      if (got == model::TaskEnd::error) throw Stop{FailureKind::exception_escaped, message};
      if (expected == model::TaskEnd::error) throw Stop{FailureKind::exception_swallowed, message};
      throw Stop{FailureKind::model_disagreement, message};
    }
  } catch (Stop& stop) {
    fail(stop.kind, std::move(stop.message));
  }
  result.decisions = std::move(steering.decisions);
  loop.set_schedule_policy(nullptr);
  // The runner has seen every task's outcome: failures are in the verdict, not lost.
  for (std::size_t t = 1; t <= program.tasks.size(); ++t) {
    const TaskHandle<>& handle = interpreter.handle(static_cast<int>(t));
    if (handle.valid()) handle.control().mark_retrieved();
  }
  return result;
}

}  // namespace lockstep::check
