// The lock interface the runner drives, so that the harness can be pointed at
// any lock with lockstep::Lock's API: the real one, a mutant built from a
// patched copy of its source, or a deliberately broken wrapper in a test.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "lockstep/lockstep.hpp"

namespace lockstep::check {

// What happened at a scoped block's exit, seen from just inside and just
// outside the guard's lifetime.
struct ScopeProbe {
  bool acquired = false;
  bool locked_before_exit = false;
  bool locked_after_exit = false;
};

class LockUnderTest {
 public:
  virtual ~LockUnderTest() = default;
  // `co_await lock.acquire();`
  [[nodiscard]] virtual Task<> acquire() = 0;
  // `co_await wait_for(lock.acquire(), timeout);`
  [[nodiscard]] virtual Task<> acquire_for(Duration timeout) = 0;
  // `auto guard = co_await lock.scoped(); co_await body;` filling `probe`.
  [[nodiscard]] virtual Task<> scoped(Task<> body, ScopeProbe& probe) = 0;
  virtual void release() = 0;
  virtual bool try_acquire() = 0;
  [[nodiscard]] virtual LockStatistics statistics() const = 0;
};

using LockFactory = std::function<std::unique_ptr<LockUnderTest>()>;

// Adapts any type with Lock's API.
template <class L>
class LockAdapter : public LockUnderTest {
 public:
  Task<> acquire() override { co_await lock_.acquire(); }
  Task<> acquire_for(Duration timeout) override { co_await wait_for(lock_.acquire(), timeout); }
  Task<> scoped(Task<> body, ScopeProbe& probe) override {
    // Declared around the guard, so they are destroyed just after and just
    // before it, on every path.
    Snapshot after_guard{*this, probe.locked_after_exit};
    auto guard = co_await lock_.scoped();
    probe.acquired = true;
    Snapshot before_guard{*this, probe.locked_before_exit};
    co_await std::move(body);
  }
  void release() override { lock_.release(); }
  bool try_acquire() override { return lock_.try_acquire(); }
  LockStatistics statistics() const override {
    const auto s = lock_.statistics();
    return {s.locked, s.live_waiters, s.cancelled_waiters, s.holder};
  }

 protected:
  L lock_;

 private:
  struct Snapshot {
    LockAdapter& self;
    bool& locked;
    ~Snapshot() { locked = self.lock_.locked(); }
  };
};

// The production lock.
inline std::unique_ptr<LockUnderTest> make_production_lock() { return std::make_unique<LockAdapter<Lock>>(); }

}  // namespace lockstep::check
