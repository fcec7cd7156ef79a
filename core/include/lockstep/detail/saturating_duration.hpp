// saturating_duration: converts any std::chrono::duration to Duration,
// saturating instead of overflowing. Internal, for sleep() and wait_for().
#pragma once

#include <chrono>

#include "lockstep/detail/task_control.hpp"

namespace lockstep::detail {

template <class Rep, class Period>
constexpr Duration saturating_duration(std::chrono::duration<Rep, Period> delay) noexcept {
  using Wide = std::chrono::duration<long double, std::nano>;
  const Wide wide = std::chrono::duration_cast<Wide>(delay);
  if (wide >= Wide(static_cast<long double>(Duration::max().count()))) return Duration::max();
  if (wide <= Wide(static_cast<long double>(Duration::min().count()))) return Duration::min();
  return std::chrono::duration_cast<Duration>(delay);
}

}  // namespace lockstep::detail
