// Small helpers shared by the unit tests.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "lockstep/lockstep.hpp"

namespace lockstep::testing {

// Counts live instances, to prove that frames are destroyed (cppcoro's
// `counted`). Put one in a coroutine's locals.
struct Counted {
  static inline int alive = 0;
  Counted() noexcept { ++alive; }
  Counted(const Counted&) noexcept { ++alive; }
  ~Counted() { --alive; }
};

// What the tasks of a test did, in order.
using Log = std::vector<std::string>;

// Tracks how many tasks are between a completed acquire and their release:
// mutual exclusion means it never exceeds 1.
struct Occupancy {
  int inside = 0;
  int most = 0;
  void enter() {
    ++inside;
    if (inside > most) most = inside;
  }
  void leave() { --inside; }
};

// An error of the test's own, to tell it from anything the loop raises.
struct Boom : std::runtime_error {
  Boom() : std::runtime_error("boom") {}
};

// A task that notes `what` and ends without suspending.
inline Task<> note(Log& log, std::string what) {
  log.push_back(std::move(what));
  co_return;
}

// A schedule policy that always runs the back of the queue and records
// every ready set it was asked about (task ids, front first).
class PickLast final : public SchedulePolicy {
 public:
  std::vector<std::vector<TaskId>> seen;
  std::size_t pick_next(const ReadyTasks& ready) override {
    seen.emplace_back();
    for (const ReadyEntry e : ready) seen.back().push_back(e.task);
    return ready.size() - 1;
  }
};

}  // namespace lockstep::testing
