// RapidCheck generators for the harness's programs and schedules, weighted
// toward the shapes that broke real locks:
//   a waiter cancelled while the lock is held; a waiter cancelled just after a
//   release (woken, not yet run); throws inside scoped bodies; the releaser
//   re-acquiring at once; timeouts on acquire; several waiters queued at once.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <vector>

#include "lockstep/model/program.hpp"

namespace lockstep::props {

using model::Op;
using model::OpKind;
using model::Program;

inline Op op(OpKind kind, int arg = 0, std::vector<Op> body = {}, int lock = 0) {
  return Op{kind, arg, lock, {}, std::move(body)};
}

// One operation for a task of a program with `tasks` tasks; no spawns (every
// task starts at once), no nested scoped blocks.
inline rc::Gen<Op> gen_op(int tasks, bool in_body) {
  // Lock b now and then, so that two-lock orders (and deadlocks) appear.
  auto lock = rc::gen::weightedElement<int>({{5, 0}, {1, 1}});
  auto simple = rc::gen::weightedOneOf<Op>({
      {4, rc::gen::map(lock, [](int l) { return op(OpKind::acquire, 0, {}, l); })},
      {3, rc::gen::just(op(OpKind::yield))},
      {2, rc::gen::map(rc::gen::inRange(0, 3), [](int t) { return op(OpKind::sleep, t); })},
      {2, rc::gen::map(rc::gen::inRange(1, tasks + 1), [](int k) { return op(OpKind::cancel, k); })},
      // 0: the running task's own uncancel; K: task K's.
      {1, rc::gen::map(rc::gen::inRange(0, tasks + 1), [](int k) { return op(OpKind::uncancel, k); })},
      {1, rc::gen::just(op(OpKind::throw_))},
      {1, rc::gen::map(lock, [](int l) { return op(OpKind::try_acquire, 0, {}, l); })},
      {2, rc::gen::map(rc::gen::pair(rc::gen::inRange(-1, 4), lock),
                       [](std::pair<int, int> a) { return op(OpKind::acquire_timeout, a.first, {}, a.second); })},
      {2, rc::gen::map(lock, [](int l) { return op(OpKind::release, 0, {}, l); })},
  });
  if (in_body) {
    return rc::gen::weightedOneOf<Op>({{8, simple}, {1, rc::gen::just(op(OpKind::guard_release))}});
  }
  auto body = rc::gen::resize(3, rc::gen::nonEmpty(rc::gen::container<std::vector<Op>>(gen_op(tasks, true))));
  return rc::gen::weightedOneOf<Op>({
      {10, simple},
      {3, rc::gen::map(
              rc::gen::pair(body, lock),
              [](std::pair<std::vector<Op>, int> b) { return op(OpKind::scoped, 0, std::move(b.first), b.second); })},
      {1, rc::gen::map(body,
                       [](std::vector<Op> b) {
                         std::erase_if(b, [](const Op& o) { return o.kind == OpKind::guard_release; });
                         if (b.empty()) b.push_back(op(OpKind::yield));
                         return op(OpKind::try_, 0, std::move(b));
                       })},
  });
}

// Any program of 1 to 5 tasks, each 1 to 6 operations. Some tasks after the
// first start late: a `spawn` placed in a lower-numbered task starts them
// (so every task is spawned at most once, and no spawn cycle can form).
inline rc::Gen<Program> gen_any_program() {
  return rc::gen::mapcat(rc::gen::inRange(1, 6), [](int tasks) {
    auto ops = rc::gen::resize(6, rc::gen::nonEmpty(rc::gen::container<std::vector<Op>>(gen_op(tasks, false))));
    return rc::gen::exec([tasks, ops] {
      Program p;
      for (int t = 0; t < tasks; ++t) p.tasks.push_back({*ops});
      for (int t = 2; t <= tasks; ++t) {
        // Started late by a lower-numbered task: spawn, or a one-child gather;
        // or awaited by one.
        const int how = *rc::gen::weightedElement<int>({{6, 0}, {2, 1}, {1, 2}, {1, 3}});
        if (how == 0) continue;
        auto& starter = p.tasks[static_cast<std::size_t>(*rc::gen::inRange(0, t - 1))].ops;
        const auto at = static_cast<long>(*rc::gen::inRange<std::size_t>(0, starter.size() + 1));
        Op start = op(how == 1 ? OpKind::spawn : how == 2 ? OpKind::gather : OpKind::await_, t);
        if (how == 2) {
          start.arg = 0;
          start.tasks = {t};
        }
        starter.insert(starter.begin() + at, start);
      }
      return p;
    });
  });
}

// A holder, `waiters` tasks queued behind it, and a cancel of waiter `k` that
// comes while the lock is held, or just after the holder's release (when the
// head is woken but has not run), depending on `after_release`. The holder
// sleeps while holding, so the waiters queue even on the default schedule.
// With `reverse_queue`, waiters sleep first so that the highest-numbered one
// queues first: then a cancelled waiter runs before the woken head on the
// default schedule, the race where a cancelled waiter must not pass a wake-up
// on past the head.
inline Program cancel_shape(int waiters, int k, bool after_release, bool scoped_waiters, bool reverse_queue) {
  Program p;
  std::vector<Op> holder{op(OpKind::acquire), op(OpKind::sleep, waiters + 1)};
  if (after_release) {
    holder.push_back(op(OpKind::release));
    holder.push_back(op(OpKind::cancel, 2 + k));
  } else {
    holder.push_back(op(OpKind::cancel, 2 + k));
    holder.push_back(op(OpKind::sleep, 1));
    holder.push_back(op(OpKind::release));
  }
  p.tasks.push_back({holder});
  for (int w = 0; w < waiters; ++w) {
    std::vector<Op> ops;
    if (reverse_queue) ops.push_back(op(OpKind::sleep, waiters - w));
    if (scoped_waiters) {
      ops.push_back(op(OpKind::scoped, 0, {op(OpKind::yield)}));
    } else {
      ops.push_back(op(OpKind::acquire));
      ops.push_back(op(OpKind::release));
    }
    p.tasks.push_back({std::move(ops)});
  }
  return p;
}

inline rc::Gen<Program> gen_shaped_program() {
  return rc::gen::weightedOneOf<Program>({
      // Waiters cancelled while the lock is held, or woken and cancelled.
      {6, rc::gen::mapcat(rc::gen::inRange(1, 4),
                          [](int waiters) {
                            return rc::gen::apply(
                                [waiters](int k, bool after, bool scoped, bool reverse) {
                                  return cancel_shape(waiters, k, after, scoped, reverse);
                                },
                                rc::gen::inRange(0, waiters), rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(),
                                rc::gen::arbitrary<bool>());
                          })},
      // Throws inside scoped bodies, with others waiting.
      {2, rc::gen::map(rc::gen::inRange(1, 4),
                       [](int others) {
                         Program p;
                         p.tasks.push_back({{op(OpKind::scoped, 0, {op(OpKind::yield), op(OpKind::throw_)})}});
                         for (int i = 0; i < others; ++i)
                           p.tasks.push_back({{op(OpKind::scoped, 0, {op(OpKind::yield)})}});
                         return p;
                       })},
      // The releaser re-acquiring at once, with a waiter queued.
      {2, rc::gen::just(Program{{{{op(OpKind::acquire), op(OpKind::yield), op(OpKind::release), op(OpKind::acquire),
                                   op(OpKind::release)}},
                                 {{op(OpKind::acquire), op(OpKind::release)}}}})},
      // Timeouts on acquire while a holder sleeps.
      {2, rc::gen::map(rc::gen::pair(rc::gen::inRange(0, 3), rc::gen::inRange(1, 4)),
                       [](std::pair<int, int> t) {
                         Program p;
                         p.tasks.push_back({{op(OpKind::scoped, 0, {op(OpKind::sleep, 2)})}});
                         p.tasks.push_back({{op(OpKind::acquire_timeout, t.first), op(OpKind::release)}});
                         p.tasks.push_back({{op(OpKind::acquire_timeout, t.second), op(OpKind::release)}});
                         return p;
                       })},
      // Several waiters queued at once.
      {2, rc::gen::map(rc::gen::inRange(2, 6),
                       [](int n) {
                         Program p;
                         for (int i = 0; i < n; ++i)
                           p.tasks.push_back({{op(OpKind::acquire), op(OpKind::yield), op(OpKind::release)}});
                         return p;
                       })},
  });
}

// Mostly the shapes above, sometimes anything.
inline rc::Gen<Program> gen_program() {
  return rc::gen::weightedOneOf<Program>({{3, gen_shaped_program()}, {2, gen_any_program()}});
}

// Relative schedule decisions; shrinking moves toward fewer and earlier
// preemptions (0 = no preemption; an exhausted list reads as 0).
inline rc::Gen<std::vector<std::uint32_t>> gen_decisions() {
  // Mostly "switch to the next task over" or "no preemption": few tasks run
  // between a release and the woken waiter, which is where locks break.
  auto decision = rc::gen::weightedOneOf<std::uint32_t>({
      {4, rc::gen::just<std::uint32_t>(0)},
      {4, rc::gen::just<std::uint32_t>(1)},
      {2, rc::gen::inRange<std::uint32_t>(2, 5)},
  });
  return rc::gen::container<std::vector<std::uint32_t>>(decision);
}

}  // namespace lockstep::props
