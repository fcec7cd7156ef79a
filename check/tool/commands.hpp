// The lockstep command's pieces, shared by its source files.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "args.hpp"
#include "io.hpp"
#include "lockstep/check/explore.hpp"
#include "lockstep/check/trace.hpp"

namespace lockstep::tool {

using Clock = std::chrono::steady_clock;  // budgets and progress only: never part of a run

// Shrinks a failure, writes the minimal trace to `out` (the original beside it
// as out + ".original"), prints both and the command that reproduces it.
// Returns 1, the exit status of a failure.
int report_failure(const std::string& self, const check::Trace& failure, const std::string& out);

// Runs `runs` random (or PCT) schedules; returns the first failure, if any.
// Stops early at budget_seconds (0: none) or at a stop signal.
struct SampleResult {
  std::size_t runs = 0;
  std::size_t steps = 0;
  std::size_t predicted_deadlocks = 0;
  std::size_t k = 1;  // PCT's decision-count estimate, as it ended
  bool interrupted = false;
  std::optional<check::Trace> failure;
};
SampleResult sample(const model::Program& program, bool pct, std::uint64_t runs, std::uint64_t seed, int depth,
                    double budget_seconds, const std::string& progress_label);

// Exploration in slices: check::explore, then check::resume_exploration from
// each slice's checkpoint, so that between slices a stop signal, a deadline
// shared by several processes, or an execution limit can end the run with a
// checkpoint that resumes it. A slice lasts 0.25 to 2 s (longer when the
// checkpoint is large, so that writing it stays a small share of the time).
struct ExploreLimits {
  std::optional<Clock::time_point> deadline;
  std::uint64_t max_executions = 0;  // executions + pruned runs in this run; 0: no limit
};
struct Explored {
  check::ExploreResult result;       // counts include a resumed checkpoint's
  check::ExploreOptions effective;   // the options in force (a checkpoint's bound and prefix)
  bool interrupted = false;          // by a stop signal
  bool out_of_time = false;          // the deadline came first
};
// Explores `program` afresh, or resumes `checkpoint` when it is non-null.
// Throws InputError for a corrupt checkpoint (naming checkpoint_name).
Explored explore_in_slices(const model::Program* program, const std::string* checkpoint,
                           const std::string& checkpoint_name, const check::ExploreOptions& options,
                           const ExploreLimits& limits);

int explore_command(const std::string& self, const Args& args);
int campaign(const std::string& self, const Args& args);

}  // namespace lockstep::tool
