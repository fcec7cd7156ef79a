// The lockstep command's pieces, shared by its source files: one file per
// command (random_command.cpp, replay_command.cpp, shrink_command.cpp,
// show_command.cpp, explore_command.cpp, campaign.cpp), the schedule sampler
// they share (sample.cpp), failure reporting (report.cpp), the flag table and
// parser (args_table.cpp, args.cpp, usage.cpp), files (io.cpp), signals
// (signals.cpp) and the machine-readable summary line (summary.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "args.hpp"
#include "io.hpp"
#include "lockstep/check/explore.hpp"
#include "lockstep/check/shrink.hpp"
#include "lockstep/check/trace.hpp"
#include "summary.hpp"

namespace lockstep::tool {

using Clock = std::chrono::steady_clock;  // budgets and progress only: never part of a run

// Shrinks a failure, writes the minimal trace to `out` (the original beside it
// as out + ".original"), prints both and the command that reproduces it.
// Returns 1, the exit status of a failure; `shrunk`, if given, receives the
// minimal trace's size.
int report_failure(const std::string& self, const check::Trace& failure, const std::string& out,
                   check::TraceSize* shrunk = nullptr);

// The summary line's fields of a failure: its kind, the shrunk trace's file
// and size ("failure", "trace", "shrunk_tasks", "shrunk_operations",
// "shrunk_decisions", "shrunk_steps", "shrunk_preemptions"); only "failure"
// and "trace", both null, when there is none.
void add_failure(SummaryLine& line, const check::Trace* failure, const std::string& trace_file,
                 const check::TraceSize& shrunk);

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

// The operand a command needs, or Usage.
const std::string& need_operand(const Args& args);

int random_or_pct(const std::string& self, const Args& args);
int replay_command(const std::string& self, const Args& args);
int shrink_command(const std::string& self, const Args& args);
int show_command(const Args& args);
int explore_command(const std::string& self, const Args& args);
int campaign(const std::string& self, const Args& args);

}  // namespace lockstep::tool
