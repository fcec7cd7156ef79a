#include "lockstep/check/explore.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "dpor.hpp"
#include "explore_state.hpp"
#include "footprint.hpp"
#include "strategies/dfs.hpp"

namespace lockstep::check {
namespace {

using Clock = std::chrono::steady_clock;  // budgets only: never part of a run

// How a run ended: the verdict and the observable state after the last step
// (every task's outcome, every lock, the clock).
std::string final_state(const RunResult& run) {
  std::string out = verdict_line(run);
  if (run.steps.empty()) return out;
  const model::StepRecord& last = run.steps.back();
  std::string state = model::to_string(last);
  return out + " @" + std::to_string(last.now) + " " + state.substr(state.find(" | ") + 3);
}

// ---- running ----

// What one call of run() keeps besides the state.
struct Session {
  Session(const ExploreOptions& o, const LockFactory& m, bool c) : options(o), make_lock(m), from_checkpoint(c) {}
  const ExploreOptions& options;
  const LockFactory& make_lock;
  bool from_checkpoint = false;
  Clock::time_point started = Clock::now();
  std::size_t runs = 0;  // this session's, pruned ones included
  std::set<std::string> finals;
  std::optional<Trace> failure;
  RunResult last;
  std::string last_strategy;
  RunResult run;      // each execution's, its buffers reused by the next
  std::string steps;  // the text of a run's steps, fingerprinted (its capacity reused)
};

enum class Outcome { done, stopped, failed };

bool should_stop(const Session& session) {
  const ExploreOptions& options = session.options;
  if (options.max_executions != 0 && session.runs >= options.max_executions) return true;
  if (options.time_budget || options.deadline) {
    const auto now = Clock::now();
    if (options.time_budget && now - session.started >= *options.time_budget) return true;
    if (options.deadline && now >= *options.deadline) return true;
  }
  return options.should_stop && options.should_stop();
}

// Counts a complete execution: its trace, its class, its end state, a failure.
void record(State& state, Session& session, RunResult& run, const std::string& strategy) {
  ++state.executions;
  std::string& steps = session.steps;
  steps.clear();
  for (const auto& step : run.steps) {
    model::append_text(steps, step);
    steps += '\n';
  }
  state.traces.add(fnv1a(steps));
  state.classes.add(trace_class(events_of(run.steps, finishes_unobserved(state.program))));
  if (session.options.collect_final_states) session.finals.insert(final_state(run));
  if (!run.passed() && !session.failure) session.failure = make_trace(state.program, strategy, run);
  if (session.options.keep_last && (!session.failure || !run.passed())) {
    std::swap(session.last, run);  // the run's buffers come back with the next execution
    session.last_strategy = strategy;
  }
}

template <class Search>
void run_once(State& state, std::size_t at, Search& search, Session& session) {
  bool pruned = false;
  try {
    run_program(state.program, search, session.make_lock, session.options.run, session.run);
  } catch (const ExecutionPruned&) {
    pruned = true;
  } catch (const std::runtime_error& e) {
    // A stack or prefix that does not fit the program.
    if (!session.from_checkpoint) throw;
    throw TraceError("checkpoint line " + std::to_string(state.pending[at].line) +
                     ": the subtree does not fit the checkpoint's program (" + e.what() + ")");
  }
  ++session.runs;
  if (pruned) {
    ++state.pruned;
  } else {
    record(state, session, session.run, search.describe());
  }
  if (session.options.progress && session.runs % 1000 == 0) {
    session.options.progress(static_cast<std::size_t>(state.executions), state.traces.seen.size());
  }
}

// A stop inside a subtree: what is left of it goes back into the state.
void park(State& state, std::size_t at, const DfsSource& dfs) { state.pending[at].stack = dfs.stack(); }
void park(State& state, std::size_t at, const DporSource& dpor) {
  const std::size_t line = state.pending[at].line;
  std::vector<Subtree> parts;
  for (auto& prefix : dpor.remaining_prefixes()) parts.push_back({std::move(prefix), {}, line});
  state.pending.erase(state.pending.begin() + static_cast<std::ptrdiff_t>(at));
  state.pending.insert(state.pending.begin() + static_cast<std::ptrdiff_t>(at), std::make_move_iterator(parts.begin()),
                       std::make_move_iterator(parts.end()));
}

template <class Search>
Outcome drive(State& state, std::size_t at, Search& search, Session& session) {
  search.begin_execution();
  while (true) {
    run_once(state, at, search, session);
    if (session.failure && session.options.stop_at_first_failure) return Outcome::failed;
    if (!search.start_next_execution()) return Outcome::done;
    if (should_stop(session)) {
      park(state, at, search);
      return Outcome::stopped;
    }
  }
}

Outcome explore_subtree(State& state, std::size_t at, Session& session) {
  Subtree& subtree = state.pending[at];
  if (state.reduction == Reduction::dpor) {
    DporSource dpor(subtree.prefix, finishes_unobserved(state.program));
    return drive(state, at, dpor, session);
  }
  DfsSource dfs(state.bound, state.reduction == Reduction::sleep, subtree.prefix);
  if (!subtree.stack.empty()) dfs.restore(std::move(subtree.stack));
  subtree.stack.clear();
  return drive(state, at, dfs, session);
}

ExplorationCounts counts_of(const State& state) {
  ExplorationCounts c;
  c.executions = static_cast<std::size_t>(state.executions);
  c.pruned = static_cast<std::size_t>(state.pruned);
  c.distinct_traces = state.traces.seen.size();
  c.traces_capped = state.traces.capped;
  c.classes = state.classes.seen.size();
  c.classes_capped = state.classes.capped;
  c.reduction = state.reduction;
  c.bound = state.bound;
  c.scope = state.scope;
  return c;
}

ExploreResult finish(State state, std::size_t finished, Session& session, Outcome outcome) {
  const ExploreOptions& options = session.options;
  ExploreResult result;
  const bool failed_and_stopped = outcome == Outcome::failed;
  state.pending.erase(state.pending.begin(), state.pending.begin() + static_cast<std::ptrdiff_t>(finished));
  static_cast<ExplorationCounts&>(result) = counts_of(state);
  result.complete = !failed_and_stopped && state.pending.empty();
  if (!failed_and_stopped && (!result.complete || options.checkpoint_always)) {
    result.checkpoint = write_checkpoint(state);
  }
  result.final_states.assign(session.finals.begin(), session.finals.end());
  result.failure = std::move(session.failure);
  if (options.keep_last && !session.last_strategy.empty()) {
    result.last = result.failure ? *result.failure : make_trace(state.program, session.last_strategy, session.last);
  }
  result.elapsed = Clock::now() - session.started;
  return result;
}

ExploreResult run(State state, const ExploreOptions& options, const LockFactory& make_lock, bool from_checkpoint) {
  Session session(options, make_lock, from_checkpoint);
  std::size_t finished = 0;  // subtrees done, at the front of state.pending
  Outcome outcome = Outcome::done;
  while (finished < state.pending.size()) {
    outcome = explore_subtree(state, finished, session);
    if (outcome != Outcome::done) break;
    ++finished;
    if (finished < state.pending.size() && should_stop(session)) {
      outcome = Outcome::stopped;
      break;
    }
  }
  return finish(std::move(state), finished, session, outcome);
}

State fresh_state(const model::Program& program, const ExploreOptions& options,
                  const std::vector<std::vector<std::uint32_t>>& subtrees, const std::string& scope) {
  if (options.preemption_bound && (*options.preemption_bound < 0 || *options.preemption_bound > kMaxBound)) {
    throw std::invalid_argument("explore: the delay bound must be 0 to " + std::to_string(kMaxBound) + ", not " +
                                std::to_string(*options.preemption_bound));
  }
  State s;
  s.program = program;
  s.scope = scope;
  s.bound = options.preemption_bound;
  s.reduction = effective_reduction(options.reduction, options.preemption_bound);
  for (const auto& prefix : subtrees) s.pending.push_back({prefix, {}});
  return s;
}

// Splits begun subtrees' unexplored branches off as subtrees of their own,
// shallowest first, until there are `wanted` subtrees or none is left to split.
void carve(State& s, std::size_t wanted) {
  bool carved = true;
  while (s.pending.size() < wanted && carved) {
    carved = false;
    for (std::size_t t = 0; t < s.pending.size() && s.pending.size() < wanted; ++t) {
      auto& stack = s.pending[t].stack;
      for (std::size_t i = 0; i < stack.size(); ++i) {
        DfsSource::Level& level = stack[i];
        if (level.frozen) continue;
        // The last branch a DFS would take here: it is explored by the new
        // subtree instead (marked explored, with a footprint that touches
        // everything, so that it puts nothing to sleep).
        std::optional<std::uint32_t> branch;
        for (std::uint32_t b = level.n; b-- > 0;) {
          const bool taken =
              b == level.chosen || std::find(level.explored.begin(), level.explored.end(), b) != level.explored.end();
          const bool over = s.bound && level.preemptions_before + cost(level, b) > *s.bound;
          if (!taken && !over) {
            branch = b;
            break;
          }
        }
        if (!branch) continue;
        Subtree split;
        for (std::size_t j = 0; j < i; ++j) split.prefix.push_back(stack[j].chosen);
        split.prefix.push_back(*branch);
        Footprint everything;
        everything.entry = level.options[*branch];
        everything.everything = true;
        level.explored.push_back(*branch);
        level.done.push_back({level.options[*branch], everything});
        s.pending.push_back(std::move(split));
        carved = true;
        break;
      }
    }
  }
}

}  // namespace

std::string ExploreResult::coverage() const {
  if (failure && !complete) return "stopped at the first failure";
  if (!complete) return "stopped early: resume from the checkpoint to finish";
  std::string what = "all schedules";
  if (scope.rfind("prefix ", 0) == 0) what += " under " + scope;
  if (scope.rfind("share ", 0) == 0) what += " of " + scope;
  if (bound) what += " with at most " + std::to_string(*bound) + " delays";
  return what + " explored";
}

std::string to_string(Reduction reduction) {
  switch (reduction) {
    case Reduction::none:
      return "none";
    case Reduction::sleep:
      return "sleep";
    case Reduction::dpor:
      return "dpor";
  }
  return "?";
}

std::optional<Reduction> parse_reduction(std::string_view text) {
  for (const Reduction r : {Reduction::none, Reduction::sleep, Reduction::dpor}) {
    if (text == to_string(r)) return r;
  }
  return std::nullopt;
}

Reduction effective_reduction(Reduction asked, const std::optional<int>& bound) {
  return asked == Reduction::dpor && bound ? Reduction::sleep : asked;
}

std::string ExploreResult::classes_text() const {
  if (!classes_capped) return std::to_string(classes) + " equivalence classes";
  return "more than " + std::to_string(classes) + " equivalence classes";
}

std::string ExploreResult::traces_text() const {
  if (!traces_capped) return std::to_string(distinct_traces) + " distinct traces";
  return "more than " + std::to_string(distinct_traces) + " distinct traces [counted exactly up to " +
         std::to_string(kMaxTraceFingerprints) + ", to bound memory]";
}

ExploreResult explore(const model::Program& program, const ExploreOptions& options, const LockFactory& make_lock) {
  const std::string scope = options.prefix.empty() ? "all" : "prefix " + join(options.prefix);
  return run(fresh_state(program, options, {options.prefix}, scope), options, make_lock, false);
}

ExploreResult resume_exploration(const std::string& checkpoint, const ExploreOptions& options,
                                 const LockFactory& make_lock) {
  return run(read_checkpoint(checkpoint), options, make_lock, true);
}

std::string start_checkpoint(const model::Program& program, const ExploreOptions& options,
                             const std::vector<std::vector<std::uint32_t>>& subtrees, const std::string& scope) {
  return write_checkpoint(fresh_state(program, options, subtrees, scope));
}

std::vector<std::string> split_checkpoint(const std::string& checkpoint, std::size_t parts) {
  State whole = read_checkpoint(checkpoint);
  parts = std::max<std::size_t>(1, parts);
  carve(whole, parts);
  const std::size_t n = std::max<std::size_t>(1, std::min(parts, whole.pending.size()));
  std::vector<State> shares(n);
  for (std::size_t i = 0; i < n; ++i) {
    shares[i].program = whole.program;
    shares[i].scope = whole.scope;
    shares[i].bound = whole.bound;
    shares[i].reduction = whole.reduction;
  }
  shares[0].executions = whole.executions;
  shares[0].pruned = whole.pruned;
  shares[0].traces = std::move(whole.traces);
  shares[0].classes = std::move(whole.classes);
  for (std::size_t t = 0; t < whole.pending.size(); ++t) shares[t % n].pending.push_back(std::move(whole.pending[t]));
  std::vector<std::string> out;
  out.reserve(shares.size());
  for (const State& s : shares) out.push_back(write_checkpoint(s));
  return out;
}

std::string merge_checkpoints(const std::vector<std::string>& parts) {
  if (parts.empty()) throw TraceError("merge: no checkpoint to merge");
  State merged = read_checkpoint(parts[0]);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    State s = read_checkpoint(parts[i]);
    if (program_line(s.program) != program_line(merged.program) || s.bound != merged.bound ||
        s.reduction != merged.reduction || s.scope != merged.scope) {
      throw TraceError("merge: checkpoint " + std::to_string(i + 1) +
                       " explores another program, bound, reduction or scope than the first");
    }
    merged.executions = std::min(kMaxCount, merged.executions + s.executions);
    merged.pruned = std::min(kMaxCount, merged.pruned + s.pruned);
    merged.traces.merge(s.traces);
    merged.classes.merge(s.classes);
    for (Subtree& t : s.pending) merged.pending.push_back(std::move(t));
  }
  return write_checkpoint(merged);
}

