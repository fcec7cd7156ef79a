// The harness's program language: 1 to 8 tasks, each a short list of
// operations on one lock. Plain data, shared by the model and the runner.
//
// Text form, one task per line (`#` starts a comment):
//
//   task 1: acquire; sleep 2; release
//   task 2: scoped { yield; throw }
//   task 3: cancel 2; acquire_timeout 1; spawn 4
//   task 4: try_acquire
//
// Operations: acquire | release | try_acquire | acquire_timeout T |
// scoped { BODY } | yield | sleep T | throw | cancel K | spawn K.
// T is a number of virtual seconds (0 allowed); K is a task number. A task that
// some `spawn` names starts only when that spawn runs; every other task starts
// with the program. A scoped body may hold any operation except `scoped` and
// `release` (releasing by hand inside a scoped body is misuse, SPEC §3).
// The compact form puts the tasks on one line, separated by " | ".
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep::model {

inline constexpr std::size_t kMaxTasks = 8;
inline constexpr std::size_t kMaxOpsPerTask = 32;
inline constexpr int kMaxTicks = 1000;

enum class OpKind : std::uint8_t {
  acquire,
  release,
  try_acquire,
  acquire_timeout,  // arg: ticks
  scoped,           // body
  yield,
  sleep,  // arg: ticks
  throw_,
  cancel,  // arg: task number
  spawn,   // arg: task number
};

struct Op {
  OpKind kind = OpKind::yield;
  int arg = 0;
  std::vector<Op> body;  // scoped only
  friend bool operator==(const Op&, const Op&) = default;
};

struct TaskProgram {
  std::vector<Op> ops;
  friend bool operator==(const TaskProgram&, const TaskProgram&) = default;
};

struct Program {
  std::vector<TaskProgram> tasks;  // task k is tasks[k - 1]
  friend bool operator==(const Program&, const Program&) = default;

  // Tasks that start with the program (not the target of any spawn).
  [[nodiscard]] std::vector<bool> starts_at_once() const;
};

// Parse errors name the line and column (1-based): "line 2, column 9: ...".
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

}  // namespace lockstep::model
