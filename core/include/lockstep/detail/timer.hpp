// Timer: a wake-up at a virtual instant, owned by an awaiter in a coroutine
// frame. Internal: the loop keeps the armed ones by deadline.
#pragma once

#include <map>

#include "lockstep/detail/task_control.hpp"

namespace lockstep::detail {

// Armed and disarmed through LoopAccess; the loop calls fire() once when the
// deadline is due (and it is then no longer armed). The owner must disarm it
// before it is destroyed.
class Timer {
 public:
  virtual void fire() noexcept = 0;
  [[nodiscard]] bool armed() const noexcept { return armed_; }

 protected:
  Timer() = default;
  Timer(const Timer&) = default;
  Timer& operator=(const Timer&) = default;
  virtual ~Timer() = default;  // the loop is a friend: virtual, so no path destroys a part

 private:
  friend class lockstep::EventLoop;
  std::multimap<Duration, Timer*>::iterator where_;
  TaskId owner_ = 0;
  bool armed_ = false;
};

}  // namespace lockstep::detail
