#include "lockstep/check/choice.hpp"

namespace lockstep::check {

std::uint32_t VectorSource::pick(std::uint32_t n, ChoiceKind, ReadyOptions) {
  if (next_ >= decisions_.size()) return 0;  // exhausted: no preemption
  return decisions_[next_++] % n;
}

}  // namespace lockstep::check
