// EventLoop, TaskHandle, and the loop's own awaitables: yield_now, sleep,
// current_loop.
#pragma once

#include <cassert>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "lockstep/detail/task_control.hpp"
#include "lockstep/errors.hpp"
#include "lockstep/task.hpp"

namespace lockstep {

template <class T>
class TaskHandle;

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

  ReadyTasks(const detail::ReadyNode* front, std::size_t size) noexcept
      : front_(front), size_(size) {}
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] iterator begin() const noexcept { return iterator{front_}; }
  [[nodiscard]] iterator end() const noexcept { return {}; }

 private:
  const detail::ReadyNode* front_;
  std::size_t size_;
};

// The one hook through which a harness steers a run (SEMANTICS LP-*, CN-*): which ready task
// runs next. Without a policy the loop takes the front of the queue (asyncio's
// order) and makes no call at all. With one, it asks before every step, after
// due timers have fired, so the policy also sees every step's ready set; a
// policy that records choices should record none when only one task is ready.
class SchedulePolicy {
 public:
  virtual ~SchedulePolicy() = default;
  // Returns an index into `ready` (0 = the front of the queue).
  // An index out of range makes EventLoop::step throw std::out_of_range.
  virtual std::size_t pick_next(const ReadyTasks& ready) = 0;
};

namespace detail {
// A wake-up at a virtual instant, owned by an awaiter in a coroutine frame.
class Timer {
 public:
  virtual void fire() noexcept = 0;
  [[nodiscard]] bool armed() const noexcept { return armed_; }

 protected:
  ~Timer() = default;

 private:
  friend class lockstep::EventLoop;
  std::multimap<Duration, Timer*>::iterator where_;
  TaskId owner_ = 0;
  bool armed_ = false;
};
}  // namespace detail

// A failed task whose exception nobody retrieved says so when its last handle
// goes: by default with a line on stderr ("lockstep: task #N ... exception was
// never retrieved: ..."), as asyncio logs it. A harness can take these reports
// instead (the scenario harness makes each one a failure). The sink is per
// thread, as a loop is; the handler must not throw. Returns the sink before.
struct UnretrievedErrorSink {
  void (*handler)(void* context, TaskId id, const std::string& name, const std::exception_ptr& error) = nullptr;
  void* context = nullptr;  // passed back to handler
};
UnretrievedErrorSink set_unretrieved_error_sink(UnretrievedErrorSink sink) noexcept;

// A single-threaded event loop with asyncio's scheduling rules (SEMANTICS LP-*, CN-*).
//
// - Ready queue: FIFO by default. A step resumes one task until it suspends or
//   finishes. Waking is enqueueing: nothing resumes inside another task's step,
//   so there is no recursion however long a hand-off chain is.
// - Spawning only enqueues; the new task first runs when the loop reaches it.
// - Time is virtual (Duration since the loop was made). When no task is ready
//   the clock jumps to the next timer. Timers that are due fire at the start of
//   a step, in deadline order and, for equal deadlines, in the order they were set.
// - Deterministic: with the same SchedulePolicy answers, the same program
//   performs the same steps in the same order. Task ids count up from 1.
// - Not thread-safe: one loop, one thread. Awaiting across loops is undefined.
// - Destroying the loop destroys every unfinished task's frame (in spawn order),
//   so locals, guards and lock waiters are destroyed and unlink themselves;
//   wake-ups made during that teardown are dropped. Unfinished tasks then read
//   as cancelled through any TaskHandle that outlives the loop.
class EventLoop {
 public:
  EventLoop() = default;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  // asyncio.create_task: the task is queued and first runs when the loop gets
  // to it. The name is for traces and messages only.
  template <class T>
  TaskHandle<T> spawn(Task<T> task, std::string name = {});

  // Spawns `task` and steps until it finishes; returns its value or rethrows
  // its exception (CancelledError if it was cancelled). Other tasks stay as
  // they are. Throws Deadlock if the loop goes idle first.
  template <class T>
  T run(Task<T> task);

