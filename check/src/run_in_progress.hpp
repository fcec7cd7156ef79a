// The run a crash report names (lockstep/check/crash_report.hpp): the runner
// marks each run as in progress for as long as it lasts. Without an installed
// report that is two stores; with one, the program's compact text is made
// when the program differs from the thread's last one.
#pragma once

#include <cstdint>
#include <vector>

#include "lockstep/model/program.hpp"

namespace lockstep::check {

class RunInProgress {
 public:
  // `decisions` is the run's own list, read (never written) by a crash handler.
  RunInProgress(const model::Program& program, const std::vector<std::uint32_t>& decisions);
  RunInProgress(const RunInProgress&) = delete;
  RunInProgress& operator=(const RunInProgress&) = delete;
  ~RunInProgress();
};

}  // namespace lockstep::check
