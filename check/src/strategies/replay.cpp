#include <stdexcept>

#include "lockstep/check/choice.hpp"

namespace lockstep::check {

std::uint32_t ReplaySource::pick(std::uint32_t n, ChoiceKind kind, ReadyOptions options) {
  if (next_ < decisions_.size()) {
    const std::uint32_t decision = decisions_[next_++];
    if (decision >= n) {
      throw std::runtime_error("decision " + std::to_string(next_) + " is " + std::to_string(decision) + ", but only " +
                               std::to_string(n) + " tasks can run");
    }
    return decision;
  }
  return then_ ? then_->pick(n, kind, options) : 0;
}

std::string ReplaySource::describe() const {
  std::string out = "replay of " + std::to_string(decisions_.size()) + " decisions";
  if (then_) out += ", then " + then_->describe();
  return out;
}

}  // namespace lockstep::check
