#include "lockstep/check/runner.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>

#include "interpreter.hpp"
#include "lockstep/model/model_run.hpp"
#include "run_in_progress.hpp"

namespace lockstep::check {

using model::StepRecord;

namespace {

constexpr std::array<std::pair<FailureKind, std::string_view>, 13> kNames{{
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
    {FailureKind::frames_leaked, "frames-leaked"},
    {FailureKind::statistics_wrong, "statistics-wrong"},
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

std::string describe_entries(const std::vector<model::Entry>& entries) {
  std::string out;
  for (const model::Entry& e : entries) out += (out.empty() ? "" : ",") + model::to_string(e);
  return out.empty() ? "none" : out;
}

long seconds_of(Duration d) { return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(d).count()); }

// Reads the production run's observable state in the model's terms.
class Observer {
 public:
  Observer(const model::Program& program, const Interpreter& interpreter, EventLoop& loop,
           const std::vector<LockUnderTest*>& locks)
      : program_(program), interpreter_(interpreter), loop_(loop), locks_(locks) {}

  [[nodiscard]] int number(TaskId id) const {
    const auto n = interpreter_.number_if_known(id);
    if (!n)
      throw Stop{FailureKind::model_disagreement,
                 "the loop runs a task the program does not have (#" + std::to_string(id) + ")"};
    return *n;
  }
  // Overwrites `out`, keeping its capacity.
  void entries(const ReadyTasks& ready, std::vector<model::Entry>& out) const {
    out.clear();
    out.reserve(ready.size());
    for (const ReadyEntry e : ready) out.push_back({static_cast<model::EntryKind>(e.kind), number(e.task)});
  }
  [[nodiscard]] model::TaskView task(int t) const {
    model::TaskView view;
    const TaskHandle<int>& handle = interpreter_.handle(t);
    if (!handle.valid()) return view;
    const detail::TaskControl& control = detail::LoopAccess::control(handle);
    view.cancelling = control.cancelling();
    switch (control.status()) {
      case detail::TaskControl::Status::ready:
      case detail::TaskControl::Status::running:
        view.status = model::TaskStatus::ready;
        break;
      case detail::TaskControl::Status::parked:
        view.status = model::TaskStatus::parked;
        break;
      case detail::TaskControl::Status::done:
        view.status = model::TaskStatus::done;
        break;
    }
    if (view.status == model::TaskStatus::done) {
      view.end = end_of(handle);
    } else {
      view.waits_at = interpreter_.waits_at(t);
    }
    check_handle(t, handle, view);
    return view;
  }
  // OB-HANDLE, after every step: the public accessors agree with the loop.
  static void check_handle(int t, const TaskHandle<int>& handle, const model::TaskView& view) {
    const bool done = view.status == model::TaskStatus::done;
    const bool cancelled = done && view.end == model::TaskEnd::cancelled;
    if (handle.done() == done && handle.cancelled() == cancelled) return;
    throw Stop{FailureKind::model_disagreement,
               "task " + std::to_string(t) + "'s handle says done() " + (handle.done() ? "true" : "false") +
                   ", cancelled() " + (handle.cancelled() ? "true" : "false") + ", but the task is " +
                   (done ? std::string("done, ended ") + std::string(model::name_of(view.end)) : "not done") +
                   " (OB-HANDLE)"};
  }
  static model::TaskEnd end_of(const TaskHandle<int>& handle) {
    if (!handle.valid() || !handle.done()) return model::TaskEnd::none;
    switch (detail::LoopAccess::control(handle).outcome()) {
      case detail::Outcome::value:
        return model::TaskEnd::ok;
      case detail::Outcome::cancelled:
        return model::TaskEnd::cancelled;
      default:
        return model::TaskEnd::error;
    }
  }
  // Overwrites `view`, keeping its waiters' capacity.
  void lock(const LockUnderTest& l, model::LockView& view) const {
    const LockStatistics stats = l.statistics();
    view.locked = stats.locked;
    view.holder.reset();
    if (stats.holder) view.holder = number(*stats.holder);
    l.list_waiters(waiters_);
    view.waiters.clear();
    for (const WaiterInfo& w : waiters_) {
      view.waiters.push_back({number(w.task), static_cast<model::WaiterState>(w.state)});
    }
  }
  // Fills the after-step fields of a cleared record (clear_record).
  void after_step(model::StepRecord& step) const {
    entries(loop_.ready(), step.queue);
    step.tasks.reserve(program_.tasks.size());
    step.timers.reserve(loop_.timer_count());
    for (std::size_t t = 1; t <= program_.tasks.size(); ++t) step.tasks.push_back(task(static_cast<int>(t)));
    step.locks.resize(locks_.size());
    for (std::size_t l = 0; l < locks_.size(); ++l) lock(*locks_[l], step.locks[l]);
    loop_.for_each_timer(
        [&](Duration deadline, TaskId owner) { step.timers.push_back({seconds_of(deadline), number(owner)}); });
  }

 private:
  const model::Program& program_;
  const Interpreter& interpreter_;
  EventLoop& loop_;
  const std::vector<LockUnderTest*>& locks_;
  mutable std::vector<WaiterInfo> waiters_;  // scratch, its capacity kept
};

// Empties a record kept from an earlier run, keeping its vectors' capacity
// (its LockViews are overwritten in place by Observer::after_step).
void clear_record(model::StepRecord& step) {
  step.ready.clear();
  step.events.clear();
  step.queue.clear();
  step.tasks.clear();
  step.timers.clear();
}

// Steers the loop with the choice source: decisions index the ready queue
// [LP-QUEUE]. Before every step it checks that the model has the same queue
// and clock. When no timer is due and a task is ready, the queue the step
// picks from is the one ready now: the decision is taken before the step, and
// a decision of 0 (the front) runs with no policy at all, so that the loop's
// own FIFO order is what is checked, not only the policy's.
class Steering final : public SchedulePolicy {
 public:
  Steering(ChoiceSource& choices, const Observer& observer, model::ModelRun* model, EventLoop& loop,
           std::vector<std::uint32_t>& decisions)
      : decisions(decisions), choices_(choices), observer_(observer), model_(model), loop_(loop) {}

  // Installs this policy for the next step, or none (see above).
  void before_step() {
    decided_ = loop_.ready_count() != 0 && !timer_due();
    if (decided_) decide(loop_.ready());
    installed_ = !(decided_ && picked == 0);
    asked_ = false;
    loop_.set_schedule_policy(installed_ ? this : nullptr);
  }

  // OB-POLICY: after a step that ran a task, the installed policy was asked.
  void check_asked() const {
    if (!installed_ || asked_) return;
    throw Stop{FailureKind::model_disagreement,
               "step " + std::to_string(step_number + 1) +
                   " ran a task without asking the installed schedule policy (OB-POLICY)"};
  }

  std::size_t pick_next(const ReadyTasks& ready) override {
    if (asked_) {
      throw Stop{FailureKind::model_disagreement,
                 "step " + std::to_string(step_number + 1) + " asked the schedule policy twice (OB-POLICY)"};
    }
    asked_ = true;
    if (decided_) {
      check_same_queue(ready);
    } else {
      decide(ready);
    }
    decided_ = false;
    return picked;
  }

  std::vector<std::uint32_t>& decisions;  // the run's, empty at its start
  std::vector<model::Entry> ready_before;
  long now_before = 0;
  std::uint32_t picked = 0;
  std::size_t step_number = 0;

 private:
  [[nodiscard]] bool timer_due() const {
    bool due = false;
    loop_.for_each_timer([&](Duration deadline, TaskId) { due = due || deadline <= loop_.now(); });
    return due;
  }

  void decide(const ReadyTasks& ready) {
    observer_.entries(ready, ready_before);
    now_before = seconds_of(loop_.now());
    if (model_ != nullptr) {
      const auto& expected = model_->ready();
      if (!std::equal(expected.begin(), expected.end(), ready_before.begin(), ready_before.end()) ||
          now_before != model_->now()) {
        throw Stop{FailureKind::model_disagreement,
                   "before step " + std::to_string(step_number + 1) + ": ready " + describe_entries(ready_before) +
                       " at @" + std::to_string(now_before) + ", but the model has " +
                       describe_entries({expected.begin(), expected.end()}) + " at @" + std::to_string(model_->now())};
      }
    }
    picked = pick_schedule(choices_, ready_before, decisions);
  }

  // OB-POLICY: the queue the loop asks about is the one the decision was taken on.
  void check_same_queue(const ReadyTasks& ready) {
    observer_.entries(ready, asked_about_);
    if (asked_about_ == ready_before) return;
    throw Stop{FailureKind::model_disagreement, "step " + std::to_string(step_number + 1) +
                                                    " asked the schedule policy about ready " +
                                                    describe_entries(asked_about_) + ", but the queue was " +
                                                    describe_entries(ready_before) + " (OB-POLICY)"};
  }

  ChoiceSource& choices_;
  const Observer& observer_;
  model::ModelRun* model_;  // null when not comparing
  EventLoop& loop_;
  bool decided_ = false;                   // before_step took this step's decision
  bool installed_ = false;                 // this policy is installed for the step
  bool asked_ = false;                     // the loop asked it during the step
  std::vector<model::Entry> asked_about_;  // scratch, its capacity kept
};

bool ends_with(const model::StepRecord& step, model::Result result) {
  return !step.events.empty() && step.events.back().kind == model::EventKind::end &&
         step.events.back().result == result;
}

// Names the difference between what happened and what the model predicted.
Stop classify(std::size_t step, const StepRecord& got, const StepRecord& expected) {
  const std::string where = "step " + std::to_string(step) + ": ";
  const std::string detail = model::first_difference(expected, got) + " (expected step: " + model::to_string(expected) +
                             "; got: " + model::to_string(got) + ")";
  const std::string who = model::to_string(got.ran());
  if (ends_with(got, model::Result::error) && !ends_with(expected, model::Result::error)) {
    return {FailureKind::exception_escaped,
            where + who + " ended with an exception the model does not raise; " + detail};
  }
  if (ends_with(expected, model::Result::error) && !ends_with(got, model::Result::error)) {
    return {FailureKind::exception_swallowed, where + who + " should have ended with its exception; " + detail};
  }
  return {FailureKind::model_disagreement, where + detail};
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

namespace {

// SPEC checks that need no model, after every step.
void check_safety(std::size_t step, EventLoop& loop, Interpreter& interpreter,
                  const std::vector<LockUnderTest*>& locks) {
  if (loop.misdirected_wakeups() != 0) {
    throw Stop{FailureKind::double_resume,
               "step " + std::to_string(step) + ": the lock woke a task that was not waiting (a waiter resumed twice)"};
  }
  const std::vector<int>& peaks = interpreter.peak_holders();
  for (std::size_t l = 0; l < peaks.size(); ++l) {
    if (peaks[l] > 1) {
      throw Stop{FailureKind::two_holders, "step " + std::to_string(step) + ": " + std::to_string(peaks[l]) +
                                               " tasks held lock " + model::lock_name(static_cast<int>(l)) +
                                               " at once"};
    }
  }
  interpreter.reset_peak_holders();
  // With every task finished, leftover waiters are reported at the end.
  if (!loop.idle() || loop.unfinished_task_count() == 0) return;
  for (std::size_t l = 0; l < locks.size(); ++l) {
    const LockStatistics stats = locks[l]->statistics();
    if (!stats.locked && stats.live_waiters > 0) {
      throw Stop{FailureKind::lost_wakeup, "after step " + std::to_string(step) + ": nothing can run, lock " +
                                               model::lock_name(static_cast<int>(l)) + " is free, and " +
                                               std::to_string(stats.live_waiters) + " live waiter(s) are still queued"};
    }
  }
}

// OB-LOCK: each lock's own counts (statistics(): live = pending or woken,
// cancelled) are those of the queue the step's record lists.
void check_statistics(std::size_t step, const StepRecord& got, const std::vector<LockUnderTest*>& locks) {
  for (std::size_t l = 0; l < locks.size() && l < got.locks.size(); ++l) {
    const auto& waiters = got.locks[l].waiters;
    const auto cancelled =
        static_cast<std::size_t>(std::count_if(waiters.begin(), waiters.end(), [](const model::Waiter& w) {
          return w.state == model::WaiterState::cancelled;
        }));
    const LockStatistics stats = locks[l]->statistics();
    if (stats.live_waiters == waiters.size() - cancelled && stats.cancelled_waiters == cancelled) continue;
    throw Stop{FailureKind::statistics_wrong,
               "step " + std::to_string(step) + ": lock " + model::lock_name(static_cast<int>(l)) +
                   "'s statistics say " + std::to_string(stats.live_waiters) + " live and " +
                   std::to_string(stats.cancelled_waiters) + " cancelled waiter(s); its queue holds " +
                   std::to_string(waiters.size() - cancelled) + " and " + std::to_string(cancelled)};
  }
}

// OB-HANDLE, when the run is over: result() of a task that ended ok returns
// its value (TK-VALUE), of a cancelled one raises CancelledError. (Not of one
// that failed: that would retrieve its error, TK-UNRETRIEVED.)
void check_results(const model::Program& program, const Interpreter& interpreter) {
  for (std::size_t t = 1; t <= program.tasks.size(); ++t) {
    const auto task = static_cast<int>(t);
    const TaskHandle<int>& handle = interpreter.handle(task);
    const model::TaskEnd end = Observer::end_of(handle);
    if (end != model::TaskEnd::ok && end != model::TaskEnd::cancelled) continue;
    std::string got;
    try {
      const int value = handle.result();
      if (end == model::TaskEnd::ok && value == task) continue;
      got = "returned " + std::to_string(value);
    } catch (const CancelledError&) {
      if (end == model::TaskEnd::cancelled) continue;
      got = "raised CancelledError";
    } catch (...) {
      got = "raised another exception";
    }
    throw Stop{FailureKind::model_disagreement,
               "task " + std::to_string(task) + " ended " + std::string(model::name_of(end)) +
                   ", but its handle's result() " + got +
                   (end == model::TaskEnd::ok ? " (expected its value, " + std::to_string(task) + ")" : "") +
                   " (OB-HANDLE)"};
  }
}

// The end of the run: stuck tasks, locks and waiters left behind, outcomes.
void check_end(const model::Program& program, const Interpreter& interpreter, const std::vector<LockUnderTest*>& locks,
               const model::ModelRun* model, const StepRecord* last_expected, RunResult& result) {
  std::vector<int> stuck;
  for (std::size_t t = 1; t <= program.tasks.size(); ++t) {
    const TaskHandle<int>& handle = interpreter.handle(static_cast<int>(t));
    if (handle.valid() && !handle.done()) stuck.push_back(static_cast<int>(t));
  }
  const std::vector<int> model_stuck = model != nullptr ? model->unfinished() : std::vector<int>{};
  if (!stuck.empty() || !model_stuck.empty()) {
    if (stuck != model_stuck) {
      throw Stop{FailureKind::deadlock, "the run stopped with tasks " + describe_tasks(stuck) +
                                            " suspended; the model expects " + describe_tasks(model_stuck)};
    }
    result.predicted_deadlock = stuck;
  } else {
    for (std::size_t l = 0; l < locks.size(); ++l) {
      const LockStatistics stats = locks[l]->statistics();
      const bool model_held = last_expected != nullptr && last_expected->locks.at(l).locked;
      if (stats.locked && !model_held && (model != nullptr || last_expected == nullptr)) {
        throw Stop{FailureKind::lock_left_held, std::string("every task finished, but lock ") +
                                                    model::lock_name(static_cast<int>(l)) + " is still held"};
      }
      if (stats.live_waiters != 0 || stats.cancelled_waiters != 0) {
        throw Stop{FailureKind::waiters_left_queued,
                   "every task finished, but lock " + std::string(1, model::lock_name(static_cast<int>(l))) +
                       " reports " + std::to_string(stats.live_waiters) + " live and " +
                       std::to_string(stats.cancelled_waiters) + " cancelled waiter(s) queued"};
      }
    }
  }
  for (std::size_t t = 1; t <= program.tasks.size() && model != nullptr; ++t) {
    const auto task = static_cast<int>(t);
    const model::TaskEnd got = Observer::end_of(interpreter.handle(task));
    const model::TaskEnd expected = model->end_of(task);
    if (got == expected) continue;
    std::string message = "task " + std::to_string(task) + " ended " + std::string(model::name_of(got)) +
                          ", the model says " + std::string(model::name_of(expected));
    if (!interpreter.unexpected_error().empty()) message += " (" + interpreter.unexpected_error() + ")";
    if (got == model::TaskEnd::error) throw Stop{FailureKind::exception_escaped, message};
    if (expected == model::TaskEnd::error) throw Stop{FailureKind::exception_swallowed, message};
    throw Stop{FailureKind::model_disagreement, message};
  }
}

// OB-UNRETRIEVED: the "exception never retrieved" reports of one run, taken
// from the thread's sink for as long as this lives (made before the loop, so
// that it hears the reports of the loop's and the handles' teardown; none
// reaches stderr). The handler must not throw: a fixed array, overflow counted.
class UnretrievedReports {
 public:
  UnretrievedReports() noexcept : before_(set_unretrieved_error_sink({&UnretrievedReports::take, this})) {}
  UnretrievedReports(const UnretrievedReports&) = delete;
  UnretrievedReports& operator=(const UnretrievedReports&) = delete;
  ~UnretrievedReports() { set_unretrieved_error_sink(before_); }

  // The program's task numbers of the reports, ascending (0: not a program
  // task); ids[k - 1] is task k's loop id.
  [[nodiscard]] std::vector<int> tasks(const std::array<TaskId, model::kMaxTasks>& ids) const {
    std::vector<int> out;
    for (std::size_t r = 0; r < count_ && r < ids_.size(); ++r) {
      const auto* at = std::find(ids.begin(), ids.end(), ids_[r]);
      out.push_back(at == ids.end() ? 0 : static_cast<int>(at - ids.begin()) + 1);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  [[nodiscard]] std::size_t count() const noexcept { return count_; }

 private:
  static void take(void* self, TaskId id, const std::string& /*name*/, const std::exception_ptr& /*error*/) {
    auto& reports = *static_cast<UnretrievedReports*>(self);
    if (reports.count_ < reports.ids_.size()) reports.ids_[reports.count_] = id;
    ++reports.count_;
  }

  UnretrievedErrorSink before_;
  std::array<TaskId, 2 * model::kMaxTasks> ids_{};
  std::size_t count_ = 0;
};

// What a run leaves for the checks made after its loop is gone.
struct AfterLoop {
  std::vector<TaskHandle<int>> stuck;           // handles of the tasks left stuck (OB-TEARDOWN)
  std::array<TaskId, model::kMaxTasks> ids{};   // task k's loop id is ids[k - 1]; 0: never spawned
  std::optional<std::vector<int>> unretrieved;  // the model's TK-UNRETRIEVED, when compared
  std::vector<int> torn_down;                   // tasks whose frames the teardown destroyed, in order
};

// OB-TEARDOWN: the loop destroys the frames of the tasks left unfinished in
// the order they were spawned (event_loop.hpp), i.e. by ascending loop id.
void check_teardown_order(const std::vector<int>& stuck, const AfterLoop& after, RunResult& result) {
  if (!result.passed()) return;
  std::vector<int> expected = stuck;
  std::sort(expected.begin(), expected.end(), [&](int a, int b) {
    return after.ids.at(static_cast<std::size_t>(a) - 1) < after.ids.at(static_cast<std::size_t>(b) - 1);
  });
  if (after.torn_down == expected) return;
  result.failure = FailureKind::model_disagreement;
  result.message = "the loop's teardown destroyed the frames of tasks " + describe_tasks(after.torn_down) +
                   " in that order; the tasks left unfinished, in spawn order, are " + describe_tasks(expected) +
                   " (OB-TEARDOWN)";
}

void check_unretrieved(const UnretrievedReports& reports, const AfterLoop& after, RunResult& result) {
  if (!result.passed() || !after.unretrieved) return;
  const std::vector<int> got = reports.tasks(after.ids);
  if (got == *after.unretrieved && reports.count() == got.size()) return;
  result.failure = FailureKind::model_disagreement;
  result.message = "after the run, tasks " + describe_tasks(got) + " reported their exception as never retrieved (" +
                   std::to_string(reports.count()) + " report(s)); the model expects " +
                   describe_tasks(*after.unretrieved) + " (OB-UNRETRIEVED)";
}

// The parts of one run that every step reads.
struct Stepper {
  const model::Program& program;
  ChoiceSource& choices;
  const std::vector<LockUnderTest*>& locks;
  EventLoop& loop;
  Interpreter& interpreter;
  const Observer& observer;
  Steering& steering;
  model::ModelRun* compared;              // null when not comparing
  model::StepRecord& expected;            // the model's record of the last step, its capacity reused
  std::vector<model::StepRecord>& steps;  // records kept from an earlier run are reused
  std::size_t count = 0;                  // steps run so far

  // Runs one step and checks it; false when nothing could run.
  bool step() {
    const bool model_can_step = compared != nullptr && compared->prepare_step();
    steering.step_number = count;
    steering.before_step();
    if (!loop.step()) {
      if (model_can_step) {
        throw Stop{FailureKind::deadlock,
                   "after step " + std::to_string(count) + ": nothing can run, but the model expects " +
                       describe_entries({compared->ready().begin(), compared->ready().end()}) + " to run"};
      }
      return false;
    }
    steering.check_asked();
    if (count == steps.size()) steps.emplace_back();
    StepRecord& got = steps[count++];
    clear_record(got);
    got.now = steering.now_before;
    got.ready.swap(steering.ready_before);
    got.picked = steering.picked;
    interpreter.take_events(got.events);
    observer.after_step(got);
    choices.observe_step(got);
    check_safety(count, loop, interpreter, locks);
    check_statistics(count, got, locks);
    if (compared != nullptr) {
      compared->step(steering.picked, expected);
      if (got != expected) throw classify(count, got, expected);
    }
    return true;
  }
};

// One run on its own loop; the loop and the interpreter are gone when it
// returns, so the caller can count the frames they left behind and read the
// handles of the tasks left stuck (`stuck`, kept past the loop).
void run_on_loop(const model::Program& program, ChoiceSource& choices, const std::vector<LockUnderTest*>& locks,
                 const RunOptions& options, std::vector<std::uint32_t>& decisions, int& live_frames, AfterLoop& after,
                 RunResult& result) {
  std::optional<model::ModelRun> model;  // only when comparing: it validates and plans the whole run
  if (options.compare_with_model) model.emplace(program, model::ModelRun::Borrowed{});
  EventLoop loop;
  Interpreter interpreter(program, loop, locks, live_frames, &after.torn_down);
  const Observer observer(program, interpreter, loop, locks);
  model::ModelRun* const compared = model ? &*model : nullptr;
  Steering steering(choices, observer, compared, loop, decisions);
  interpreter.spawn_initial_tasks();
  StepRecord expected;
  Stepper stepper{program, choices, locks, loop, interpreter, observer, steering, compared, expected, result.steps};
  try {
    while (true) {
      if (stepper.count >= options.step_budget) {
        throw Stop{FailureKind::step_budget_exceeded,
                   "the run took more than " + std::to_string(options.step_budget) + " steps"};
      }
      if (!stepper.step()) break;
    }
    check_end(program, interpreter, locks, compared, compared != nullptr && stepper.count != 0 ? &expected : nullptr,
              result);
    check_results(program, interpreter);
    for (const int task : result.predicted_deadlock) after.stuck.push_back(interpreter.handle(task));
    for (std::size_t t = 1; t <= program.tasks.size(); ++t) {
      const TaskHandle<int>& handle = interpreter.handle(static_cast<int>(t));
      after.ids.at(t - 1) = handle.valid() ? handle.id() : 0;
    }
    if (compared != nullptr) after.unretrieved = compared->unretrieved();
  } catch (Stop& stop) {
    result.failure = stop.kind;
    result.message = std::move(stop.message);
  } catch (...) {
    result.steps.resize(stepper.count);
    throw;
  }
  result.steps.resize(stepper.count);
  loop.set_schedule_policy(nullptr);
}

// One lock under test for each lock the program names, owned by `owned`
// (which the caller keeps past the loop).
std::vector<LockUnderTest*> make_locks(const model::Program& program, const LockFactory& make_lock,
                                       std::vector<std::unique_ptr<LockUnderTest>>& owned) {
  const std::size_t count = program.lock_count();  // a walk over the whole program
  std::vector<LockUnderTest*> locks;
  owned.reserve(count);
  locks.reserve(count);
  for (std::size_t l = 0; l < count; ++l) {
    owned.push_back(make_lock());
    locks.push_back(owned.back().get());
  }
  return locks;
}

// One unsteered run (OB-UNSTEERED): the loop's own driver, no policy, no
// observation between steps. Returns what differs from the model, or "".
std::string unsteered_once(const model::Program& program, const LockFactory& make_lock, bool by_run_ready,
                           const model::ModelRun& model, std::size_t model_steps) {
  std::vector<std::unique_ptr<LockUnderTest>> owned;  // outlive the loop
  const std::vector<LockUnderTest*> locks = make_locks(program, make_lock, owned);
  int live_frames = 0;
  const UnretrievedReports reports;  // heard, not compared here (OB-UNRETRIEVED is the stepped run's)
  EventLoop loop;
  Interpreter interpreter(program, loop, locks, live_frames);
  interpreter.spawn_initial_tasks();
  const char* const driver = by_run_ready ? "run_ready() and step()" : "run_until_idle()";
  std::size_t steps = 0;
  if (by_run_ready) {
    while (true) {
      const Duration before = loop.now();
      steps += loop.run_ready();
      if (loop.now() != before) return std::string(driver) + ": run_ready() moved the clock";
      if (!loop.step()) break;
      ++steps;
    }
  } else {
    steps = loop.run_until_idle();
  }
  std::string got;
  if (steps != model_steps)
    got += ", " + std::to_string(steps) + " steps (the model: " + std::to_string(model_steps) + ")";
  if (seconds_of(loop.now()) != model.now()) {
    got += ", the clock at @" + std::to_string(seconds_of(loop.now())) + " (the model: @" +
           std::to_string(model.now()) + ")";
  }
  for (std::size_t t = 1; t <= program.tasks.size(); ++t) {
    const auto task = static_cast<int>(t);
    const model::TaskEnd end = Observer::end_of(interpreter.handle(task));
    const model::TaskEnd expected = model.end_of(task);
    if (end != expected) {
      got += ", task " + std::to_string(task) + " ended " + std::string(model::name_of(end)) +
             " (the model: " + std::string(model::name_of(expected)) + ")";
    }
  }
  return got.empty() ? "" : std::string(driver) + " under FIFO" + got;
}

}  // namespace

std::string check_unsteered(const model::Program& program, const LockFactory& make_lock) {
  model::ModelRun model(program, model::ModelRun::Borrowed{});
  model::StepRecord record;
  std::size_t steps = 0;
  while (model.prepare_step()) {
    if (++steps > RunOptions{}.step_budget) return "";  // a livelock: the stepped runs report it
    model.step(0, record);
  }
  for (const bool by_run_ready : {false, true}) {
    std::string difference = unsteered_once(program, make_lock, by_run_ready, model, steps);
    if (!difference.empty()) return difference + " (OB-UNSTEERED)";
  }
  return "";
}

RunResult run_program(const model::Program& program, ChoiceSource& choices, const LockFactory& make_lock,
                      const RunOptions& options) {
  RunResult result;
  run_program(program, choices, make_lock, options, result);
  return result;
}

namespace {

// One run and its after-run checks; `decisions` is the run's list, published
// to a crash report (crash_report.hpp) from before the locks are made until
// after they are destroyed.
void run_and_check(const model::Program& program, ChoiceSource& choices, const LockFactory& make_lock,
                   const RunOptions& options, std::vector<std::uint32_t>& decisions, RunResult& result) {
  result.failure = FailureKind::none;
  result.message.clear();
  result.predicted_deadlock.clear();
  std::vector<std::unique_ptr<LockUnderTest>> owned;  // outlive the loop
  const std::vector<LockUnderTest*> locks = make_locks(program, make_lock, owned);
  int live_frames = 0;  // the interpreter's coroutine frames not yet destroyed
  const UnretrievedReports reports;
  AfterLoop after;
  after.torn_down.reserve(model::kMaxTasks);  // filled in the loop's destructor
  run_on_loop(program, choices, locks, options, decisions, live_frames, after, result);
  // OB-FRAMES: destroying the loop destroys every task it still holds, and
  // with it every frame the task's coroutine chain had.
  if (result.passed() && live_frames != 0) {
    result.failure = FailureKind::frames_leaked;
    result.message =
        std::to_string(live_frames) + " coroutine frame(s) of the program's tasks outlived the loop that ran them";
  }
  // OB-TEARDOWN: and a task it destroyed unfinished reads as cancelled.
  const std::vector<TaskHandle<int>>& stuck = after.stuck;
  for (std::size_t i = 0; i < stuck.size() && result.passed(); ++i) {
    const model::TaskEnd end = Observer::end_of(stuck[i]);  // none: not done
    if (end == model::TaskEnd::cancelled) continue;
    result.failure = FailureKind::model_disagreement;
    result.message = "task " + std::to_string(result.predicted_deadlock[i]) +
                     " was unfinished when the loop was destroyed, and its handle then reads " +
                     std::string(model::name_of(end)) + ", not cancelled (OB-TEARDOWN)";
  }
  check_teardown_order(result.predicted_deadlock, after, result);  // OB-TEARDOWN
  check_unretrieved(reports, after, result);                       // OB-UNRETRIEVED
}

}  // namespace

void run_program(const model::Program& program, ChoiceSource& choices, const LockFactory& make_lock,
                 const RunOptions& options, RunResult& result) {
  std::vector<std::uint32_t> decisions;
  decisions.swap(result.decisions);  // its capacity reused
  decisions.clear();
  {
    const RunInProgress in_progress(program, decisions);
    run_and_check(program, choices, make_lock, options, decisions, result);
    // OB-UNSTEERED, with the run in asyncio's own order (every decision 0):
    // the same program on the loop's own drivers must end the same way.
    // Once per program in a row on this thread (a campaign runs one program
    // many times; a replay in a new process checks again).
    thread_local std::optional<model::Program> unsteered_last;
    const bool fifo = std::all_of(decisions.begin(), decisions.end(), [](std::uint32_t d) { return d == 0; });
    if (result.passed() && options.compare_with_model && fifo && !(unsteered_last && *unsteered_last == program)) {
      unsteered_last = program;
      std::string difference = check_unsteered(program, make_lock);
      if (!difference.empty()) {
        result.failure = FailureKind::model_disagreement;
        result.message = std::move(difference);
      }
    }
  }
  result.decisions = std::move(decisions);
}

}  // namespace lockstep::check