  // Runs one step: fires due timers, jumps the clock if nothing is ready, then
  // resumes one ready task. Returns false, doing nothing, when the loop is idle
  // (no task ready, no timer pending).
  bool step();
  // Steps while a task is ready, without moving the clock. Returns the steps.
  std::size_t run_ready();
  // Steps until idle. Returns the steps.
  std::size_t run_until_idle();

  [[nodiscard]] Duration now() const noexcept { return now_; }
  // now() + delay, saturating at Duration::max() ("never").
  [[nodiscard]] Duration deadline_after(Duration delay) const noexcept {
    if (delay > Duration::zero() && now_ > Duration::max() - delay) return Duration::max();
    return now_ + delay;
  }
  [[nodiscard]] bool closing() const noexcept { return closing_; }
  [[nodiscard]] std::size_t ready_count() const noexcept { return ready_size_; }
  [[nodiscard]] std::size_t timer_count() const noexcept { return timers_.size(); }
  [[nodiscard]] std::size_t unfinished_task_count() const noexcept { return live_count_; }
  [[nodiscard]] bool idle() const noexcept { return ready_size_ == 0 && timers_.empty(); }
  // The task being stepped, or 0 outside a step.
  [[nodiscard]] TaskId current_task_id() const noexcept {
    return current_ != nullptr ? current_->id() : 0;
  }

  // Wake-ups refused because their task was not suspended (already ready,
  // running or done). Always 0 with lockstep's own awaitables; a broken lock
  // that resumes a waiter twice shows up here.
  [[nodiscard]] std::size_t misdirected_wakeups() const noexcept { return misdirected_wakeups_; }

  // nullptr restores FIFO. The policy must outlive its use by the loop.
  void set_schedule_policy(SchedulePolicy* policy) noexcept { policy_ = policy; }

  // The ready queue, front first.
  [[nodiscard]] ReadyTasks ready() const noexcept { return ReadyTasks{ready_head_, ready_size_}; }
  // Calls f(deadline, task id) for every armed timer, in the order they fire.
  template <class F>
  void for_each_timer(F&& f) const {
    for (const auto& [deadline, timer] : timers_) f(deadline, timer->owner_);
  }

  // Internal, for awaiters.
  void wake(detail::TaskControl& task) noexcept;
  void enqueue(detail::TaskControl& task) noexcept;
  void arm_timer(detail::Timer& timer, Duration deadline, TaskId owner);
  void disarm_timer(detail::Timer& timer) noexcept;
  // asyncio's call_soon of a loop-internal callback: queued at the back; the
  // loop owns it until it has run.
  template <class F>
  void call_soon(detail::EntryKind kind, TaskId owner, detail::Callback** slot, F f) {
    link_ready(*new detail::CallbackOf<F>(kind, owner, slot, std::move(f)));
  }

 private:
  void adopt(detail::TaskControl& task);
  void link_ready(detail::ReadyNode& node) noexcept;
  detail::ReadyNode& pop_next();
  void run_entry(detail::ReadyNode& node);
  void run_step(detail::TaskControl& task);
  void finish(detail::TaskControl& task, detail::Outcome outcome) noexcept;
  bool fire_due_timers() noexcept;
  bool jump_to_next_timer() noexcept;

  Duration now_{0};
  TaskId last_id_ = 0;
  bool closing_ = false;
  SchedulePolicy* policy_ = nullptr;
  detail::TaskControl* current_ = nullptr;
  detail::ReadyNode* ready_head_ = nullptr;
  detail::ReadyNode* ready_tail_ = nullptr;
  std::size_t ready_size_ = 0;
  detail::TaskControl* live_head_ = nullptr;
  detail::TaskControl* live_tail_ = nullptr;
  std::size_t live_count_ = 0;
  std::size_t misdirected_wakeups_ = 0;
  std::multimap<Duration, detail::Timer*> timers_;
};

