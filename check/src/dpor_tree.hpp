// The happens-before relation of one execution and the wakeup trees of
// Optimal DPOR (Abdulla, Aronis, Jonsson, Sagonas, POPL 2014), over the typed
// dependency relation of footprint.hpp. Internal to check/.
//
// An event is one step: the queue entry that ran (the "process"), its
// footprint, and its epoch (how many clock jumps came before it). Events of
// different epochs are ordered: the clock jumps only when the ready queue is
// empty, so nothing after a jump could have run before it (ARCHITECTURE.md,
// "Exploring"); they never race.
#pragma once

#include <cstdint>
#include <vector>

#include "footprint.hpp"

namespace lockstep::check {

struct DporEvent {
  model::Entry entry;
  Footprint step;
  int epoch = 0;
  std::ptrdiff_t enabler = -1;         // the event that put `entry` in the ready queue (-1: none seen)
  std::vector<model::Entry> enqueued;  // what it put there (timers firing before the next step included)
};

// The relation DPOR reduces by: independent() up to the ready queue's order
// (footprint.hpp, QueueOrder::ignored; DPOR never runs under a delay bound).
inline bool commute(const Footprint& a, const Footprint& b) { return independent(a, b, QueueOrder::ignored); }
// dependent(a, b): a and b do not commute, or are ordered by a clock jump.
bool dependent(const DporEvent& a, const DporEvent& b);

// Appends a step's event to an execution's: its epoch, its enabler, and what
// it and the timers firing before it enqueued.
// With `quiet_finishes` (finishes_unobserved of the program), a finishing
// step's `everything` is dropped.
void add_event(std::vector<DporEvent>& events, const model::StepRecord& step, const model::StepRecord* previous,
               bool quiet_finishes);

// Whether v can run, entry by entry, from a decision offering `ready`: each
// entry ready when its turn comes, given what the entries before it enqueue.
bool executable(const std::vector<DporEvent>& v, const std::vector<model::Entry>& ready);

// before[j] holds every i < j with event i happening before event j.
class HappensBefore {
 public:
  explicit HappensBefore(const std::vector<DporEvent>& events);
  [[nodiscard]] bool ordered(std::size_t i, std::size_t j) const { return i < j && get(j, i); }
  // i and j race (Optimal DPOR's e <. e'): dependent, of one epoch, of
  // different entries, i did not enable j, and no event happens between them.
  [[nodiscard]] bool race(const std::vector<DporEvent>& events, std::size_t i, std::size_t j) const;

 private:
  [[nodiscard]] bool get(std::size_t j, std::size_t i) const { return (bits_[j * words_ + i / 64] >> (i % 64)) & 1U; }
  std::size_t words_ = 0;
  std::vector<std::uint64_t> bits_;
};

// A node of a wakeup tree: the entry to run, what it does there, and the
// branches after it (leftmost first).
struct WakeupNode {
  model::Entry entry;
  Footprint step;
  std::vector<WakeupNode> after;
};

// Weak initials (WI): true if `entry`, doing `step` next when it is not in v,
// can start a sequence equivalent to an extension of v.
bool weak_initial(const std::vector<DporEvent>& v, const model::Entry& entry, const Footprint& step);

// Inserts v into the branches of a wakeup tree (the paper's insert_[E](v, W)):
// descends into the leftmost branch whose entry is a weak initial of what is
// left of v; stops at a leaf (v is covered); else adds the rest as a new
// rightmost branch.
void wakeup_insert(std::vector<WakeupNode>& branches, std::vector<DporEvent> v);

// A fingerprint of the Mazurkiewicz trace of a run's steps (the same for every
// ordering of independent steps): of its lexicographic normal form.
std::uint64_t trace_class(const std::vector<DporEvent>& events);

// The events of a run's steps, epochs counted from clock jumps.
std::vector<DporEvent> events_of(const std::vector<model::StepRecord>& steps, bool quiet_finishes);

}  // namespace lockstep::check
