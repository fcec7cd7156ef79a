// SchedulePolicy: the one hook through which anything outside core steers a run.
#pragma once

#include <cstddef>

#include "lockstep/ready_tasks.hpp"

namespace lockstep {

// Which ready task runs next (SEMANTICS LP-*, CN-*). Without a policy the loop
// takes the front of the queue (asyncio's order) and makes no call at all.
// With one, it asks before every step, after due timers have fired, so the
// policy also sees every step's ready set; a policy that records choices
// should record none when only one task is ready.
class SchedulePolicy {
 public:
  virtual ~SchedulePolicy() = default;
  // Returns an index into `ready` (0 = the front of the queue).
  // An index out of range makes EventLoop::step throw std::out_of_range.
  virtual std::size_t pick_next(const ReadyTasks& ready) = 0;
};

}  // namespace lockstep
