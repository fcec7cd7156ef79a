// Task<T>: the coroutine type of lockstep.
#pragma once

#include <cassert>
#include <concepts>
#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

#include "lockstep/detail/task_control.hpp"

namespace lockstep {

template <class T = void>
class Task;

namespace detail {

// Destroys a suspended or finished frame. While it runs, destructors can tell
// that their frame is being discarded rather than left normally (LockGuard
// uses this: it must never throw out of a frame's destruction).
inline thread_local int frames_being_destroyed = 0;
inline void destroy_frame(std::coroutine_handle<> frame) noexcept {
  ++frames_being_destroyed;
  frame.destroy();
  --frames_being_destroyed;
}

// What every lockstep coroutine's promise has: the spawned task it runs in
// (set when it is spawned or first awaited) and who to resume when it ends.
class PromiseBase {
 public:
  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> self) noexcept {
      // Symmetric transfer back to the awaiting coroutine: no stack growth for
      // chains of nested awaits. A root coroutine returns to the loop.
      std::coroutine_handle<> next = self.promise().continuation_;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() const noexcept { return {}; }

  void unhandled_exception() noexcept { result_error_ = std::current_exception(); }

  [[nodiscard]] TaskControl& task() const noexcept {
    assert(task_ != nullptr && "a lockstep coroutine awaited outside a spawned task");
    return *task_;
  }

  TaskControl* task_ = nullptr;
  std::coroutine_handle<> continuation_;
  std::exception_ptr result_error_;
};

// Awaiters reach the running task through the awaiting coroutine's promise;
// only lockstep coroutines can suspend a lockstep task.
template <class P>
concept LockstepPromise = std::derived_from<P, PromiseBase>;

template <class T>
class Promise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <class U>
    requires std::convertible_to<U&&, T>
  void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    value_.template emplace<1>(std::forward<U>(value));
  }
  T take_value() {
    if (result_error_) std::rethrow_exception(result_error_);
    assert(value_.index() == 1);
    return std::move(std::get<1>(value_));
  }

 private:
  std::variant<std::monostate, T> value_;
};

template <>
class Promise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take_value() const {
    if (result_error_) std::rethrow_exception(result_error_);
  }
};

}  // namespace detail

// A lazy coroutine that runs inside a spawned task of an EventLoop.
//
// - Lazy: creating a Task runs nothing. Its body starts when it is awaited by
//   another lockstep coroutine (it then runs inside the awaiter's task, like
//   `await coro()` in asyncio) or when it is spawned (EventLoop::spawn, run).
// - Awaiting it yields its value or rethrows its exception, and resumes the
//   awaiter by symmetric transfer, so deep chains of awaits do not grow the stack.
// - Owns its frame: destroying an unfinished Task destroys the frame, and with
//   it every local, nested Task and pending lock waiter, which unlink themselves.
// - Move-only. `co_await std::move(task)` hands the frame to the await, which
//   owns it until the await completes. Awaiting an empty Task is undefined
//   (asserted in debug builds).
//
//   Task<int> answer() { co_await lockstep::yield_now(); co_return 42; }
//   Task<> main_task() { int v = co_await answer(); ... }
template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;

  Task() noexcept = default;
  explicit Task(std::coroutine_handle<promise_type> frame) noexcept : frame_(frame) {}
  Task(Task&& other) noexcept : frame_(std::exchange(other.frame_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      frame_ = std::exchange(other.frame_, {});
    }
    return *this;
  }
  ~Task() { reset(); }

  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(frame_); }

  auto operator co_await() && noexcept { return Awaiter{std::exchange(frame_, {})}; }

  // For EventLoop: the frame, and handing it over.
  [[nodiscard]] std::coroutine_handle<promise_type> frame() const noexcept { return frame_; }

 private:
  // Owns the child frame for as long as the awaiting coroutine waits on it.
  struct Awaiter {
    std::coroutine_handle<promise_type> child;
    explicit Awaiter(std::coroutine_handle<promise_type> frame) noexcept : child(frame) {}
    Awaiter(Awaiter&& other) noexcept : child(std::exchange(other.child, {})) {}
    Awaiter& operator=(Awaiter&&) = delete;
    ~Awaiter() {
      if (child) detail::destroy_frame(child);
    }
    bool await_ready() const noexcept { return false; }
    template <detail::LockstepPromise P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
      assert(child && !child.done() && "awaiting an empty or finished Task");
      child.promise().task_ = &parent.promise().task();
      child.promise().continuation_ = parent;
      return child;
    }
    T await_resume() { return child.promise().take_value(); }
  };

  void reset() noexcept {
    if (frame_) detail::destroy_frame(std::exchange(frame_, {}));
  }

  std::coroutine_handle<promise_type> frame_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>{std::coroutine_handle<Promise<T>>::from_promise(*this)};
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>{std::coroutine_handle<Promise<void>>::from_promise(*this)};
}
}  // namespace detail

}  // namespace lockstep
