// Small helpers shared by the unit tests.
#pragma once

#include <string>
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

}  // namespace lockstep::testing
