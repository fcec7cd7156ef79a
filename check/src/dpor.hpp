// Optimal DPOR (Abdulla, Aronis, Jonsson, Sagonas, POPL 2014): source sets
// with wakeup trees and sleep sets, as a stateless search behind pick().
// Internal to check/: the explorer (explore.hpp) drives it, one execution at a
// time, like DfsSource.
//
// After each execution every race whose later step is new is reversed: the
// sequence notdep(e, E).e' is inserted into the wakeup tree of the decision
// before e, unless a sleeping entry is one of its weak initials. The next
// execution follows the leftmost unexplored branch of the deepest decision
// that has one. A decision whose options the entries cannot tell apart (two
// alike) or that is not a schedule choice is explored exhaustively, by index,
// with sleep sets: more work, never less.
//
// The search takes no delay bound (explore.cpp runs sleep sets under one:
// ARCHITECTURE.md, "Exploring"). It is never checkpointed begun:
// remaining_prefixes() turns what is left into subtrees of their own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dpor_tree.hpp"
#include "strategies/dfs.hpp"

namespace lockstep::check {

class DporSource final : public ChoiceSource {
 public:
  using Asleep = DfsSource::Asleep;
  struct Level {
    std::uint32_t n = 0;
    ChoiceKind kind = ChoiceKind::schedule;
    std::vector<model::Entry> options;
    std::uint32_t chosen = 0;
    bool frozen = false;                  // part of the subtree's fixed prefix
    bool exhaustive = false;              // every index, with sleep sets
    std::vector<Asleep> sleep;            // asleep on arrival
    std::vector<Asleep> done;             // explored from here already
    std::vector<std::uint32_t> explored;  // their indices
    std::vector<WakeupNode> wakeup;       // branches still to explore
    std::vector<WakeupNode> next;         // the wakeup tree the chosen branch's next decision inherits
    std::optional<Footprint> recorded;    // what the chosen entry did, this execution
  };

  // quiet_finishes: finishes_unobserved(program) (footprint.hpp).
  explicit DporSource(std::vector<std::uint32_t> prefix = {}, bool quiet_finishes = false);

  std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) override;
  void observe_step(const model::StepRecord& step) override;
  [[nodiscard]] std::string describe() const override { return "explore unbounded dpor"; }

  // Reverses the races of the execution just run, then prepares the next;
  // false when the subtree is exhausted.
  bool start_next_execution();
  void begin_execution();
  // Decision prefixes that together cover every schedule the search has left
  // (after start_next_execution returned true): the next execution's path and
  // every unexplored, awake option beside it.
  [[nodiscard]] std::vector<std::vector<std::uint32_t>> remaining_prefixes() const;

 private:
  Level fresh_level(std::uint32_t n, ChoiceKind kind, ReadyOptions options);
  void choose_first(Level& level, std::vector<WakeupNode> inherited) const;
  [[nodiscard]] bool advance(Level& level) const;
  void reverse_races();
  void reverse(std::size_t i, std::size_t j, const HappensBefore& hb);
  [[nodiscard]] static bool asleep(const Level& level, const model::Entry& entry);
  [[nodiscard]] static bool allowed(const Level& level, std::uint32_t index);

  std::vector<std::uint32_t> prefix_;
  bool quiet_finishes_;
  std::vector<Level> stack_;
  std::size_t cursor_ = 0;
  std::size_t changed_ = 0;     // the level whose branch is new this execution
  std::size_t fresh_from_ = 0;  // the first event not seen in the execution before
  std::vector<Asleep> sleep_now_;
  std::optional<std::size_t> just_chosen_;
  std::vector<DporEvent> events_;
  std::vector<std::ptrdiff_t> level_of_;       // per event: its decision level, or -1
  std::optional<model::StepRecord> previous_;  // the step observed last
};

}  // namespace lockstep::check
