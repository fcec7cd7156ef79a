#include "lockstep/check/shrink.hpp"

#include <optional>
#include <stdexcept>

namespace lockstep::check {
namespace {

using model::Op;
using model::OpKind;
using model::Program;

std::size_t count_ops(const std::vector<Op>& ops) {
  std::size_t n = 0;
  for (const Op& op : ops) n += 1 + count_ops(op.body);
  return n;
}

std::size_t count_ops(const Program& program) {
  std::size_t n = 0;
  for (const auto& task : program.tasks) n += count_ops(task.ops);
  return n;
}

bool names_task(const Op& op) {
  return op.kind == OpKind::cancel || op.kind == OpKind::spawn || op.kind == OpKind::await_ ||
         (op.kind == OpKind::uncancel && op.arg != 0);  // uncancel without K is the running task's
}

// Ops without task `removed`: ops naming it go (a gather loses that child, or
// goes if it was the only one), numbers above it move down by one.
std::vector<Op> renumber(std::vector<Op> ops, int removed) {
  std::vector<Op> kept;
  for (Op& op : ops) {
    if (names_task(op) && op.arg == removed) continue;
    if (names_task(op) && op.arg > removed) --op.arg;
    std::erase(op.tasks, removed);
    for (int& t : op.tasks) t -= t > removed ? 1 : 0;
    if (op.kind == OpKind::gather && op.tasks.empty()) continue;
    op.body = renumber(std::move(op.body), removed);
    if (model::has_body(op.kind) && op.body.empty()) op.body.push_back(Op{});
    kept.push_back(std::move(op));
  }
  return kept;
}

// The program without task `removed` (1-based).
std::optional<Program> without_task(const Program& program, int removed) {
  if (program.tasks.size() <= 1) return std::nullopt;
  Program out;
  for (std::size_t t = 0; t < program.tasks.size(); ++t) {
    if (static_cast<int>(t) + 1 == removed) continue;
    auto ops = renumber(program.tasks[t].ops, removed);
    if (ops.empty()) ops.push_back(Op{});
    out.tasks.push_back({std::move(ops)});
  }
  return out;
}

// Every simpler version of one op list, each a whole new list: an op dropped,
// a body spliced in place of its op, simpler arguments and kinds, and the same
// inside every body.
std::vector<std::vector<Op>> simpler_lists(const std::vector<Op>& ops) {
  std::vector<std::vector<Op>> out;
  for (std::size_t i = ops.size(); i-- > 0;) {
    const Op& op = ops[i];
    auto with = [&](std::vector<Op> replacement) {
      std::vector<Op> list(ops.begin(), ops.begin() + static_cast<long>(i));
      list.insert(list.end(), replacement.begin(), replacement.end());
      list.insert(list.end(), ops.begin() + static_cast<long>(i) + 1, ops.end());
      if (!list.empty()) out.push_back(std::move(list));
    };
    with({});
    if (model::has_body(op.kind)) with(op.body);
    Op simpler = op;
    const bool timed = op.kind == OpKind::sleep || op.kind == OpKind::acquire_timeout || op.kind == OpKind::timeout;
    if (timed && op.arg != 0) simpler.arg = 0;
    if (op.lock != 0) simpler.lock = 0;
    if (op.kind == OpKind::gather && op.tasks.size() > 1) simpler.tasks.pop_back();
    if (!(simpler == op)) with({simpler});
    if (op.kind == OpKind::scoped || op.kind == OpKind::acquire_timeout)
      with({Op{OpKind::acquire, 0, op.lock, {}, {}}});
    if (op.kind == OpKind::sleep) with({Op{}});
    for (std::vector<Op>& body : simpler_lists(op.body)) {
      Op inner = op;
      inner.body = std::move(body);
      with({inner});
    }
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

struct Candidate {
  Program program;
  std::vector<std::uint32_t> decisions;
};

class Shrinker {
 public:
  Shrinker(FailureKind kind, const LockFactory& make_lock, const RunOptions& options)
      : kind_(kind), make_lock_(make_lock), options_(options) {}

  // Runs a candidate; if it fails the same way, it becomes the best so far.
  bool try_candidate(const Candidate& candidate) {
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
      for (std::vector<Op>& ops : simpler_lists(best.program.tasks[t].ops)) {
        Candidate c = best;
        c.program.tasks[t].ops = std::move(ops);
        if (try_candidate(c)) return true;
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
        candidate.erase(candidate.begin() + static_cast<long>(start),
                        candidate.begin() + static_cast<long>(start + chunk));
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
  // Delays: each pick of index i passes over i entries queued before it.
  for (const auto& step : trace.steps) size.preemptions += step.picked;
  return size;
}

std::string to_string(const TraceSize& s) {
  auto plural = [](std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  return plural(s.tasks, "task", "tasks") + ", " + plural(s.operations, "operation", "operations") + ", " +
         plural(s.decisions, "decision", "decisions") + ", " + plural(s.steps, "step", "steps") + ", " +
         plural(s.preemptions, "delay", "delays");
}

std::string ShrinkResult::summary() const {
  return "removed " + std::to_string(before.tasks - after.tasks) + " of " + std::to_string(before.tasks) + " tasks, " +
         std::to_string(before.operations - after.operations) + " of " + std::to_string(before.operations) +
         " operations, " + std::to_string(before.decisions - after.decisions) + " of " +
         std::to_string(before.decisions) + " decisions (" + std::to_string(before.steps) + " -> " +
         std::to_string(after.steps) + " steps, " + std::to_string(before.preemptions) + " -> " +
         std::to_string(after.preemptions) + " delays) in " + std::to_string(attempts) + " runs";
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
