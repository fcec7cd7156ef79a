#include "lockstep/check/shrink.hpp"

#include <optional>
#include <stdexcept>

namespace lockstep::check {
namespace {

using model::Op;
using model::OpKind;
using model::Program;

std::size_t count_ops(const Program& program) {
  std::size_t n = 0;
  for (const auto& task : program.tasks) {
    for (const Op& op : task.ops) n += 1 + op.body.size();
  }
  return n;
}

bool names_task(const Op& op) { return op.kind == OpKind::cancel || op.kind == OpKind::spawn; }

// The program without task `removed` (1-based): ops naming it go, and task
// numbers above it move down by one.
std::optional<Program> without_task(const Program& program, int removed) {
  if (program.tasks.size() <= 1) return std::nullopt;
  Program out;
  auto renumber = [&](std::vector<Op> ops) {
    std::vector<Op> kept;
    for (Op& op : ops) {
      if (names_task(op) && op.arg == removed) continue;
      if (names_task(op) && op.arg > removed) --op.arg;
      std::vector<Op> body;
      for (Op& inner : op.body) {
        if (names_task(inner) && inner.arg == removed) continue;
        if (names_task(inner) && inner.arg > removed) --inner.arg;
        body.push_back(inner);
      }
      if (op.kind == OpKind::scoped && body.empty()) body.push_back(Op{OpKind::yield, 0, {}});
      op.body = std::move(body);
      kept.push_back(std::move(op));
    }
    return kept;
  };
  for (std::size_t t = 0; t < program.tasks.size(); ++t) {
    if (static_cast<int>(t) + 1 == removed) continue;
    auto ops = renumber(program.tasks[t].ops);
    if (ops.empty()) ops.push_back(Op{OpKind::yield, 0, {}});
    out.tasks.push_back({std::move(ops)});
  }
  return out;
}

// Exhausted sources read as 0, so trailing zeros say nothing.
std::vector<std::uint32_t> trimmed(std::vector<std::uint32_t> decisions) {
  while (!decisions.empty() && decisions.back() == 0) decisions.pop_back();
  return decisions;
}

// Shorter first, then fewer and smaller preemptions: the order shrinking descends.
bool simpler(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

std::optional<OpKind> simpler_kind(OpKind kind) {
  switch (kind) {
    case OpKind::scoped:
    case OpKind::acquire_timeout:
      return OpKind::acquire;
    case OpKind::sleep:
      return OpKind::yield;
    default:
      return std::nullopt;
  }
}

struct Candidate {
  Program program;
  std::vector<std::uint32_t> decisions;
};

class Shrinker {
 public:
  Shrinker(FailureKind kind, const LockFactory& make_lock, const RunOptions& options)
      : kind_(kind), make_lock_(make_lock), options_(options) {}

  // Runs a candidate; if it fails the same way, it becomes the best so far.
  bool try_candidate(Candidate candidate) {
    try {
      model::validate(candidate.program);
    } catch (const std::invalid_argument&) {
      return false;
    }
    ++attempts;
    VectorSource source(candidate.decisions);
    RunResult run = run_program(candidate.program, source, make_lock_, options_);
    if (run.failure != kind_) return false;
    best = {candidate.program, trimmed(run.decisions)};  // keep only what the run consumed
    best_run = std::move(run);
    return true;
  }

  bool shrink_tasks() {
    for (int t = static_cast<int>(best.program.tasks.size()); t >= 1; --t) {
      if (auto smaller = without_task(best.program, t)) {
        if (try_candidate({*smaller, best.decisions})) return true;
      }
    }
    return false;
  }

  bool shrink_ops() {
    for (std::size_t t = 0; t < best.program.tasks.size(); ++t) {
      const auto& ops = best.program.tasks[t].ops;
      for (std::size_t i = ops.size(); i-- > 0;) {
        // Drop the op; a scoped block may also be replaced by its body.
        if (ops.size() > 1) {
          Candidate c = best;
          c.program.tasks[t].ops.erase(c.program.tasks[t].ops.begin() + static_cast<long>(i));
          if (try_candidate(std::move(c))) return true;
        }
        const Op& op = ops[i];
        for (std::size_t j = op.body.size(); j-- > 0 && op.body.size() > 1;) {
          Candidate c = best;
          auto& body = c.program.tasks[t].ops[i].body;
          body.erase(body.begin() + static_cast<long>(j));
          if (try_candidate(std::move(c))) return true;
        }
        // Simpler arguments: shorter sleeps and timeouts.
        if ((op.kind == OpKind::sleep || op.kind == OpKind::acquire_timeout) && op.arg > 0) {
          Candidate c = best;
          c.program.tasks[t].ops[i].arg = 0;
          if (try_candidate(std::move(c))) return true;
        }
        // Simpler operations: a plain acquire for a scoped block or a timed
        // acquire, a yield for a sleep.
        if (const auto simpler_op = simpler_kind(op.kind)) {
          Candidate c = best;
          c.program.tasks[t].ops[i] = Op{*simpler_op, 0, {}};
          if (try_candidate(std::move(c))) return true;
        }
      }
    }
    return false;
  }

  bool shrink_decisions() {
    const auto before = best.decisions;
    shrink_decision_list(best.decisions, [&](std::vector<std::uint32_t>& decisions) {
      if (!try_candidate({best.program, decisions})) return false;
      decisions = best.decisions;
      return true;
    });
    return best.decisions != before;
  }

  FailureKind kind_;
  const LockFactory& make_lock_;
  const RunOptions& options_;
  Candidate best;
  RunResult best_run;
  std::size_t attempts = 0;
};

}  // namespace

std::vector<std::uint32_t> shrink_decision_list(
    std::vector<std::uint32_t> decisions, const std::function<bool(std::vector<std::uint32_t>&)>& raw_still_fails) {
  decisions = trimmed(std::move(decisions));
  // A candidate counts only if it fails and, as the run consumed it, is simpler.
  auto still_fails = [&](std::vector<std::uint32_t>& candidate) {
    if (!raw_still_fails(candidate)) return false;
    candidate = trimmed(std::move(candidate));
    return simpler(candidate, decisions);
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (std::size_t chunk = decisions.size(); chunk >= 1 && !changed; chunk /= 2) {
      for (std::size_t start = 0; start + chunk <= decisions.size(); start += chunk) {
        auto candidate = decisions;
        candidate.erase(candidate.begin() + static_cast<long>(start), candidate.begin() + static_cast<long>(start + chunk));
        if (still_fails(candidate)) {
          decisions = std::move(candidate);
          changed = true;
          break;
        }
      }
    }
    for (std::size_t i = 0; i < decisions.size() && !changed; ++i) {
      if (decisions[i] == 0) continue;
      std::vector<std::uint32_t> lower{0};  // no preemption first, then one less
      if (decisions[i] > 1) lower.push_back(decisions[i] - 1);
      for (std::uint32_t value : lower) {
        auto candidate = decisions;
        candidate[i] = value;
        if (still_fails(candidate)) {
          decisions = std::move(candidate);
          changed = true;
          break;
        }
      }
    }
  }
  return decisions;
}

TraceSize size_of(const Trace& trace) {
  TraceSize size;
  size.tasks = trace.program.tasks.size();
  size.operations = count_ops(trace.program);
  for (std::uint32_t d : trace.decisions) size.decisions += d != 0 ? 1 : 0;
  size.steps = trace.steps.size();
  // A preemption: the task that ran last could run again, but another ran.
  for (std::size_t i = 1; i < trace.steps.size(); ++i) {
    const auto& before = trace.steps[i - 1];
    const auto& step = trace.steps[i];
    const bool could_continue = std::find(step.ready.begin(), step.ready.end(), before.task) != step.ready.end();
    if (could_continue && step.task != before.task) ++size.preemptions;
  }
  return size;
}

std::string to_string(const TraceSize& s) {
  auto plural = [](std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  return plural(s.tasks, "task", "tasks") + ", " + plural(s.operations, "operation", "operations") + ", " +
         plural(s.decisions, "decision", "decisions") + ", " + plural(s.steps, "step", "steps") + ", " +
         plural(s.preemptions, "preemption", "preemptions");
}

std::string ShrinkResult::summary() const {
  return "removed " + std::to_string(before.tasks - after.tasks) + " of " + std::to_string(before.tasks) + " tasks, " +
         std::to_string(before.operations - after.operations) + " of " + std::to_string(before.operations) +
         " operations, " + std::to_string(before.decisions - after.decisions) + " of " +
         std::to_string(before.decisions) + " decisions (" + std::to_string(before.steps) + " -> " +
         std::to_string(after.steps) + " steps, " + std::to_string(before.preemptions) + " -> " +
         std::to_string(after.preemptions) + " preemptions) in " + std::to_string(attempts) + " runs";
}

ShrinkResult shrink(const Trace& failing, const LockFactory& make_lock, const RunOptions& options) {
  if (failing.verdict == FailureKind::none) throw std::invalid_argument("shrink: the trace does not fail");
  Shrinker shrinker(failing.verdict, make_lock, options);
  if (!shrinker.try_candidate({failing.program, failing.decisions})) {
    throw std::invalid_argument("shrink: the trace no longer fails with " + std::string(name_of(failing.verdict)));
  }
  const Trace start = make_trace(failing.program, failing.strategy, shrinker.best_run);
  ShrinkResult result;
  result.before = size_of(start);
  // Each pass keeps the first change that still fails; repeat to a fixed point.
  while (shrinker.shrink_tasks() || shrinker.shrink_ops() || shrinker.shrink_decisions()) {
  }
  result.minimal = make_trace(shrinker.best.program, "shrunk from " + failing.strategy, shrinker.best_run);
  result.minimal.decisions = trimmed(result.minimal.decisions);
  result.after = size_of(result.minimal);
  result.attempts = shrinker.attempts;
  return result;
}

}  // namespace lockstep::check
