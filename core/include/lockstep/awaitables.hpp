// The loop's own awaitables: yield_now(), sleep(d), current_loop().
#pragma once

#include <chrono>

#include "lockstep/detail/current_task_awaiter.hpp"
#include "lockstep/detail/saturating_duration.hpp"
#include "lockstep/detail/sleep_awaiter.hpp"
#include "lockstep/detail/yield_awaiter.hpp"

namespace lockstep {

// asyncio.sleep(0): to the back of the ready queue. A cancellation point.
[[nodiscard]] inline detail::YieldAwaiter yield_now() noexcept { return {}; }

// asyncio.sleep(d) on the loop's virtual clock. d <= 0 is yield_now(). A
// cancellation point: a cancelled sleeper wakes at once and throws.
template <class Rep, class Period>
[[nodiscard]] detail::SleepAwaiter sleep(std::chrono::duration<Rep, Period> delay) noexcept {
  return detail::SleepAwaiter{detail::saturating_duration(delay)};
}

// The loop running the current task (asyncio.get_running_loop()). Never suspends.
[[nodiscard]] inline detail::CurrentLoopAwaiter current_loop() noexcept { return {}; }

}  // namespace lockstep
