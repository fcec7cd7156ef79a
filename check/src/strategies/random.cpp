#include "lockstep/check/choice.hpp"

namespace lockstep::check {

std::uint64_t RandomSource::next_u64() {
  // SplitMix64: a fixed, portable sequence for every seed.
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint32_t RandomSource::pick(std::uint32_t n, ChoiceKind, ReadyOptions) {
  return static_cast<std::uint32_t>(next_u64() % n);
}

std::string RandomSource::describe() const { return "random seed=" + std::to_string(seed_); }

}  // namespace lockstep::check
