// Checking your own coroutine code: concurrent bank transfers.
//
// Each transfer reads both balances, is suspended in between (an await, as a
// real transfer would wait on I/O), and writes them back. With the Lock around
// it, every schedule keeps the total; take the lock out and the harness finds
// a lost update and shrinks it to the simplest schedule that shows it.
//
//   bank_transfer            both experiments; exit 0 if each ends as expected
#include <array>
#include <cstdio>
#include <memory>
#include <optional>

#include "lockstep/check/scenario.hpp"
#include "lockstep/lockstep.hpp"

using lockstep::Task;

namespace {

struct Bank {
  std::array<int, 3> balance{100, 100, 100};
  [[nodiscard]] int total() const { return balance[0] + balance[1] + balance[2]; }
};

Task<> transfer(Bank& bank, lockstep::Lock* lock, int from, int to, int amount) {
  std::optional<lockstep::LockGuard> guard;
  if (lock != nullptr) guard.emplace(co_await lock->scoped());
  const int source = bank.balance[static_cast<std::size_t>(from)];
  co_await lockstep::yield_now();  // e.g. waiting for an audit log write
  bank.balance[static_cast<std::size_t>(from)] = source - amount;
  const int target = bank.balance[static_cast<std::size_t>(to)];
  co_await lockstep::yield_now();
  bank.balance[static_cast<std::size_t>(to)] = target + amount;
}

class Transfers final : public lockstep::check::Scenario {
 public:
  explicit Transfers(bool with_lock) : with_lock_(with_lock) {}

  void start(lockstep::EventLoop& loop) override {
    lockstep::Lock* lock = with_lock_ ? &lock_ : nullptr;
    loop.spawn(transfer(bank_, lock, 0, 1, 30));
    loop.spawn(transfer(bank_, lock, 1, 2, 20));
    loop.spawn(transfer(bank_, lock, 2, 0, 10));
  }
  // Between steps money may be in flight, but never more than all transfers move.
  std::optional<std::string> check_step() override {
    if (bank_.total() < 300 - 60 || bank_.total() > 300 + 60)
      return "total out of range: " + std::to_string(bank_.total());
    return std::nullopt;
  }
  std::optional<std::string> check_end() override {
    if (bank_.total() != 300) {
      return "the total is " + std::to_string(bank_.total()) + ", not 300: balances " +
             std::to_string(bank_.balance[0]) + ", " + std::to_string(bank_.balance[1]) + ", " +
             std::to_string(bank_.balance[2]);
    }
    return std::nullopt;
  }

 private:
  lockstep::Lock lock_;  // declared before the loop's tasks exist; outlives them
  Bank bank_;
  bool with_lock_;
};

lockstep::check::ScenarioSearch check_transfers(bool with_lock) {
  return lockstep::check::explore_scenario([with_lock] { return std::make_unique<Transfers>(with_lock); }, {});
}

}  // namespace

int main() {
  const auto locked = check_transfers(true);
  std::printf("with the lock: %zu schedules explored, %s\n", locked.runs,
              locked.found ? "a failure was found (unexpected)" : "every schedule keeps the total");
  const auto unlocked = check_transfers(false);
  if (!unlocked.found) {
    std::printf("without the lock: no failure found in %zu schedules (unexpected)\n", unlocked.runs);
    return 1;
  }
  // The failure, its timeline, and the C++ that replays it.
  std::printf("without the lock: %s", unlocked.report().c_str());
  return locked.found ? 1 : 0;
}
