#include "timeline.hpp"

#include <cctype>
#include <map>
#include <optional>

namespace lockstep::check::detail {
namespace {

using model::EventKind;
using model::Result;

bool takes(const model::Event& e) {
  return (e.kind == EventKind::acquire && e.result == Result::ok) ||
         (e.kind == EventKind::acquire_timeout && e.result == Result::ok) ||
         (e.kind == EventKind::scope_enter && e.result == Result::ok) ||
         (e.kind == EventKind::try_acquire && e.result == Result::yes);
}

bool releases(const model::Event& e) {
  return (e.kind == EventKind::release && e.result == Result::ok) ||
         (e.kind == EventKind::scope_exit && e.result == Result::released) ||
         (e.kind == EventKind::guard_release && e.result == Result::ok);
}

std::optional<model::OpKind> waits_at(const model::StepRecord& step, int task) {
  const auto at = static_cast<std::size_t>(task) - 1;
  if (task < 1 || at >= step.tasks.size() || step.tasks[at].status == model::TaskStatus::done) return std::nullopt;
  return step.tasks[at].waits_at;
}

std::vector<std::string> label_lines(const model::StepRecord& step) {
  std::vector<std::string> lines;
  const model::Entry ran = step.ran();
  if (ran.kind != model::EntryKind::task) lines.push_back("[" + model::to_string(ran).substr(0, 1) + "]");
  for (const auto& e : step.events) lines.push_back(model::to_string(e));
  if (ran.kind == model::EntryKind::task) {
    if (const auto op = waits_at(step, ran.task)) lines.push_back("~" + std::string(model::name_of(*op)));
  }
  if (lines.empty()) lines.emplace_back("(no events)");
  return lines;
}

// Who is shown holding each lock after each step: the recorded holder, or for
// a lock taken by try_acquire (no holder recorded) the task that took it.
std::vector<std::vector<int>> holders(const Trace& trace, std::size_t locks) {
  std::vector<std::vector<int>> out(locks, std::vector<int>(trace.steps.size(), 0));
  std::vector<int> try_owner(locks, 0);
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    const auto& step = trace.steps[i];
    for (const auto& e : step.events) {
      if (e.kind == EventKind::try_acquire && e.result == Result::yes && e.lock >= 0 &&
          static_cast<std::size_t>(e.lock) < locks) {
        try_owner[static_cast<std::size_t>(e.lock)] = step.ran().task;
      }
    }
    for (std::size_t l = 0; l < locks && l < step.locks.size(); ++l) {
      const model::LockView& view = step.locks[l];
      if (view.locked) out[l][i] = view.holder ? *view.holder : try_owner[l];
    }
  }
  return out;
}

// Runs of the same nonzero value in `per_step` become spans.
void add_runs(std::vector<TimelineSpan>& spans, const std::vector<int>& per_step, bool holds, int lock) {
  for (std::size_t i = 0; i < per_step.size(); ++i) {
    if (per_step[i] == 0 || (i > 0 && per_step[i - 1] == per_step[i])) continue;
    std::size_t last = i;
    while (last + 1 < per_step.size() && per_step[last + 1] == per_step[i]) ++last;
    spans.push_back({holds, false, lock, per_step[i], static_cast<int>(i), static_cast<int>(last)});
  }
}

// Holds that start and end within one step: a take, then a release of the same lock.
void add_instant_holds(std::vector<TimelineSpan>& spans, const Trace& trace) {
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    std::map<int, bool> open;
    for (const auto& e : trace.steps[i].events) {
      if (takes(e)) open[e.lock] = true;
      if (releases(e) && open[e.lock]) {
        open[e.lock] = false;
        const int step = static_cast<int>(i);
        spans.push_back({true, true, e.lock, trace.steps[i].ran().task, step, step});
      }
    }
  }
}

bool woken_in(const model::LockView& view, int task) {
  for (const auto& w : view.waiters) {
    if (w.task == task && w.state == model::WaiterState::woken) return true;
  }
  return false;
}

