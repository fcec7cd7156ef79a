// The program each consumer in tests/consumers/ builds against an installed
// (or subproject) lockstep: it uses the Lock on an EventLoop, the harness on a
// Scenario, and a deep chain of awaits that overflows the stack unless the
// compile flags the package carries reach this file (g++: -foptimize-sibling-
// calls). Exits 0 and prints "ok" when every check holds.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lockstep/check/scenario.hpp"
#include "lockstep/lockstep.hpp"

using namespace std::chrono_literals;
using lockstep::Task;

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAILED: %s\n", what);
    ++failures;
  }
}

// Two workers contend for the lock: the first holds it across a sleep, the
// second waits and gets it when the first releases.
Task<> worker(lockstep::Lock& lock, std::vector<std::string>& log, std::string name) {
  log.push_back(name + " waits");
  auto guard = co_await lock.scoped();
  log.push_back(name + " holds");
  co_await lockstep::sleep(1s);
  log.push_back(name + " releases");
}

Task<> both(lockstep::Lock& lock, std::vector<std::string>& log) {
  std::vector<Task<>> workers;
  workers.push_back(worker(lock, log, "a"));
  workers.push_back(worker(lock, log, "b"));
  co_await lockstep::gather(std::move(workers));
}

void lock_on_a_loop() {
  lockstep::Lock lock;
  lockstep::EventLoop loop;
  std::vector<std::string> log;
  loop.run(both(lock, log));
  const std::vector<std::string> expected{"a waits", "a holds", "b waits", "a releases", "b holds", "b releases"};
  expect(log == expected, "the workers take the lock in turn");
  expect(loop.now() == 2s, "two one-second holds take two virtual seconds");
  expect(!lock.locked(), "the lock is free at the end");
}

// Each await of a child is a symmetric transfer; only as a tail call does a
// chain this deep leave the stack as it was.
Task<int> nested(int depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await nested(depth - 1);
}

void deep_awaits() {
  lockstep::EventLoop loop;
  expect(loop.run(nested(100'000)) == 100'000, "100,000 nested awaits return");
}

// Two tasks increment a counter, suspended between the read and the write;
// with the lock no schedule loses an increment, without it one does.
Task<> increment(lockstep::Lock* lock, int& counter) {
  std::optional<lockstep::LockGuard> guard;
  if (lock != nullptr) guard.emplace(co_await lock->scoped());
  const int seen = counter;
  co_await lockstep::yield_now();
  counter = seen + 1;
}

class Increments final : public lockstep::check::Scenario {
 public:
  explicit Increments(bool with_lock) : with_lock_(with_lock) {}
  void start(lockstep::EventLoop& loop) override {
    loop.spawn(increment(with_lock_ ? &lock_ : nullptr, counter_));
    loop.spawn(increment(with_lock_ ? &lock_ : nullptr, counter_));
  }
  std::optional<std::string> check_end() override {
    if (counter_ != 2) return "the counter is " + std::to_string(counter_) + ", not 2";
    return std::nullopt;
  }

 private:
  lockstep::Lock lock_;  // outlives the loop's tasks
  int counter_ = 0;
  bool with_lock_;
};

lockstep::check::ScenarioSearch explore(bool with_lock) {
  return lockstep::check::explore_scenario([with_lock] { return std::make_unique<Increments>(with_lock); }, {});
}

void scenario() {
  const auto locked = explore(true);
  expect(locked.complete && !locked.found && locked.runs > 1, "with the lock every schedule counts to 2");
  const auto unlocked = explore(false);
  expect(unlocked.found.has_value() && unlocked.shrunk.has_value(), "without the lock a lost update is found");
}

}  // namespace

int main() {
  lock_on_a_loop();
  deep_awaits();
  scenario();
  if (failures != 0) return 1;
  std::printf("ok\n");
  return 0;
}