namespace detail {

// The control block of a spawned Task<T>: owns the root frame until the task
// ends, then keeps only its outcome.
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
      case Outcome::pending: throw std::logic_error("lockstep: result() of a task that has not finished");
      case Outcome::cancelled: detail::throw_cancelled();
      case Outcome::error: std::rethrow_exception(error_);
      case Outcome::value: break;
    }
    if constexpr (!std::is_void_v<T>) return *value_;
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

// co_await on a TaskHandle.
template <class T>
class JoinAwaiter final : Joiner, Interruptible {
 public:
  explicit JoinAwaiter(TaskHandle<T> target) noexcept : target_(std::move(target)) {}
  JoinAwaiter(JoinAwaiter&& other) noexcept : target_(other.target_) { assert(!other.linked()); }
  ~JoinAwaiter() {
    if (linked()) target_.control().remove_joiner(*this);
  }

  bool await_ready() const noexcept { return target_.done(); }
  template <LockstepPromise P>
  void await_suspend(std::coroutine_handle<P> awaiting) {
    self_ = &awaiting.promise().task();
    if (self_ == &target_.control()) {
      self_ = nullptr;
      throw std::logic_error("lockstep: a task cannot await itself");  // asyncio raises RuntimeError
    }
    target_.control().add_joiner(*this);
    self_->park(awaiting, *this);
  }
  auto await_resume() {
    if (self_ != nullptr && self_->take_cancellation()) detail::throw_cancelled();
    return target_.result();
  }

 private:
  void on_done(TaskControl&) noexcept override { self_->loop().wake(*self_); }
  // asyncio: cancelling a task that awaits another task cancels that task too;
  // the awaiter then sees its outcome.
  Interrupted interrupt() noexcept override {
    return target_.cancel() ? Interrupted::handed_on : Interrupted::at_resume;
  }

  TaskHandle<T> target_;
  TaskControl* self_ = nullptr;
};

}  // namespace detail

// A shared handle to a spawned task (asyncio.Task): await it, cancel it, ask
// how it ended. Copies refer to the same task. Valid after the loop is gone.
template <class T = void>
class TaskHandle {
 public:
  TaskHandle() noexcept = default;
  explicit TaskHandle(detail::SpawnedTask<T>* task) noexcept : task_(task) { task_->add_ref(); }
  TaskHandle(const TaskHandle& other) noexcept : task_(other.task_) {
    if (task_ != nullptr) task_->add_ref();
  }
  TaskHandle(TaskHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
  TaskHandle& operator=(TaskHandle other) noexcept {
    std::swap(task_, other.task_);
    return *this;
  }
  ~TaskHandle() {
    if (task_ != nullptr) task_->drop_ref();
  }

  [[nodiscard]] bool valid() const noexcept { return task_ != nullptr; }
  [[nodiscard]] TaskId id() const noexcept { return task_->id(); }
  [[nodiscard]] const std::string& name() const noexcept { return task_->name(); }
  [[nodiscard]] bool done() const noexcept { return task_->done(); }
  [[nodiscard]] bool cancelled() const noexcept {
    return task_->outcome() == detail::Outcome::cancelled;
  }
  // asyncio Task.cancel(): see SEMANTICS LP-*, CN-*. Returns false if the task is done.
  bool cancel() noexcept { return task_->cancel(); }
  // asyncio Task.cancelling() and Task.uncancel() [CN-UNCANCEL]: the count of
  // outstanding cancel() calls, and withdrawing one (at 0, a cancellation not
  // yet delivered is withdrawn too, as in CPython 3.13). Returns the new count.
  [[nodiscard]] int cancelling() const noexcept { return task_->cancelling(); }
  int uncancel() noexcept { return task_->uncancel(); }
  // The value, or the task's exception rethrown, or CancelledError.
  // std::logic_error if the task has not finished.
  decltype(auto) result() const { return task_->result(); }

  [[nodiscard]] detail::JoinAwaiter<T> operator co_await() const noexcept {
    return detail::JoinAwaiter<T>{*this};
  }

  [[nodiscard]] detail::TaskControl& control() const noexcept { return *task_; }

 private:
  detail::SpawnedTask<T>* task_ = nullptr;
};

template <class T>
TaskHandle<T> EventLoop::spawn(Task<T> task, std::string name) {
  if (!task.valid()) throw std::invalid_argument("lockstep: spawn() of an empty Task");
  if (closing_) throw std::logic_error("lockstep: spawn() while the loop is being destroyed");
  auto* control = new detail::SpawnedTask<T>(*this, ++last_id_, std::move(name), std::move(task));
  adopt(*control);
  return TaskHandle<T>{control};
}

template <class T>
T EventLoop::run(Task<T> task) {
  TaskHandle<T> handle = spawn(std::move(task));
  while (!handle.done()) {
    if (!step()) {
      throw Deadlock("lockstep: run(): task #" + std::to_string(handle.id()) +
                     " can never finish: no task is ready and no timer is pending");
    }
  }
  return handle.result();
}

namespace detail {

class YieldAwaiter {
 public:
  bool await_ready() const noexcept { return false; }
  template <LockstepPromise P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    task_ = &awaiting.promise().task();
    task_->yield(awaiting);  // [LP-YIELD] to the back of the queue
  }
  void await_resume() const { task_->throw_if_cancelled(); }

