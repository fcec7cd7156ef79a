// The lock interface the runner drives, so that the harness can be pointed at
// any lock with lockstep::Lock's API: the real one, a mutant built from a
// patched copy of its source, or a deliberately broken wrapper in a test.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "lockstep/lockstep.hpp"

namespace lockstep::check {

// What happened at a scoped block's exit, seen from just inside and just
// outside the guard's lifetime.
struct ScopeProbe {
  bool acquired = false;
  bool engaged_before_exit = false;  // the guard still meant to release
  bool locked_before_exit = false;
  bool locked_after_exit = false;
};

// One queued waiter, as the harness sees it.
struct WaiterInfo {
  TaskId task = 0;
  enum class State : unsigned char { pending, woken, cancelled } state = State::pending;
};

// The body of a scoped block: given a function that releases the guard early
// (guard.release()), returns the body's coroutine.
using ScopedBody = std::function<Task<>(std::function<void()> release_guard)>;

class LockUnderTest {
 public:
  virtual ~LockUnderTest() = default;
  // `co_await lock.acquire();`
  [[nodiscard]] virtual Task<> acquire() = 0;
  // `co_await wait_for(lock.acquire(), timeout);`
  [[nodiscard]] virtual Task<> acquire_for(Duration timeout) = 0;
  // `auto guard = co_await lock.scoped(); co_await body(release);` filling `probe`.
  [[nodiscard]] virtual Task<> scoped(ScopedBody body, ScopeProbe& probe) = 0;
  virtual void release() = 0;
  virtual bool try_acquire() = 0;
  [[nodiscard]] virtual LockStatistics statistics() const = 0;
  // The waiters in queue order; empty if the lock type cannot list them.
  [[nodiscard]] virtual std::vector<WaiterInfo> waiters() const = 0;
  // The same, into `out` (overwritten; a harness keeps its capacity across steps).
  virtual void list_waiters(std::vector<WaiterInfo>& out) const { out = waiters(); }
  // Whether waiters() lists them (else the harness compares only counts).
  [[nodiscard]] virtual bool lists_waiters() const = 0;
};

using LockFactory = std::function<std::unique_ptr<LockUnderTest>()>;

// Adapts any type with Lock's API. Types with Lock::for_each_waiter have their
// queue compared in full; others by the counts in statistics().
template <class L>
class LockAdapter : public LockUnderTest {
 public:
  Task<> acquire() override { co_await lock_.acquire(); }
  Task<> acquire_for(Duration timeout) override { co_await wait_for(lock_.acquire(), timeout); }
  Task<> scoped(ScopedBody body, ScopeProbe& probe) override {
    // Declared around the guard, so they are destroyed just after and just
    // before it, on every path.
    Snapshot after_guard{*this, probe.locked_after_exit, nullptr, nullptr};
    auto acquired = co_await lock_.scoped();
    probe.acquired = true;
    // Moved once, as code that returns or stores a guard does: the moved-from
    // guard, destroyed just after the real one, must release nothing.
    Guard guard = std::move(acquired);
    Snapshot before_guard{*this, probe.locked_before_exit, &probe.engaged_before_exit, &guard};
    co_await body([&guard] { guard.release(); });
  }
  void release() override { lock_.release(); }
  bool try_acquire() override { return lock_.try_acquire(); }
  LockStatistics statistics() const override {
    const auto s = lock_.statistics();
    return {s.locked, s.live_waiters, s.cancelled_waiters, s.holder};
  }
  std::vector<WaiterInfo> waiters() const override {
    std::vector<WaiterInfo> out;
    list_waiters(out);
    return out;
  }
  void list_waiters(std::vector<WaiterInfo>& out) const override {
    out.clear();
    if constexpr (requires { lock_.for_each_waiter([](TaskId, auto) {}); }) {
      lock_.for_each_waiter([&](TaskId task, auto state) {
        using S = decltype(state);
        out.push_back({task, state == S::woken       ? WaiterInfo::State::woken
                             : state == S::cancelled ? WaiterInfo::State::cancelled
                                                     : WaiterInfo::State::pending});
      });
    }
  }
  bool lists_waiters() const override {
    return requires { lock_.for_each_waiter([](TaskId, auto) {}); };
  }

 protected:
  L lock_;

 private:
  using Guard = decltype(std::declval<L&>().scoped().await_resume());
  static_assert(std::is_move_constructible_v<Guard>,
                "lockstep: LockAdapter moves the scoped() guard once, so it must be move-constructible");
  struct Snapshot {
    LockAdapter& self;
    bool& locked;
    bool* engaged;
    Guard* guard;
    ~Snapshot() {
      locked = self.lock_.locked();
      if (engaged != nullptr) *engaged = guard->owns_release();
    }
  };
};

// The production lock.
inline std::unique_ptr<LockUnderTest> make_production_lock() { return std::make_unique<LockAdapter<Lock>>(); }

}  // namespace lockstep::check
