// Fuzz target 1: a program and a schedule from bytes (decode.hpp), run through
// the harness against the production lock and the reference model. A failure
// writes its trace (see artifacts.hpp) and aborts.
#include <cstdint>

#include "artifacts.hpp"
#include "decode.hpp"
#include "lockstep/check/runner.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto decoded = lockstep::fuzz::decode(data, size);
  lockstep::check::BytesSource schedule(data + decoded.schedule_offset, size - decoded.schedule_offset);
  lockstep::check::RunOptions options;
  options.step_budget = 2000;
  // One result for every input: its step records are reused (run_program overwrites every field).
  static lockstep::check::RunResult run;
  lockstep::check::run_program(decoded.program, schedule, lockstep::check::make_production_lock, options, run);
  lockstep::fuzz::count_interleaving_features(run);
  if (!run.passed()) lockstep::fuzz::report_and_abort(decoded.program, run, data, size);
  return 0;
}
