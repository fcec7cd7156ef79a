#include <algorithm>
#include <stdexcept>

#include "lockstep/check/choice.hpp"

namespace lockstep::check {

PctSource::PctSource(std::uint64_t seed, int depth, int max_tasks, std::size_t k)
    : seed_(seed), depth_(depth), k_(std::max<std::size_t>(k, 1)) {
  if (depth < 1) throw std::invalid_argument("pct: depth must be at least 1");
  if (max_tasks < 1) throw std::invalid_argument("pct: needs at least one task");
  RandomSource random(seed);
  // Initial priorities depth .. depth + n - 1, shuffled (Fisher-Yates); change
  // points lower a task to 1 .. depth - 1, below every initial priority.
  // One priority per queue entry identity (kind, task): a task's step and the
  // callbacks that serve it are scheduled independently.
  const std::size_t slots = static_cast<std::size_t>(max_tasks) * kKinds;
  std::vector<long> initial;
  initial.reserve(slots);
  for (std::size_t i = 0; i < slots; ++i) initial.push_back(depth + static_cast<long>(i));
  for (std::size_t i = initial.size(); i > 1; --i) {
    std::swap(initial[i - 1], initial[random.next_u64() % i]);
  }
  priority_ = std::move(initial);
  for (int i = 0; i + 1 < depth; ++i) change_points_.push_back(1 + random.next_u64() % k_);
}

std::size_t PctSource::slot(const model::Entry& entry) const {
  const std::size_t at = (static_cast<std::size_t>(entry.task) - 1) * kKinds + static_cast<std::size_t>(entry.kind);
  if (entry.task < 1 || at >= priority_.size()) throw std::out_of_range("pct: entry of an unknown task");
  return at;
}

std::uint32_t PctSource::pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) {
  if (kind == ChoiceKind::data || options.size() != n) return 0;
  ++decisions_;
  auto highest = [&] {
    std::uint32_t best = 0;
    for (std::uint32_t i = 1; i < n; ++i) {
      if (priority_[slot(options[i])] > priority_[slot(options[best])]) best = i;
    }
    return best;
  };
  for (std::size_t i = 0; i < change_points_.size(); ++i) {
    if (change_points_[i] == decisions_) {
      // The i-th change point: the task about to run drops to depth - 1 - i.
      priority_[slot(options[highest()])] = depth_ - 1 - static_cast<long>(i);
    }
  }
  return highest();
}

std::string PctSource::describe() const {
  return "pct seed=" + std::to_string(seed_) + " depth=" + std::to_string(depth_) + " k=" + std::to_string(k_);
}

}  // namespace lockstep::check
