// Bounded exhaustive exploration: stateless depth-first search over every
// schedule of a program (re-running it from the start each time), with an
// optional preemption bound and sleep sets, a time budget, checkpoints, and a
// split of the tree by decision prefix for several workers.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lockstep/check/runner.hpp"
#include "lockstep/check/trace.hpp"

namespace lockstep::check {

struct ExploreOptions {
  // The delay bound (docs/SEMANTICS.md): decision i costs i delays; none:
  // every schedule. (Named for the flag --preemptions.)
  std::optional<int> preemption_bound;
  bool sleep_sets = true;
  std::optional<std::chrono::duration<double>> time_budget;  // stop (with a checkpoint) after this
  std::size_t max_executions = 0;                             // 0: no limit
  bool stop_at_first_failure = true;
  bool collect_final_states = false;  // for tests: the set of distinct end states
  // Explore only the subtree under this decision prefix (see split_prefixes).
  std::vector<std::uint32_t> prefix;
  RunOptions run;
  // Called about every 1000 executions.
  std::function<void(std::size_t executions, std::size_t traces)> progress;
};

struct ExploreResult {
  std::size_t executions = 0;       // complete runs
  std::size_t pruned = 0;           // runs cut short by sleep sets (equivalent to one explored)
  std::size_t distinct_traces = 0;  // distinct step sequences among the complete runs
  bool complete = false;            // the whole (bounded) tree was explored
  std::optional<Trace> failure;     // the first failure found
  std::vector<std::string> final_states;  // sorted, if collected
  std::string checkpoint;           // when not complete: resume from this
  std::chrono::duration<double> elapsed{};

  // "all schedules with at most 2 preemptions explored", or why not.
  [[nodiscard]] std::string coverage(const ExploreOptions& options) const;
};

ExploreResult explore(const model::Program& program, const ExploreOptions& options,
                      const LockFactory& make_lock = make_production_lock);
// Continues a run stopped by its time budget or execution limit. Throws
// TraceError for a corrupt or mismatched checkpoint.
ExploreResult resume_exploration(const std::string& checkpoint, const ExploreOptions& options,
                                 const LockFactory& make_lock = make_production_lock);

// Decision prefixes that split the (bounded) tree into about `parts` disjoint
// subtrees; explore each with ExploreOptions::prefix. Together they cover every
// schedule; with sleep sets each subtree prunes only within itself.
std::vector<std::vector<std::uint32_t>> split_prefixes(const model::Program& program, std::size_t parts,
                                                       const ExploreOptions& options,
                                                       const LockFactory& make_lock = make_production_lock);

}  // namespace lockstep::check