CheckpointSummary summarize_checkpoint(const std::string& checkpoint) {
  const State s = read_checkpoint(checkpoint);
  CheckpointSummary out;
  static_cast<ExplorationCounts&>(out) = counts_of(s);
  out.subtrees = s.pending.size();
  return out;
}

std::string seal_checkpoint(const std::string& checkpoint) { return seal_text(checkpoint); }

std::vector<std::vector<std::uint32_t>> split_prefixes(const model::Program& program, std::size_t parts,
                                                       const ExploreOptions& options, const LockFactory& make_lock) {
  // Deepen a frontier of prefixes until it has enough of them, or cannot grow.
  std::vector<std::vector<std::uint32_t>> frontier{{}};
  while (frontier.size() < parts) {
    std::vector<std::vector<std::uint32_t>> next;
    bool grew = false;
    for (const auto& prefix : frontier) {
      // Run the prefix then stop deciding: how many options does the next decision offer?
      struct Probe final : ChoiceSource {
        const std::vector<std::uint32_t>& prefix;
        std::size_t at = 0;
        std::optional<std::uint32_t> next_n;
        ChoiceKind next_kind = ChoiceKind::schedule;
        int delays = 0;
        explicit Probe(const std::vector<std::uint32_t>& p) : prefix(p) {}
        std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions) override {
          if (at < prefix.size()) {
            const std::uint32_t d = prefix[at++];
            if (kind == ChoiceKind::schedule) delays += static_cast<int>(d);
            return d;
          }
          if (!next_n) {
            next_n = n;
            next_kind = kind;
          }
          return 0;
        }
        std::string describe() const override { return "split probe"; }
      } probe(prefix);
      RunOptions run = options.run;
      run.compare_with_model = false;  // only the shape of the tree matters here
      (void)run_program(program, probe, make_lock, run);
      if (!probe.next_n) {
        next.push_back(prefix);
        continue;
      }
      grew = true;
      for (std::uint32_t d = 0; d < *probe.next_n; ++d) {
        const int costs = probe.next_kind == ChoiceKind::schedule ? static_cast<int>(d) : 0;
        if (options.preemption_bound && probe.delays + costs > *options.preemption_bound) continue;
        auto longer = prefix;
        longer.push_back(d);
        next.push_back(std::move(longer));
      }
    }
    frontier = std::move(next);
    if (!grew) break;
  }
  return frontier;
}

}  // namespace lockstep::check