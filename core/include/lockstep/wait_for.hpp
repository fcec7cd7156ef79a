// wait_for(awaitable, timeout): asyncio.wait_for on virtual time.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "lockstep/detail/suspend_with_task.hpp"
#include "lockstep/event_loop.hpp"

namespace lockstep {
namespace detail {

template <class A>
decltype(auto) awaiter_of(A&& awaitable) {
  if constexpr (requires { std::forward<A>(awaitable).operator co_await(); }) {
    return std::forward<A>(awaitable).operator co_await();
  } else {
    return std::forward<A>(awaitable);
  }
}
template <class A>
using await_result_t = decltype(awaiter_of(std::declval<A>()).await_resume());

// Cancels a task when its deadline passes, as asyncio.timeout() does.
class CancelTimer final : Timer {
 public:
  CancelTimer(TaskControl& task, Duration deadline);
  CancelTimer(const CancelTimer&) = delete;
  CancelTimer& operator=(const CancelTimer&) = delete;
  ~CancelTimer();
  [[nodiscard]] bool expired() const noexcept { return expired_; }

 private:
  void fire() noexcept override;
  TaskControl* task_;
  bool expired_ = false;
};

std::string describe_timeout(Duration timeout);
// [WF-VERDICT] asyncio.timeout's __aexit__: if the timer fired, withdraw our
// own cancellation (whether or not it was delivered); it was a timeout if no
// other cancellation is outstanding and the await raised CancelledError.
bool timed_out(TaskControl& self, const CancelTimer& timer, int cancelling_before, bool cancelled) noexcept;

// wait_for(aw, t <= 0) [WF-NONPOS]: CPython wraps the awaitable in a task,
// cancels it before it ever runs and waits for that: the awaitable never
// runs. The task parks for two loop turns, the inner task's only step and its
// done-callback (both queued as callbacks), then resumes.
class TimeoutNow final : Interruptible, public SuspendWithTask<TimeoutNow> {
 public:
  TimeoutNow() = default;
  TimeoutNow(const TimeoutNow&) = delete;
  TimeoutNow& operator=(const TimeoutNow&) = delete;
  ~TimeoutNow();

  bool await_ready() const noexcept { return false; }
  void await_resume();

 private:
  friend class SuspendWithTask<TimeoutNow>;
  void suspend(TaskControl& self, std::coroutine_handle<> awaiting);  // core/src/wait_for.cpp
  void inner_done();
  Interrupted interrupt() noexcept override;

  TaskControl* self_ = nullptr;
  Callback* callback_ = nullptr;
  bool interrupted_ = false;
};

}  // namespace detail

// Awaits `awaitable` in the current task; if it has not finished `timeout`
// of virtual time later, cancels it (the task sees CancelledError at that
// await, so a lock waiter unlinks itself) and throws TimeoutError instead
// [WF-TIMEOUT]. A cancellation from outside stays a CancelledError [WF-OUTSIDE].
// With timeout <= 0 the awaitable never runs: after two loop turns the task
// throws TimeoutError (CPython 3.12 and 3.13) [WF-NONPOS]; the awaitable is
// assumed to be a coroutine or an awaiter, not a task handle (CPython would
// cancel a task and wait for it).
template <class Awaitable, class Rep, class Period>
Task<detail::await_result_t<Awaitable>> wait_for(Awaitable awaitable, std::chrono::duration<Rep, Period> timeout_in) {
  const Duration timeout = detail::saturating_duration(timeout_in);
  using Result = detail::await_result_t<Awaitable>;
  if (timeout <= Duration::zero()) {
    co_await detail::TimeoutNow{};
    throw TimeoutError("lockstep: wait_for timed out after " + detail::describe_timeout(timeout));
  }
  detail::TaskControl& self = co_await detail::CurrentTaskAwaiter{};
  const int cancelling_before = self.cancelling();
  detail::CancelTimer timer{self, self.loop().deadline_after(timeout)};
  std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result{};
  bool cancelled = false;
  std::exception_ptr error;
  try {
    if constexpr (std::is_void_v<Result>) {
      co_await std::move(awaitable);
    } else {
      result.emplace(co_await std::move(awaitable));
    }
  } catch (const CancelledError&) {
    cancelled = true;
  } catch (...) {
    error = std::current_exception();
  }
  if (detail::timed_out(self, timer, cancelling_before, cancelled)) {
    throw TimeoutError("lockstep: wait_for timed out after " + detail::describe_timeout(timeout));
  }
  if (cancelled) detail::throw_cancelled();
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<Result>) co_return std::move(*result);
}

}  // namespace lockstep