 private:
  TaskControl* task_ = nullptr;
};

class SleepAwaiter final : Timer, Interruptible {
 public:
  explicit SleepAwaiter(Duration delay) noexcept : delay_(delay) {}
  SleepAwaiter(SleepAwaiter&& other) noexcept : delay_(other.delay_) { assert(!other.armed()); }
  ~SleepAwaiter();

  bool await_ready() const noexcept { return false; }
  template <LockstepPromise P>
  void await_suspend(std::coroutine_handle<P> awaiting) {
    suspend(awaiting.promise().task(), awaiting);
  }
  void await_resume();

 private:
  void suspend(TaskControl& task, std::coroutine_handle<> awaiting);  // core/src/awaiters.cpp
  void fire() noexcept override;
  Interrupted interrupt() noexcept override;

  Duration delay_;
  TaskControl* task_ = nullptr;
  bool interrupted_ = false;
};

// Hands the awaiting coroutine its task; never suspends.
class CurrentTaskAwaiter {
 public:
  bool await_ready() const noexcept { return false; }
  template <LockstepPromise P>
  bool await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    task_ = &awaiting.promise().task();
    return false;
  }
  TaskControl& await_resume() const noexcept { return *task_; }

 private:
  TaskControl* task_ = nullptr;
};

class CurrentLoopAwaiter : public CurrentTaskAwaiter {
 public:
  EventLoop& await_resume() const noexcept { return CurrentTaskAwaiter::await_resume().loop(); }
};

}  // namespace detail

// asyncio.sleep(0): to the back of the ready queue. A cancellation point.
[[nodiscard]] inline detail::YieldAwaiter yield_now() noexcept { return {}; }

// asyncio.sleep(d) on the loop's virtual clock. d <= 0 is yield_now(). A
// cancellation point: a cancelled sleeper wakes at once and throws.
namespace detail {
// Converts to Duration, saturating instead of overflowing.
template <class Rep, class Period>
constexpr Duration saturating_duration(std::chrono::duration<Rep, Period> delay) noexcept {
  using Wide = std::chrono::duration<long double, std::nano>;
  const Wide wide = std::chrono::duration_cast<Wide>(delay);
  if (wide >= Wide(static_cast<long double>(Duration::max().count()))) return Duration::max();
  if (wide <= Wide(static_cast<long double>(Duration::min().count()))) return Duration::min();
  return std::chrono::duration_cast<Duration>(delay);
}
}  // namespace detail

template <class Rep, class Period>
[[nodiscard]] detail::SleepAwaiter sleep(std::chrono::duration<Rep, Period> delay) noexcept {
  return detail::SleepAwaiter{detail::saturating_duration(delay)};
}

// The loop running the current task (asyncio.get_running_loop()). Never suspends.
[[nodiscard]] inline detail::CurrentLoopAwaiter current_loop() noexcept { return {}; }

}  // namespace lockstep
