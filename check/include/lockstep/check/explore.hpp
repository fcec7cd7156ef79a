// Bounded exhaustive exploration: stateless depth-first search over every
// schedule of a program (re-running it from the start each time), with an
// optional preemption bound, a reduction (Optimal DPOR, sleep sets, or none),
// a time budget and a stop flag, checkpoints, and a split of the tree by
// decision prefix for several workers.
//
// A checkpoint (format v4, ARCHITECTURE.md "Checkpoints", README for the text) is the state of
// an exploration between two executions: the program and its hash, the bound,
// the counts so far, the trace fingerprints, and the subtrees still to explore
// (each a decision prefix, and the depth-first stack of one begun), closed by a
// checksum of everything above it. The reader refuses a checkpoint that is cut
// short, edited, of another version, or whose stack does not fit its program,
// with "checkpoint line N: what is wrong" (a TraceError).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/check/runner.hpp"
#include "lockstep/check/trace.hpp"

namespace lockstep::check {

inline constexpr int kCheckpointVersion = 4;
// Distinct traces are counted by a 64-bit FNV-1a fingerprint of each complete
// run's steps, exactly up to this many; past it the count stops (and says
// so), so that a long exploration's memory and checkpoint stay bounded.
inline constexpr std::size_t kMaxTraceFingerprints = 65536;

// How the explorer avoids equivalent schedules (ARCHITECTURE.md, "Exploring"):
// dpor: Optimal DPOR, source sets with wakeup trees and sleep sets, one
//   execution per equivalence class; under a delay bound it runs as sleep;
// sleep: sleep sets alone (Godefroid) over the depth-first tree;
// none: every schedule.
enum class Reduction : std::uint8_t { none, sleep, dpor };
std::string to_string(Reduction reduction);
std::optional<Reduction> parse_reduction(std::string_view text);
// The reduction explore() runs with this bound: dpor becomes sleep under one.
Reduction effective_reduction(Reduction asked, const std::optional<int>& bound);

struct ExploreOptions {
  // The delay bound (docs/SEMANTICS.md): decision i costs i delays; none:
  // every schedule. (Named for the flag --preemptions.)
  std::optional<int> preemption_bound;
  Reduction reduction = Reduction::dpor;
  // Each stops the run between two executions, with a checkpoint.
  std::optional<std::chrono::duration<double>> time_budget;       // after this long
  std::optional<std::chrono::steady_clock::time_point> deadline;  // at this time
  std::size_t max_executions = 0;                                 // after this many runs (0: no limit)
  std::function<bool()> should_stop;                              // when this returns true
  bool stop_at_first_failure = true;
  bool collect_final_states = false;  // for tests: the set of distinct end states
  // Explore only the subtree under this decision prefix (see split_prefixes).
  std::vector<std::uint32_t> prefix;
  // Write ExploreResult::checkpoint even when the run completes (with no
  // subtree left): so that finished workers' counts merge too.
  bool checkpoint_always = false;
  // Keep the last complete execution as ExploreResult::last (for --trace-out).
  bool keep_last = false;
  RunOptions run;
  // Called about every 1000 executions.
  std::function<void(std::size_t executions, std::size_t traces)> progress;
};

// What an exploration (or its checkpoint) counted and covered: the part of
// ExploreResult a checkpoint's summary also has.
struct ExplorationCounts {
  std::size_t executions = 0;       // complete runs
  std::size_t pruned = 0;           // runs cut short by sleep sets (equivalent to one explored)
  std::size_t distinct_traces = 0;  // distinct step sequences among the complete runs
  bool traces_capped = false;       // more than kMaxTraceFingerprints: distinct_traces is a lower bound
  // Distinct Mazurkiewicz traces (equivalence classes under footprint.hpp's
  // dependency relation) among the complete runs, fingerprinted like traces.
  std::size_t classes = 0;
  bool classes_capped = false;
  Reduction reduction = Reduction::dpor;  // the one run (effective_reduction)
  // What was explored, as the run (or its checkpoint) had it.
  std::optional<int> bound;
  std::string scope = "all";  // "all", "prefix 0 2" or "share 1/4"
};

struct ExploreResult : ExplorationCounts {
  bool complete = false;                  // the whole (bounded) tree was explored
  std::optional<Trace> failure;           // the first failure found
  std::optional<Trace> last;              // with keep_last: the last complete execution (the failing one on a failure)
  std::vector<std::string> final_states;  // sorted, if collected
  std::string checkpoint;                 // when not complete (and not failed): resume from this
  std::chrono::duration<double> elapsed{};

  // "all schedules with at most 2 delays explored", or why not.
  [[nodiscard]] std::string coverage() const;
  // "12 distinct traces", or "more than 65536 distinct traces [...]".
  [[nodiscard]] std::string traces_text() const;
  // "12 equivalence classes", or "more than 65536 equivalence classes".
  [[nodiscard]] std::string classes_text() const;
};

ExploreResult explore(const model::Program& program, const ExploreOptions& options,
                      const LockFactory& make_lock = make_production_lock);
// Continues a run from its checkpoint. The bound, reduction, scope and
// subtrees come from the checkpoint (options' are ignored). Throws TraceError
// ("checkpoint line N: ...") for a corrupt or mismatched checkpoint.
ExploreResult resume_exploration(const std::string& checkpoint, const ExploreOptions& options,
                                 const LockFactory& make_lock = make_production_lock);

// Decision prefixes that split the (bounded) tree into about `parts` disjoint
// subtrees; explore each with ExploreOptions::prefix. Together they cover every
// schedule; a reduction prunes each subtree only within itself. The tree's
// shape is read by running `make_lock`'s lock, the one the subtrees explore.
std::vector<std::vector<std::uint32_t>> split_prefixes(const model::Program& program, std::size_t parts,
                                                       const ExploreOptions& options,
                                                       const LockFactory& make_lock = make_production_lock);

// ---- checkpoints for several processes ----

// A checkpoint, not begun, that explores these subtrees of `program` under
// options' bound and reduction; scope names them ("share 1/4").
std::string start_checkpoint(const model::Program& program, const ExploreOptions& options,
                             const std::vector<std::vector<std::uint32_t>>& subtrees, const std::string& scope = "all");
// Deals a checkpoint's subtrees over at most `parts` checkpoints (the first
// keeps the counts and fingerprints). When it has fewer subtrees than parts,
// the unexplored branches of begun ones are split off as subtrees of their own
// first, so that the parts can run at once. Throws TraceError.
std::vector<std::string> split_checkpoint(const std::string& checkpoint, std::size_t parts);
// The inverse: one checkpoint of every part's subtrees, counts summed and
// fingerprints joined. The parts must explore one program under one bound,
// reduction and scope. Throws TraceError.
std::string merge_checkpoints(const std::vector<std::string>& parts);
// What a checkpoint holds, read without running it. Throws TraceError.
struct CheckpointSummary : ExplorationCounts {
  std::size_t subtrees = 0;  // left to explore (0: the exploration is done)
};
CheckpointSummary summarize_checkpoint(const std::string& checkpoint);
// Recomputes a checkpoint's program-hash and checksum lines, so that a body
// edited on purpose (by a test or a fuzzer) reaches the reader's other checks.
std::string seal_checkpoint(const std::string& checkpoint);

}  // namespace lockstep::check
