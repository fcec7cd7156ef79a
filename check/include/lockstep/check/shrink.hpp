// Shrinking: delta debugging over a failing trace's program and decisions,
// keeping every change after which the same failure kind recurs.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "lockstep/check/trace.hpp"

namespace lockstep::check {

struct TraceSize {
  std::size_t tasks = 0;
  std::size_t operations = 0;
  std::size_t decisions = 0;  // non-zero ones: zeros are the default schedule
  std::size_t steps = 0;
  std::size_t preemptions = 0;
};
TraceSize size_of(const Trace& trace);
std::string to_string(const TraceSize& size);  // "3 tasks, 7 operations, 2 decisions, 9 steps, 1 preemption"

struct ShrinkResult {
  Trace minimal;  // replays to the same failure kind
  TraceSize before;
  TraceSize after;
  std::size_t attempts = 0;  // candidate runs tried
  // "removed 2 of 4 tasks, 9 of 12 operations, 5 of 6 decisions (31 -> 6 steps)"
  [[nodiscard]] std::string summary() const;
};

// Delta debugging on a decision list alone: removes chunks (halving their
// size), then zeroes and lowers single decisions, while `still_fails` holds.
// `still_fails` may replace the list with the decisions the run consumed.
std::vector<std::uint32_t> shrink_decision_list(std::vector<std::uint32_t> decisions,
                                                const std::function<bool(std::vector<std::uint32_t>&)>& still_fails);

// `failing` must fail (its verdict is the kind to keep). Throws
// std::invalid_argument for a passing trace.
ShrinkResult shrink(const Trace& failing, const LockFactory& make_lock = make_production_lock,
                    const RunOptions& options = {});

}  // namespace lockstep::check
