// Traces: the versioned, line-per-step text record of a run, its one-line
// compact form, and replay against the record.
//
//   lockstep trace v2
//   strategy: random seed=42
//   program:
//     task 1: acquire; yield; release
//     task 2: acquire
//   decisions: 0 1
//   steps: 3
//     1 @0 t1,t2 #0: acquire a ok => t2,t1 | 1=ready:yield,2=ready | a=held(1)[] | -
//     ...
//   verdict: pass
//
// A verdict is "pass", "pass (predicted deadlock: 1,2)" or "<kind>: <message>".
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/check/runner.hpp"

namespace lockstep::check {

inline constexpr int kTraceVersion = 2;

struct Trace {
  model::Program program;
  std::string strategy;
  std::vector<std::uint32_t> decisions;
  std::vector<model::StepRecord> steps;
  FailureKind verdict = FailureKind::none;
  std::string message;
};

Trace make_trace(const model::Program& program, const std::string& strategy, const RunResult& run);

std::string to_text(const Trace& trace);
// "lockstep v2 / task 1: acquire; release | task 2: acquire / 0 1"
std::string to_compact(const Trace& trace);

// A corrupt or mismatched trace: the message names the line.
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Reads the text form, or the compact form (which has no steps to check).
Trace parse_trace(std::string_view text);

struct ReplayResult {
  bool diverged = false;
  std::string divergence;  // "diverged at step i: expected ..., got ..."
  RunResult run;
};

// Re-runs the trace's program with its decisions and checks every step and the
// verdict against the record, stopping at the first divergence. With `then`,
// the run goes on past the recorded decisions with that strategy, and steps
// beyond the record are not compared.
ReplayResult replay(const Trace& trace, const LockFactory& make_lock = make_production_lock,
                    std::unique_ptr<ChoiceSource> then = nullptr, const RunOptions& options = {});

std::string verdict_line(const RunResult& run);

}  // namespace lockstep::check