void add_waits_and_wakes(Timeline& out, const Trace& trace) {
  for (int l = 0; l < out.locks; ++l) {
    const auto lock = static_cast<std::size_t>(l);
    std::map<int, std::vector<int>> waiting;  // task -> per step: task or 0
    for (std::size_t i = 0; i < trace.steps.size(); ++i) {
      const auto& step = trace.steps[i];
      if (lock >= step.locks.size()) continue;
      for (const auto& w : step.locks[lock].waiters) {
        if (w.state == model::WaiterState::cancelled) continue;
        auto& row = waiting[w.task];
        row.resize(trace.steps.size(), 0);
        row[i] = w.task;
        const bool before =
            i > 0 && lock < trace.steps[i - 1].locks.size() && woken_in(trace.steps[i - 1].locks[lock], w.task);
        if (w.state == model::WaiterState::woken && !before) {
          out.wakes.push_back({static_cast<int>(i), step.ran().task, w.task, l, -1});
        }
      }
    }
    for (const auto& [task, row] : waiting) add_runs(out.spans, row, false, l);
  }
  for (auto& wake : out.wakes) {
    for (std::size_t j = static_cast<std::size_t>(wake.step) + 1; j < out.lane.size(); ++j) {
      if (out.lane[j] == wake.to && trace.steps[j].ran().kind == model::EntryKind::task) {
        wake.resumes = static_cast<int>(j);
        break;
      }
    }
  }
}

void add_marks(Timeline& out, const Trace& trace) {
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    bool seen[3] = {false, false, false};
    for (const auto& e : trace.steps[i].events) {
      std::optional<MarkKind> kind;
      if (e.result == Result::timeout)
        kind = MarkKind::timeout;
      else if (e.result == Result::cancelled)
        kind = MarkKind::cancelled;
      else if (e.kind == EventKind::throw_ || e.result == Result::error)
        kind = MarkKind::exception;
      if (!kind || seen[static_cast<int>(*kind)]) continue;
      seen[static_cast<int>(*kind)] = true;
      out.marks.push_back({*kind, static_cast<int>(i), out.lane[i], model::to_string(e)});
    }
  }
  if (trace.steps.empty()) return;
  const auto& last = trace.steps.back();
  for (int t = 1; t <= out.tasks && static_cast<std::size_t>(t) <= last.tasks.size(); ++t) {
    const model::TaskView& view = last.tasks[static_cast<std::size_t>(t) - 1];
    if (view.status != model::TaskStatus::ready && view.status != model::TaskStatus::parked) continue;
    const std::string at = view.waits_at ? " at " + std::string(model::name_of(*view.waits_at)) : "";
    out.marks.push_back({MarkKind::stuck, static_cast<int>(trace.steps.size()) - 1, t, "stuck" + at});
  }
}

// The step a failure message names ("step 4: ...", "after step 7: ..."), else the last.
int failing_step(const Trace& trace) {
  if (trace.verdict == FailureKind::none || trace.steps.empty()) return -1;
  const std::size_t at = trace.message.find("step ");
  const int last = static_cast<int>(trace.steps.size()) - 1;
  if (at == std::string::npos) return last;
  long number = 0;
  std::size_t i = at + 5;
  for (; i < trace.message.size() && std::isdigit(static_cast<unsigned char>(trace.message[i])) && number < 1'000'000;
       ++i) {
    number = number * 10 + (trace.message[i] - '0');
  }
  if (i == at + 5 || number < 1 || number > last + 1) return last;
  return static_cast<int>(number) - 1;
}

}  // namespace

std::string step_label(const model::StepRecord& step) {
  std::string out;
  for (const std::string& line : label_lines(step)) {
    if (out.empty() || line == "(no events)")
      out = line;
    else
      out += (line[0] == '~' ? " " : ", ") + line;
  }
  return out;
}

std::string_view mark_name(MarkKind kind) {
  switch (kind) {
    case MarkKind::timeout:
      return "timeout";
    case MarkKind::cancelled:
      return "cancelled";
    case MarkKind::exception:
      return "exception";
    case MarkKind::stuck:
      return "stuck";
  }
  return "?";
}

Timeline build_timeline(const Trace& trace) {
  Timeline out;
  out.tasks = static_cast<int>(trace.program.tasks.size());
  out.locks = static_cast<int>(trace.program.lock_count());
  for (const auto& step : trace.steps) {
    out.lane.push_back(step.ran().task);
    out.labels.push_back(label_lines(step));
  }
  const auto held = holders(trace, static_cast<std::size_t>(out.locks));
  for (int l = 0; l < out.locks; ++l) add_runs(out.spans, held[static_cast<std::size_t>(l)], true, l);
  add_instant_holds(out.spans, trace);
  add_waits_and_wakes(out, trace);
  add_marks(out, trace);
  out.failing_step = failing_step(trace);
  out.verdict = trace.verdict == FailureKind::none ? "pass" : std::string(name_of(trace.verdict));
  out.message = trace.message;
  return out;
}

}  // namespace lockstep::check::detail
