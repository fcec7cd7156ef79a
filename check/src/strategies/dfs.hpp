// Stateless depth-first enumeration of schedules behind pick(n, kind), with an
// optional delay bound (decision index i costs i delays; docs/SEMANTICS.md)
// and sleep sets (Godefroid) keyed by queue entry. Internal to check/:
// the explorer (explore.hpp) drives it, one execution at a time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "../footprint.hpp"
#include "lockstep/check/choice.hpp"

namespace lockstep::check {

// Thrown from pick() when every runnable task is asleep or over the bound:
// the rest of this execution is equivalent to one already explored.
struct ExecutionPruned {};

class DfsSource final : public ChoiceSource {
 public:
  struct Asleep {
    model::Entry entry;
    Footprint step;  // what it would do next (recorded when it was explored)
  };
  // One decision point on the current path.
  struct Level {
    std::uint32_t n = 0;
    ChoiceKind kind = ChoiceKind::schedule;
    std::vector<model::Entry> options;
    std::uint32_t chosen = 0;
    int preemptions_before = 0;           // delays spent above this level
    std::vector<Asleep> sleep;            // asleep on arrival
    std::vector<Asleep> done;             // explored from here already (for the sleep sets)
    std::vector<std::uint32_t> explored;  // indices explored from here already
    bool frozen = false;                  // part of a fixed prefix (a split's subtree root)
    std::optional<Asleep> recorded;       // the chosen task's step from here, this execution
  };

  DfsSource(std::optional<int> preemption_bound, bool sleep_sets, std::vector<std::uint32_t> prefix = {});

  std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) override;
  void observe_step(const model::StepRecord& step) override;
  [[nodiscard]] std::string describe() const override;

  // Prepares the next execution; false when the tree is exhausted.
  bool start_next_execution();
  void begin_execution();  // the first one, or a resumed one

  [[nodiscard]] const std::vector<Level>& stack() const { return stack_; }
  void restore(std::vector<Level> stack) { stack_ = std::move(stack); }
  [[nodiscard]] std::optional<int> bound() const { return bound_; }
  [[nodiscard]] bool sleep_sets() const { return sleep_sets_; }
  [[nodiscard]] const std::vector<std::uint32_t>& prefix() const { return prefix_; }

 private:
  [[nodiscard]] bool allowed(const Level& level, std::uint32_t index, const std::vector<Asleep>& sleep) const;
  [[nodiscard]] static int cost(const Level& level, std::uint32_t index);

  std::optional<int> bound_;
  bool sleep_sets_;
  std::vector<std::uint32_t> prefix_;
  std::vector<Level> stack_;
  std::size_t cursor_ = 0;
  std::vector<Asleep> sleep_now_;           // the sleep set at the current point of the execution
  std::optional<std::size_t> just_chosen_;  // the level whose step is observed next
  long last_now_ = 0;
};

}  // namespace lockstep::check
