// ReadyTasks: a read-only view of the loop's ready queue, front first.
#pragma once

#include <cstddef>
#include <iterator>

#include "lockstep/detail/task_control.hpp"

namespace lockstep {

// One entry of the ready queue: a step of task `task`, or a loop-internal
// callback (kind != task) serving an await of task `task`.
struct ReadyEntry {
  detail::EntryKind kind = detail::EntryKind::task;
  TaskId task = 0;
  friend bool operator==(const ReadyEntry&, const ReadyEntry&) = default;
};

// The ready queue, front first (asyncio's loop._ready). A cheap view: it is
// valid until the loop next changes (during SchedulePolicy::pick_next, or
// between steps).
class ReadyTasks {
 public:
  class iterator {
   public:
    using value_type = ReadyEntry;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(const detail::ReadyNode* at) noexcept : at_(at) {}
    ReadyEntry operator*() const noexcept;
    iterator& operator++() noexcept;
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator&) const = default;

   private:
    const detail::ReadyNode* at_ = nullptr;
  };

  ReadyTasks(const detail::ReadyNode* front, std::size_t size) noexcept : front_(front), size_(size) {}
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] iterator begin() const noexcept { return iterator{front_}; }
  [[nodiscard]] iterator end() const noexcept { return {}; }

 private:
  const detail::ReadyNode* front_;
  std::size_t size_;
};

}  // namespace lockstep
