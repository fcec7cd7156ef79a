// The exceptions lockstep throws, and why each has the base it has.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace lockstep {

// Thrown at the await where a task sees its cancellation (asyncio.CancelledError).
//
// Deliberately NOT derived from std::exception. Since Python 3.8, CancelledError
// derives from BaseException so that `except Exception:` cannot swallow it by
// accident; the C++ equivalent of `except Exception:` is
// `catch (const std::exception&)`, so cancellation must slip past that handler
// and only a deliberate `catch (const CancelledError&)` or `catch (...)` stops it.
// A task that lets it escape ends as cancelled, not as failed.
class CancelledError {
 public:
  [[nodiscard]] const char* what() const noexcept { return "task cancelled"; }
};

namespace detail {
// lockstep raises every CancelledError it throws from this one exception
// object, so that a task's end can be classified as cancelled by comparing
// exception_ptrs instead of rethrowing (a throw costs about a microsecond).
const std::exception_ptr& cancelled_exception() noexcept;
// Always inlined: every frame between the throw and the catch costs the
// unwinder a lookup and a CFA program in each of its two phases.
[[noreturn]] [[gnu::always_inline]] inline void throw_cancelled() { std::rethrow_exception(cancelled_exception()); }
}  // namespace detail

// release() of a lock that is not held (asyncio raises RuntimeError with the same
// text). A logic_error: it is always a bug in the caller.
class LockNotAcquired : public std::logic_error {
 public:
  LockNotAcquired() : std::logic_error("Lock is not acquired.") {}
};

// wait_for() ran out of virtual time (asyncio.TimeoutError).
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// EventLoop::run() found that its task can never finish: nothing is ready and
// no timer is pending, yet the task is still suspended. asyncio would hang
// forever; with virtual time the loop can see it and says so.
class Deadlock : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lockstep
