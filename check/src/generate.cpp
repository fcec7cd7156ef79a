#include "lockstep/check/generate.hpp"

#include <algorithm>
#include <vector>

#include "lockstep/check/choice.hpp"

namespace lockstep::check {
namespace {

using model::Op;
using model::OpKind;
using model::Program;

Op make(OpKind kind, int arg = 0, int lock = 0, std::vector<Op> body = {}) {
  return Op{kind, arg, lock, {}, std::move(body)};
}

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : random_(seed) {}

  Program program() {
    switch (below(8)) {
      case 0:
        return lock_order_deadlock();
      case 1:
        return timeout_race();
      case 2:
        return gather_shape();
      default:
        return any();
    }
  }

 private:
  int below(int n) { return static_cast<int>(random_.next_u64() % static_cast<std::uint64_t>(n)); }
  bool one_in(int n) { return below(n) == 0; }
  int lock() { return one_in(4) ? 1 : 0; }

  // Two tasks taking locks a and b in opposite orders.
  Program lock_order_deadlock() {
    Program p;
    p.tasks.push_back({{make(OpKind::scoped, 0, 0,
                             {make(OpKind::yield), make(OpKind::acquire, 0, 1), make(OpKind::release, 0, 1)})}});
    p.tasks.push_back({{make(OpKind::scoped, 0, 1,
                             {make(OpKind::yield), make(OpKind::acquire, 0, 0), make(OpKind::release, 0, 0)})}});
    if (one_in(2)) p.tasks.push_back({{make(OpKind::sleep, 1), make(OpKind::cancel, 1 + below(2))}});
    return p;
  }

  // A holder sleeps T; waiters time out at T (the same instant), 0, below 0,
  // or started late; a canceller lands at the same instant.
  Program timeout_race() {
    Program p;
    const int t = 1 + below(3);
    p.tasks.push_back({{make(OpKind::acquire), make(OpKind::sleep, t), make(OpKind::release)}});
    p.tasks.push_back({{make(OpKind::acquire_timeout, t - below(2)), make(OpKind::release)}});
    p.tasks.push_back(
        {{make(OpKind::sleep, below(2)), make(OpKind::acquire_timeout, below(3) - 1), make(OpKind::try_acquire)}});
    p.tasks.push_back({{make(OpKind::sleep, t), make(OpKind::cancel, 2 + below(2)), make(OpKind::try_acquire)}});
    return p;
  }

  // A gathering task whose children fail, get cancelled, or swallow a cancel.
  Program gather_shape() {
    Program p;
    Op gather = make(OpKind::gather);
    gather.tasks = {2, 3};
    p.tasks.push_back({{make(OpKind::try_, 0, 0, {gather}), make(OpKind::yield)}});
    p.tasks.push_back(
        {{make(OpKind::acquire), make(OpKind::yield), one_in(2) ? make(OpKind::throw_) : make(OpKind::release)}});
    p.tasks.push_back(
        {{make(OpKind::try_, 0, 0, {make(OpKind::acquire), make(OpKind::release)}), make(OpKind::yield)}});
    p.tasks.push_back(
        {{make(OpKind::yield), make(OpKind::cancel, one_in(2) ? 1 : 3), make(OpKind::yield), make(OpKind::release)}});
    return p;
  }

  Op simple(int tasks, int self, bool in_scope) {
    switch (below(16)) {
      case 0:
      case 1:
        return make(OpKind::acquire, 0, lock());
      case 2:
        return make(OpKind::release, 0, lock());
      case 3:
        return make(OpKind::try_acquire, 0, lock());
      case 4: {
        // One draw per statement: the order of a call's arguments is the
        // compiler's choice, and a seed must give the same program on every one.
        const int l = lock();
        return make(OpKind::acquire_timeout, below(4) - 1, l);
      }
      case 5:
      case 6:
        return make(OpKind::yield);
      case 7:  // -1 and 0 are yields (asyncio.sleep of 0 or less)
        return make(OpKind::sleep, below(4) - 1);
      case 8:
        return make(OpKind::throw_);
      case 9:
        return make(OpKind::cancel, one_in(3) ? self : 1 + below(tasks));
      case 10:  // the running task's own uncancel, or task K's
        return make(OpKind::uncancel, one_in(2) ? 0 : 1 + below(tasks));
      case 11:
        return in_scope ? make(OpKind::guard_release) : make(OpKind::yield);
      case 12:
        return one_in(3) ? make(OpKind::raise_cancelled) : make(OpKind::acquire, 0, lock());
      default:
        return make(OpKind::acquire, 0, lock());
    }
  }

