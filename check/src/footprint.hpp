// What a step touched, read off its typed StepRecord: the explorer's sleep
// sets need to know which steps commute. Conservative: anything uncertain
// counts as touching everything.
#pragma once

#include <cstdint>
#include <string>

#include "lockstep/model/program.hpp"
#include "lockstep/model/step_record.hpp"

namespace lockstep::check {

struct Footprint {
  model::Entry entry;       // what ran
  unsigned locks = 0;       // bit l: read or wrote lock l (including queueing on it)
  unsigned tasks = 0;       // bit k: cancelled, uncancelled, started, awaited or woke task k
  bool enqueues = false;    // appended to the ready queue: order against other appends matters
  bool everything = false;  // armed or dropped a timer, or a task finished

  friend bool operator==(const Footprint&, const Footprint&) = default;
};

Footprint footprint_of(const model::StepRecord& step);

// Whether the order of the ready queue is part of the state two steps must
// agree on. The delay bound sees it (decision i costs i delays), so the
// bounded search and its sleep sets keep it. An unbounded search does not:
// from two states that differ only in the order of their ready queues the
// same entries can run in the same orders, with the same effects (no step
// reads the queue's order), so they reach the same end states and failures
// (ARCHITECTURE.md, "Exploring"). DPOR uses `ignored`.
enum class QueueOrder : std::uint8_t { matters, ignored };

// Two steps of different entries commute: running them in either order from
// the same state gives the same state (ready queue order included unless
// `order` is ignored).
bool independent(const Footprint& a, const Footprint& b, QueueOrder order = QueueOrder::matters);

// True when no operation of the program can see a task finish or a timer
// (no await, gather, cancel, spawn, sleep, acquire_timeout or timeout, in any body):
// then a finished task's step touches only what its events name, and DPOR
// may drop its `everything` (a finish wakes joiners, gathers and timers, and
// there are none). The sleep-set search keeps it.
bool finishes_unobserved(const model::Program& program);

std::string to_string(const Footprint& footprint);
Footprint parse_footprint(const std::string& text);  // throws std::invalid_argument

}  // namespace lockstep::check
