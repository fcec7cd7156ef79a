#include "lockstep/check/choice.hpp"

namespace lockstep::check {

std::uint32_t BytesSource::pick(std::uint32_t n, ChoiceKind, ReadyOptions) {
  if (next_ >= size_) return 0;  // exhausted: no preemption
  return data_[next_++] % n;
}

}  // namespace lockstep::check
