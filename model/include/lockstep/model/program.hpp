// The harness's program language: 1 to 8 tasks, each a short list of
// operations on up to three locks. Plain data, shared by the model and the
// runner. The meaning of every operation is docs/SEMANTICS.md (rule ids in
// brackets); docs/PROGRAMS.md is the reference with examples.
//
// Text form, one task per line (`#` starts a comment):
//
//   task 1: acquire; sleep 2; release
//   task 2: scoped { yield; throw }
//   task 3: cancel 2; acquire_timeout b 1; spawn 4
//   task 4: try { await 5 }; gather 6 7
//
// Operations (L is a lock: a, b or c, default a; T is whole virtual seconds;
// K is a task number):
//   acquire [L]            await lock.acquire()                       [LK-ACQ]
//   release [L]            lock.release(); LockNotAcquired is caught   [LK-REL]
//   try_acquire [L]        lock.try_acquire() (beyond asyncio)        [LK-TRY]
//   acquire_timeout [L] T  wait_for(lock.acquire(), T), T in -1000..1000;
//                          TimeoutError is caught                     [WF-*]
//   scoped [L] { BODY }    async with lock: BODY                     [SC-*]
//   guard_release          the innermost scoped guard's release()    [SC-EARLY]
//   yield                  yield_now() (asyncio.sleep(0))            [LP-YIELD]
//   sleep T                sleep(T), T in -1000..1000 (0 or less:
//                          a yield, as asyncio.sleep)                 [LP-SLEEP]
//   throw                  raises an error (an Exception)            [TK-ERR]
//   raise_cancelled        raises CancelledError itself, with no
//                          cancel() (raise asyncio.CancelledError())  [TK-RAISE-CANCELLED]
//   cancel K               task K.cancel(); K may be the task itself [CN-*]
//   uncancel [K]           task K's uncancel(); no K: the running
//                          task's own                                [CN-UNCANCEL]
//   spawn K                create_task(K)                            [TK-SPAWN]
//   await K                await task K (K greater than the task)    [TK-JOIN]
//   gather K [K ...]       await gather(K, ...), 1 to 4 tasks, each
//                          greater than the task, started by it       [GA-*]
//   try { BODY }           catches an error or CancelledError raised
//                          in BODY and goes on                        [TK-CATCH]
//   timeout T { BODY }     wait_for(BODY, T), T in -1000..1000: BODY
//                          runs in the task under a deadline (T <= 0:
//                          never); TimeoutError is caught             [WF-SCOPE]
//
// A task that some spawn or gather names starts only when that op runs; every
// other task starts with the program. Each task is started by at most one op.
// Bodies nest up to kMaxDepth deep. The compact form puts the tasks on one
// line, separated by " | ".
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep::model {

inline constexpr std::size_t kMaxTasks = 8;
inline constexpr std::size_t kMaxLocks = 3;
inline constexpr std::size_t kMaxOpsPerTask = 32;
inline constexpr std::size_t kMaxDepth = 4;
inline constexpr std::size_t kMaxGather = 4;
inline constexpr int kMaxTicks = 1000;

using TaskNumber = int;

enum class OpKind : std::uint8_t {
  acquire,
  release,
  try_acquire,
  acquire_timeout,  // arg: seconds, may be 0 or negative
  scoped,           // body
  guard_release,
  yield,
  sleep,  // arg: seconds, may be 0 or negative (a yield)
  throw_,
  cancel,    // arg: task number
  uncancel,  // arg: task number, or 0 for the running task
  spawn,     // arg: task number
  await_,    // arg: task number
  gather,    // tasks: the children
  try_,      // body
  timeout,   // arg: seconds, may be 0 or negative; body
  raise_cancelled,
};

struct Op {
  OpKind kind = OpKind::yield;
  int arg = 0;
  int lock = 0;                   // lock ops: 0, 1, 2 for a, b, c
  std::vector<TaskNumber> tasks;  // gather only
  std::vector<Op> body;           // scoped, try and timeout only
  friend bool operator==(const Op&, const Op&) = default;
};

struct TaskProgram {
  std::vector<Op> ops;
  friend bool operator==(const TaskProgram&, const TaskProgram&) = default;
};

struct Program {
  std::vector<TaskProgram> tasks;  // task k is tasks[k - 1]
  friend bool operator==(const Program&, const Program&) = default;

  // Tasks that start with the program (not started by any spawn or gather).
  [[nodiscard]] std::vector<bool> starts_at_once() const;
  // How many locks the program names (1 to 3): the highest lock used, plus one.
  [[nodiscard]] std::size_t lock_count() const;
};

[[nodiscard]] bool uses_lock(OpKind kind);  // acquire, release, try_acquire, acquire_timeout, scoped
[[nodiscard]] bool has_body(OpKind kind);   // scoped, try, timeout

// Parse errors name the line and column (1-based) of the offending token:
// "line 2, column 9: ...".
class ParseError : public std::runtime_error {
 public:
  ParseError(std::size_t line, std::size_t column, const std::string& message);
  [[nodiscard]] std::size_t line() const noexcept { return line_; }
  [[nodiscard]] std::size_t column() const noexcept { return column_; }

 private:
  std::size_t line_;
  std::size_t column_;
};

// Parses the text form (one task per line) or the compact form (" | ").
// Throws ParseError for bad syntax and for programs that break the rules above.
Program parse_program(std::string_view text);
// Checks the rules; throws std::invalid_argument naming the task and op.
void validate(const Program& program);

std::string to_text(const Program& program);     // one "task k: ..." line each
std::string to_compact(const Program& program);  // one line
std::string to_string(const Op& op);
std::string_view name_of(OpKind kind);
char lock_name(int lock);  // 'a', 'b', 'c'

}  // namespace lockstep::model
