// Programs generated from a seed, for the campaign and long runs: every op of
// the language (model/program.hpp) and the shapes where asyncio's rules are
// subtle, weighted so that each appears often: a task cancelling itself,
// cancels landing at the instant a timeout fires, timeouts of 0 and below and
// started late, try_acquire with cancelled waiters queued, gather with a
// failing or cancelled child, awaiting a task that swallows its cancellation,
// lock-order deadlocks over two locks, guard_release and release inside scoped.
// Deterministic: the same seed gives the same program on every machine.
#pragma once

#include <cstdint>

#include "lockstep/model/program.hpp"

namespace lockstep::check {

model::Program generate_program(std::uint64_t seed);

}  // namespace lockstep::check
