// SpawnedTask<T>: the control block of a spawned Task<T>. Internal: users
// hold a TaskHandle<T>.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "lockstep/detail/task_control.hpp"
#include "lockstep/errors.hpp"
#include "lockstep/task.hpp"

namespace lockstep::detail {

// Owns the root frame until the task ends, then keeps only its outcome.
template <class T>
class SpawnedTask final : public TaskControl {
 public:
  SpawnedTask(EventLoop& loop, TaskId id, std::string name, Task<T> root) noexcept
      : TaskControl(loop, id, std::move(name)), root_(std::move(root)) {
    root_.frame().promise().task_ = this;
  }

  // The outcome, for TaskHandle::result().
  std::conditional_t<std::is_void_v<T>, void, T> result() {
    mark_retrieved();
    switch (outcome()) {
      case Outcome::pending:
        throw std::logic_error("lockstep: result() of a task that has not finished");
      case Outcome::cancelled:
        detail::throw_cancelled();
      case Outcome::error:
        std::rethrow_exception(error_);
      case Outcome::value:
        break;
    }
    // Outcome::value: value_ holds the result (set just before the outcome).
    if constexpr (!std::is_void_v<T>) return *value_;  // NOLINT(bugprone-unchecked-optional-access)
  }

 private:
  ~SpawnedTask() override = default;

  Outcome collect_root() noexcept override {
    Outcome outcome = Outcome::value;
    if (root_.frame().promise().result_error_ == cancelled_exception()) {
      root_ = Task<T>{};
      return Outcome::cancelled;  // lockstep's own CancelledError: no rethrow needed
    }
    try {
      if constexpr (std::is_void_v<T>) {
        root_.frame().promise().take_value();
      } else {
        value_.emplace(root_.frame().promise().take_value());
      }
    } catch (const CancelledError&) {
      outcome = Outcome::cancelled;
    } catch (...) {
      error_ = std::current_exception();
      outcome = Outcome::error;
    }
    root_ = Task<T>{};
    return outcome;
  }
  void destroy_root() noexcept override { root_ = Task<T>{}; }
  std::coroutine_handle<> root() const noexcept override { return root_.frame(); }
  void report_unretrieved_error() const noexcept override;

  Task<T> root_;
  std::conditional_t<std::is_void_v<T>, bool, std::optional<T>> value_{};
  std::exception_ptr error_;
};

void report_unretrieved(TaskId id, const std::string& name, const std::exception_ptr& error) noexcept;

template <class T>
void SpawnedTask<T>::report_unretrieved_error() const noexcept {
  if (outcome() == Outcome::error && !retrieved()) report_unretrieved(id(), name(), error_);
}

}  // namespace lockstep::detail
