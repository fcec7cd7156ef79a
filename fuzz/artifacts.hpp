// What the program_schedule target does besides running: feeds the shape of
// the interleaving back to libFuzzer, and writes a failure's trace.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lockstep/check/runner.hpp"

namespace lockstep::fuzz {

// Bumps libFuzzer's extra counters for (lock state, event, waiter-queue
// length) and for consecutive event pairs, so that coverage keeps growing
// with new interleavings once the lock's code is covered. Plain counters
// when not fuzzing.
void count_interleaving_features(const check::RunResult& run);

// Writes the failure's trace, shrunk, to $LOCKSTEP_FUZZ_ARTIFACTS (default:
// the current directory) as failure-<input hash>.trace (the unshrunk one
// beside it as .trace.original), prints where, then aborts so that libFuzzer
// saves the crash input. Running the target on a crash file (or a crash
// minimised with -minimize_crash) writes the same minimal trace again.
[[noreturn]] void report_and_abort(const model::Program& program, const check::RunResult& run, const std::uint8_t* data,
                                   std::size_t size);

}  // namespace lockstep::fuzz