  std::vector<Op> ops(int tasks, int self, int count, bool in_scope, int depth) {
    std::vector<Op> out;
    for (int i = 0; i < count; ++i) {
      const int pick = below(20);  // scoped 2 in 20, try 2, timeout 1
      if (pick < 2 && depth < 3) {
        std::vector<Op> body = ops(tasks, self, 1 + below(3), true, depth + 1);
        out.push_back(make(OpKind::scoped, 0, lock(), std::move(body)));
      } else if (pick < 4 && depth < 3) {
        out.push_back(make(OpKind::try_, 0, 0, ops(tasks, self, 1 + below(2), in_scope, depth + 1)));
      } else if (pick == 4 && depth < 3) {
        // A deadline of -1 to 2 around a body (0 or less: the body never runs).
        const int seconds = below(4) - 1;
        out.push_back(make(OpKind::timeout, seconds, 0, ops(tasks, self, 1 + below(2), in_scope, depth + 1)));
      } else {
        out.push_back(simple(tasks, self, in_scope));
      }
    }
    return out;
  }

  Program any() {
    Program p;
    const int tasks = 2 + below(4);
    for (int t = 1; t <= tasks; ++t) p.tasks.push_back({ops(tasks, t, 1 + below(5), false, 1)});
    // Some later tasks start late: spawn, gather (one or two children), or are awaited.
    std::vector<bool> started(static_cast<std::size_t>(tasks) + 1, false);
    for (int t = 2; t <= tasks; ++t) {
      if (started[static_cast<std::size_t>(t)] || one_in(2)) continue;
      auto& starter = p.tasks[static_cast<std::size_t>(below(t - 1))].ops;
      const auto at = starter.begin() + below(static_cast<int>(starter.size()) + 1);
      switch (below(3)) {
        case 0:
          starter.insert(at, make(OpKind::spawn, t));
          started[static_cast<std::size_t>(t)] = true;
          break;
        case 1: {
          Op gather = make(OpKind::gather);
          gather.tasks = {t};
          if (t < tasks && !started[static_cast<std::size_t>(t) + 1] && one_in(2)) gather.tasks.push_back(t + 1);
          for (int c : gather.tasks) started[static_cast<std::size_t>(c)] = true;
          starter.insert(at, make(OpKind::try_, 0, 0, {gather}));
          break;
        }
        default:
          // Sometimes under a deadline: the timeout cancels the awaited task.
          if (one_in(3)) {
            starter.insert(at, make(OpKind::timeout, 1 + below(2), 0, {make(OpKind::await_, t)}));
          } else {
            starter.insert(at, make(OpKind::await_, t));
          }
          // Sometimes a second task awaits it too: the end wakes both, in order.
          if (t >= 3 && one_in(2)) {
            auto& second = p.tasks[static_cast<std::size_t>(below(t - 1))].ops;
            second.insert(second.begin() + below(static_cast<int>(second.size()) + 1), make(OpKind::await_, t));
          }
          break;
      }
    }
    return p;
  }

  RandomSource random_;
};

}  // namespace

model::Program generate_program(std::uint64_t seed) {
  // A generated program that breaks a rule (the await/gather ordering) is
  // replaced by the next seed's; the rules are checked, never assumed.
  for (std::uint64_t s = seed;; ++s) {
    Program p = Generator(s).program();
    try {
      model::validate(p);
      return p;
    } catch (const std::invalid_argument&) {
      continue;  // this seed's program broke a rule: try the next seed's
    }
  }
}

}  // namespace lockstep::check
