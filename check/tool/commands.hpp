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
// Stops early at budget_seconds (0: none) or at a stop signal. With keep_last,
// `last` is the trace of the last run (the failing one on a failure).
struct SampleResult {
  std::size_t runs = 0;
  std::size_t steps = 0;
  std::size_t predicted_deadlocks = 0;
  std::size_t k = 1;  // PCT's decision-count estimate, as it ended
  bool interrupted = false;
  std::optional<check::Trace> failure;
  std::optional<check::Trace> last;
};
SampleResult sample(const model::Program& program, bool pct, std::uint64_t runs, std::uint64_t seed, int depth,
                    double budget_seconds, const std::string& progress_label, bool keep_last = false);

int explore_command(const std::string& self, const Args& args);
int campaign(const std::string& self, const Args& args);

}  // namespace lockstep::tool
