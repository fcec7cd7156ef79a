// The floor: the least a coroutine lock on a single-threaded loop can cost.
// A loop that is a std::deque of coroutine handles, a task type that only owns
// its frame, a yield, and a flag lock whose waiters are an intrusive FIFO in
// their own frames. Nothing else: no task ids, no cancellation, no timers, no
// statistics, no harness hook. lock_bench runs the same workloads on it and on
// lockstep in one binary and one run, and every target is a ratio against it.
//
// Contract: FIFO, no barging (release() hands the lock straight to the head
// waiter, which the loop resumes in its own turn), zero allocations per lock
// operation, one thread.
#pragma once

#include <coroutine>
#include <deque>
#include <exception>
#include <utility>

namespace floor_loop {

class Loop {
 public:
  void schedule(std::coroutine_handle<> h) { ready_.push_back(h); }
  // Resumes ready coroutines, front first, until none is ready.
  void run() {
    while (!ready_.empty()) {
      std::coroutine_handle<> h = ready_.front();
      ready_.pop_front();
      h.resume();
    }
  }

 private:
  std::deque<std::coroutine_handle<>> ready_;
};

// A coroutine that starts when first scheduled and owns its frame.
class Task {
 public:
  struct promise_type {
    Task get_return_object() noexcept { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept { std::terminate(); }
  };
  explicit Task(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  Task(Task&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  Task& operator=(Task&&) = delete;
  ~Task() {
    if (h_) h_.destroy();
  }
  [[nodiscard]] std::coroutine_handle<> handle() const noexcept { return h_; }
  [[nodiscard]] bool done() const noexcept { return h_.done(); }

 private:
  std::coroutine_handle<promise_type> h_;
};

struct Yield {
  Loop& loop;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const { loop.schedule(h); }
  void await_resume() const noexcept {}
};

class FlagLock {
 public:
  // The awaiter is the waiter node, in the awaiting frame.
  class Acquire {
   public:
    explicit Acquire(FlagLock& lock) noexcept : lock_(lock) {}
    bool await_ready() noexcept {
      if (lock_.locked_) return false;
      lock_.locked_ = true;
      return true;
    }
    void await_suspend(std::coroutine_handle<> h) noexcept {
      h_ = h;
      (lock_.tail_ != nullptr ? lock_.tail_->next_ : lock_.head_) = this;
      lock_.tail_ = this;
    }
    void await_resume() const noexcept {}

   private:
    friend class FlagLock;
    FlagLock& lock_;
    Acquire* next_ = nullptr;
    std::coroutine_handle<> h_;
  };

  explicit FlagLock(Loop& loop) noexcept : loop_(loop) {}
  Acquire acquire() noexcept { return Acquire{*this}; }
  // Hands the lock to the head waiter (it stays locked), or frees it.
  void release() {
    Acquire* head = head_;
    if (head == nullptr) {
      locked_ = false;
      return;
    }
    head_ = head->next_;
    if (head_ == nullptr) tail_ = nullptr;
    loop_.schedule(head->h_);
  }

 private:
  Loop& loop_;
  bool locked_ = false;
  Acquire* head_ = nullptr;
  Acquire* tail_ = nullptr;
};

}  // namespace floor_loop
