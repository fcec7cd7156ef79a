// Choices: one interface, pick(n, kind), behind every way of steering a run
// (DESIGN.md). Each strategy is one small class in src/strategies/.
//
// A schedule decision is an index into the loop's ready queue, front first
// (docs/SEMANTICS.md, LP-QUEUE): 0 is asyncio's own FIFO order, and index i
// delays the i entries in front of it (the delay bound counts the sum). The
// runner asks only when two or more entries are ready. Every source reads as
// 0 once exhausted, so any byte string or vector is a valid schedule and
// shorter inputs mean fewer delays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "lockstep/model/step_record.hpp"

namespace lockstep::check {

// schedule: an index into the ready queue; answer i costs i delays.
// data: a modelled data choice.
enum class ChoiceKind : std::uint8_t { schedule, data };

using ReadyOptions = std::span<const model::Entry>;

class ChoiceSource {
 public:
  virtual ~ChoiceSource() = default;
  // Returns a number in [0, n), n >= 2. For schedule choices `options` holds
  // the ready queue the answer indexes.
  virtual std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) = 0;
  // "random seed=42", "pct seed=1 depth=2 k=14", ...
  [[nodiscard]] virtual std::string describe() const = 0;
  // Told after every step, choice or not (the explorer's sleep sets use it).
  virtual void observe_step(const model::StepRecord& /*step*/) {}
};

// The one rule by which a run asks for a schedule decision, shared by the
// runner and the scenario API [LP-QUEUE]: with fewer than two entries ready
// there is no choice (0, not recorded); otherwise the source's answer is
// appended to `decisions`. An answer out of range throws std::out_of_range.
inline std::uint32_t pick_schedule(ChoiceSource& choices, ReadyOptions options, std::vector<std::uint32_t>& decisions) {
  if (options.size() < 2) return 0;
  const auto n = static_cast<std::uint32_t>(options.size());
  const std::uint32_t decision = choices.pick(n, ChoiceKind::schedule, options);
  if (decision >= options.size()) {
    throw std::out_of_range(choices.describe() + ": choice source returned index " + std::to_string(decision) +
                            " for a ready queue of " + std::to_string(options.size()));
  }
  decisions.push_back(decision);
  return decision;
}

// libFuzzer: one byte per decision, b % n.
class BytesSource final : public ChoiceSource {
 public:
  BytesSource(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) override;
  [[nodiscard]] std::string describe() const override { return "bytes"; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t next_ = 0;
};

// RapidCheck and hand-written schedules: v[i] % n.
class VectorSource final : public ChoiceSource {
 public:
  explicit VectorSource(std::vector<std::uint32_t> decisions) : decisions_(std::move(decisions)) {}
  std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) override;
  [[nodiscard]] std::string describe() const override { return "vector"; }

 private:
  std::vector<std::uint32_t> decisions_;
  std::size_t next_ = 0;
};

// SplitMix64, seeded: uniform over the options.
class RandomSource final : public ChoiceSource {
 public:
  explicit RandomSource(std::uint64_t seed) : seed_(seed), state_(seed) {}
  std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) override;
  [[nodiscard]] std::string describe() const override;
  std::uint64_t next_u64();

 private:
  std::uint64_t seed_;
  std::uint64_t state_;
};

// PCT (Burckhardt et al., ASPLOS 2010): random distinct task priorities,
// d - 1 priority change points spread over the first k decisions; always run
// the highest-priority runnable task, and at a change point first drop the
// task about to run below every other. Finds a bug of depth d with
// probability at least 1 / (n * k^(d-1)).
class PctSource final : public ChoiceSource {
 public:
  PctSource(std::uint64_t seed, int depth, int max_tasks, std::size_t k);
  std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) override;
  [[nodiscard]] std::string describe() const override;

 private:
  static constexpr std::size_t kKinds = 4;  // model::EntryKind values
  [[nodiscard]] std::size_t slot(const model::Entry& entry) const;

  std::uint64_t seed_;
  int depth_;
  std::size_t k_;
  std::vector<long> priority_;              // by entry identity
  std::vector<std::size_t> change_points_;  // decision numbers, 1-based
  std::size_t decisions_ = 0;
};

// Replays recorded decisions, then hands over to `then` (or reads 0).
// A recorded decision that is out of range for the options at hand throws
// std::runtime_error: the run has diverged from the recording.
class ReplaySource final : public ChoiceSource {
 public:
  explicit ReplaySource(std::vector<std::uint32_t> decisions, std::unique_ptr<ChoiceSource> then = nullptr)
      : decisions_(std::move(decisions)), then_(std::move(then)) {}
  std::uint32_t pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) override;
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] bool exhausted() const { return next_ >= decisions_.size(); }

 private:
  std::vector<std::uint32_t> decisions_;
  std::unique_ptr<ChoiceSource> then_;
  std::size_t next_ = 0;
};

}  // namespace lockstep::check
