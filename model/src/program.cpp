#include "lockstep/model/program.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace lockstep::model {

void validate_op_shape(const Op& op);  // below: the rules about one op alone

namespace {

// optional_task: a task number or nothing (0: the running task).
enum class Arg : std::uint8_t { none, signed_seconds, task, optional_task, tasks };

struct OpName {
  std::string_view name;
  OpKind kind;
  Arg arg;
};

constexpr OpName kOpNames[] = {
    {"acquire", OpKind::acquire, Arg::none},
    {"release", OpKind::release, Arg::none},
    {"try_acquire", OpKind::try_acquire, Arg::none},
    {"acquire_timeout", OpKind::acquire_timeout, Arg::signed_seconds},
    {"scoped", OpKind::scoped, Arg::none},
    {"guard_release", OpKind::guard_release, Arg::none},
    {"yield", OpKind::yield, Arg::none},
    {"sleep", OpKind::sleep, Arg::signed_seconds},
    {"throw", OpKind::throw_, Arg::none},
    {"cancel", OpKind::cancel, Arg::task},
    {"uncancel", OpKind::uncancel, Arg::optional_task},
    {"spawn", OpKind::spawn, Arg::task},
    {"await", OpKind::await_, Arg::task},
    {"gather", OpKind::gather, Arg::tasks},
    {"try", OpKind::try_, Arg::none},
    {"timeout", OpKind::timeout, Arg::signed_seconds},
    {"raise_cancelled", OpKind::raise_cancelled, Arg::none},
};

const OpName* find_op(std::string_view name) {
  for (const OpName& known : kOpNames) {
    if (known.name == name) return &known;
  }
  return nullptr;
}

const OpName& op_info(OpKind kind) {
  for (const OpName& known : kOpNames) {
    if (known.kind == kind) return known;
  }
  throw std::logic_error("unknown op kind");
}

// A cursor over the whole text that knows its line and column.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek() const { return at_end() ? '\0' : text_[pos_]; }

  // Skips blanks and comments, not newlines.
  void skip_blanks() {
    while (!at_end()) {
      if (peek() == ' ' || peek() == '\t' || peek() == '\r') {
        advance();
      } else if (peek() == '#') {
        while (!at_end() && peek() != '\n') advance();
      } else {
        return;
      }
    }
  }
  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }
  bool accept(char c) {
    skip_blanks();
    if (peek() != c) return false;
    advance();
    return true;
  }
  void expect(char c, std::string_view what) {
    if (!accept(c)) fail("expected " + std::string(what) + ", found " + describe_next());
  }
  std::string word() {
    skip_blanks();
    std::string out;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) != 0 || peek() == '_')) {
      out += peek();
      advance();
    }
    return out;
  }
  int number(std::string_view what, int low, int high) {
    skip_blanks();
    const std::size_t line = line_;
    const std::size_t column = column_;
    std::string digits;
    if (low < 0 && peek() == '-') {
      digits += '-';
      advance();
    }
    while (!at_end() && std::isdigit(static_cast<unsigned char>(peek())) != 0) {
      digits += peek();
      advance();
    }
    int value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || digits == "-" || error != std::errc{} || end != digits.data() + digits.size() ||
        value < low || value > high) {
      throw ParseError(line, column,
                       "expected " + std::string(what) + " from " + std::to_string(low) + " to " +
                           std::to_string(high) + ", found " + (digits.empty() ? describe_next() : "'" + digits + "'"));
    }
    return value;
  }
  [[noreturn]] void fail(const std::string& message) const { throw ParseError(line_, column_, message); }
  [[nodiscard]] std::string describe_next() const {
    if (at_end()) return "the end of the text";
    if (peek() == '\n') return "the end of the line";
    const auto c = static_cast<unsigned char>(peek());
    if (std::isprint(c) == 0) {
      static constexpr char kHex[] = "0123456789abcdef";
      return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 15];
    }
    return "'" + std::string(1, peek()) + "'";
  }
  [[nodiscard]] std::size_t line() const { return line_; }
  [[nodiscard]] std::size_t column() const { return column_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t column_ = 1;
};

// Where an op is being parsed: its task, and whether a scoped body encloses it.
struct Where {
  int task = 1;
  bool in_scope = false;
};

Op parse_op(Cursor& in, Where where);

std::vector<Op> parse_ops(Cursor& in, Where where) {
  std::vector<Op> ops;
  ops.push_back(parse_op(in, where));
  while (in.accept(';')) ops.push_back(parse_op(in, where));
  return ops;
}

// The rules about one op in its task, checked where the op is, so that the
// error points at it (validate() checks them again, for programs built in code).
void check_in_task(const Op& op, Where where) {
  const std::string text = "task " + std::to_string(where.task) + ": '" + to_string(op) + "'";
  if (op.kind == OpKind::guard_release && !where.in_scope)
    throw std::invalid_argument(text + " is outside a scoped body");
  const bool lower = (op.kind == OpKind::await_ && op.arg <= where.task) ||
                     (op.kind == OpKind::gather && *std::min_element(op.tasks.begin(), op.tasks.end()) <= where.task);
  if (lower) throw std::invalid_argument(text + ": a task awaits only tasks with greater numbers");
}

// An optional lock name after a lock op: a, b or c.
int parse_lock(Cursor& in) {
  in.skip_blanks();
  const char c = in.peek();
  if (c < 'a' || c >= static_cast<char>('a' + kMaxLocks)) return 0;
  in.advance();
  return c - 'a';
}

void parse_arg(Cursor& in, const OpName& known, Op& op) {
  const int tasks = static_cast<int>(kMaxTasks);
  switch (known.arg) {
    case Arg::none:
      break;
    case Arg::signed_seconds:
      op.arg = in.number("a number of virtual seconds", -kMaxTicks, kMaxTicks);
      break;
    case Arg::task:
      op.arg = in.number("a task number", 1, tasks);
      break;
    case Arg::optional_task:
      in.skip_blanks();
      if (std::isdigit(static_cast<unsigned char>(in.peek())) != 0) op.arg = in.number("a task number", 1, tasks);
      break;
    case Arg::tasks:
      op.tasks.push_back(in.number("a task number", 1, tasks));
      while (true) {
        in.skip_blanks();
        if (std::isdigit(static_cast<unsigned char>(in.peek())) == 0) break;
        op.tasks.push_back(in.number("a task number", 1, tasks));
      }
      break;
  }
}

Op parse_op(Cursor& in, Where where) {
  in.skip_blanks();
  const std::size_t line = in.line();
  const std::size_t column = in.column();
  const std::string name = in.word();
  if (name.empty()) in.fail("expected an operation, found " + in.describe_next());
  const OpName* known = find_op(name);
  if (known == nullptr) throw ParseError(line, column, "unknown operation '" + name + "'");
  Op op;
  op.kind = known->kind;
  if (uses_lock(op.kind)) {
    // A lock letter must stand alone: "acquire b", not "acquire bx".
    op.lock = parse_lock(in);
  }
  parse_arg(in, *known, op);
  if (has_body(op.kind)) {
    in.expect('{', "'{' after " + name);
    op.body = parse_ops(in, {where.task, where.in_scope || op.kind == OpKind::scoped});
    in.expect('}', "'}' closing the " + name + " body");
  }
  try {
    // Rules about one op are checked here, so the error points at it.
    validate_op_shape(op);
    check_in_task(op, where);
  } catch (const std::invalid_argument& e) {
    throw ParseError(line, column, e.what());
  }
  return op;
}

std::size_t count_ops(const std::vector<Op>& ops) {
  std::size_t n = 0;
  for (const Op& op : ops) n += 1 + count_ops(op.body);
  return n;
}

void append_ops(std::string& out, const std::vector<Op>& ops) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (i != 0) out += "; ";
    out += to_string(ops[i]);
  }
}

template <class F>
void for_each_op(const std::vector<Op>& ops, F&& visit, std::size_t depth = 1, bool in_scope = false) {
  for (const Op& op : ops) {
    visit(op, depth, in_scope);
    for_each_op(op.body, visit, depth + 1, in_scope || op.kind == OpKind::scoped);
  }
}

// The ops a task starts (spawn, gather).
std::vector<TaskNumber> started_by(const Op& op) {
  if (op.kind == OpKind::spawn) return {op.arg};
  if (op.kind == OpKind::gather) return op.tasks;
  return {};
}

}  // namespace

ParseError::ParseError(std::size_t line, std::size_t column, const std::string& message)
    : std::runtime_error("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message),
      line_(line),
      column_(column) {}

std::vector<bool> Program::starts_at_once() const {
  std::vector<bool> at_once(tasks.size(), true);
  for (const TaskProgram& task : tasks) {
    for_each_op(task.ops, [&](const Op& op, std::size_t, bool) {
      for (TaskNumber t : started_by(op)) {
        if (t >= 1 && static_cast<std::size_t>(t) <= at_once.size()) at_once[static_cast<std::size_t>(t) - 1] = false;
      }
    });
  }
  return at_once;
}

std::size_t Program::lock_count() const {
  int highest = 0;
  for (const TaskProgram& task : tasks) {
    for_each_op(task.ops, [&](const Op& op, std::size_t, bool) {
      if (uses_lock(op.kind)) highest = std::max(highest, op.lock);
    });
  }
  return static_cast<std::size_t>(highest) + 1;
}

bool uses_lock(OpKind kind) {
  return kind == OpKind::acquire || kind == OpKind::release || kind == OpKind::try_acquire ||
         kind == OpKind::acquire_timeout || kind == OpKind::scoped;
}

bool has_body(OpKind kind) { return kind == OpKind::scoped || kind == OpKind::try_ || kind == OpKind::timeout; }

char lock_name(int lock) { return static_cast<char>('a' + lock); }

void validate_op_shape(const Op& op) {
  const auto text = [&] { return to_string(op); };  // only an error spells the op out
  if (has_body(op.kind) && op.body.empty()) throw std::invalid_argument("'" + text() + "' needs a body");
  if (!has_body(op.kind) && !op.body.empty()) throw std::invalid_argument("only scoped, try and timeout have a body");
  if (op.lock < 0 || static_cast<std::size_t>(op.lock) >= kMaxLocks || (!uses_lock(op.kind) && op.lock != 0)) {
    throw std::invalid_argument("'" + text() + "' names a lock out of range");
  }
  const int tasks = static_cast<int>(kMaxTasks);
  switch (op_info(op.kind).arg) {
    case Arg::signed_seconds:
      if (op.arg < -kMaxTicks || op.arg > kMaxTicks) throw std::invalid_argument("'" + text() + "' is out of range");
      break;
    case Arg::task:
      if (op.arg < 1 || op.arg > tasks) throw std::invalid_argument("'" + text() + "' names a task out of range");
      break;
    case Arg::optional_task:
      if (op.arg < 0 || op.arg > tasks) throw std::invalid_argument("'" + text() + "' names a task out of range");
      break;
    case Arg::tasks: {
      if (op.tasks.empty() || op.tasks.size() > kMaxGather) {
        throw std::invalid_argument("gather takes 1 to " + std::to_string(kMaxGather) + " tasks");
      }
      std::vector<TaskNumber> sorted = op.tasks;
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        throw std::invalid_argument("'" + text() + "' names a task twice");
      }
      break;
    }
    case Arg::none:
      if (op.arg != 0) throw std::invalid_argument("'" + text() + "' takes no number");
      break;
  }
  if (op.kind != OpKind::gather && !op.tasks.empty()) throw std::invalid_argument("only gather lists tasks");
}

namespace {

void validate_task(const Program& program, std::size_t t, std::vector<int>& started_by_task) {
  const std::size_t n = program.tasks.size();
  const auto self = static_cast<TaskNumber>(t + 1);
  const std::string where = "task " + std::to_string(self);
  const auto& ops = program.tasks[t].ops;
  if (ops.empty()) throw std::invalid_argument(where + " has no operations");
  if (count_ops(ops) > kMaxOpsPerTask) {
    throw std::invalid_argument(where + " has more than " + std::to_string(kMaxOpsPerTask) + " operations");
  }
  for_each_op(ops, [&](const Op& op, std::size_t depth, bool in_scope) {
    validate_op_shape(op);
    // Only an error spells the op out: a valid program is validated without building text.
    const auto text = [&] { return where + ": '" + to_string(op) + "'"; };
    if (depth > kMaxDepth) throw std::invalid_argument(text() + " nests deeper than " + std::to_string(kMaxDepth));
    if (op.kind == OpKind::guard_release && !in_scope)
      throw std::invalid_argument(text() + " is outside a scoped body");
    std::vector<TaskNumber> named = started_by(op);
    if (op.kind == OpKind::cancel || op.kind == OpKind::await_ || (op.kind == OpKind::uncancel && op.arg != 0)) {
      named.push_back(op.arg);
    }
    for (TaskNumber k : named) {
      if (static_cast<std::size_t>(k) > n) throw std::invalid_argument(text() + " names a task that does not exist");
    }
    if ((op.kind == OpKind::await_ && op.arg <= self) ||
        (op.kind == OpKind::gather && *std::min_element(op.tasks.begin(), op.tasks.end()) <= self)) {
      throw std::invalid_argument(text() + ": a task awaits only tasks with greater numbers");
    }
    for (TaskNumber k : started_by(op)) {
      if (k == self) throw std::invalid_argument(where + " starts itself");
      int& by = started_by_task[static_cast<std::size_t>(k) - 1];
      if (by != 0) throw std::invalid_argument("task " + std::to_string(k) + " is started more than once");
      by = self;
    }
  });
}

}  // namespace

void validate(const Program& program) {
  const std::size_t n = program.tasks.size();
  if (n == 0 || n > kMaxTasks) {
    throw std::invalid_argument("a program has 1 to " + std::to_string(kMaxTasks) + " tasks, not " + std::to_string(n));
  }
  std::vector<int> started_by_task(n, 0);
  for (std::size_t t = 0; t < n; ++t) validate_task(program, t, started_by_task);
  // Every started task must be reachable from a task that starts at once:
  // follow started_by upwards; a cycle never reaches a starter.
  for (std::size_t t = 0; t < n; ++t) {
    std::size_t at = t;
    for (std::size_t hops = 0; started_by_task[at] != 0; ++hops) {
      if (hops > n) throw std::invalid_argument("task " + std::to_string(t + 1) + " can never start: spawn cycle");
      at = static_cast<std::size_t>(started_by_task[at]) - 1;
    }
  }
}

Program parse_program(std::string_view text) {
  Cursor in(text);
  Program program;
  while (true) {
    in.skip_blanks();
    while (in.accept('\n')) in.skip_blanks();
    if (in.at_end()) break;
    const std::size_t line = in.line();
    const std::size_t column = in.column();
    const std::string keyword = in.word();
    if (keyword != "task")
      throw ParseError(line, column,
                       "expected 'task', found " + (keyword.empty() ? in.describe_next() : "'" + keyword + "'"));
    const int number = in.number("a task number", 1, static_cast<int>(kMaxTasks));
    if (static_cast<std::size_t>(number) != program.tasks.size() + 1) {
      throw ParseError(line, column,
                       "tasks are numbered 1, 2, 3... in order; expected task " +
                           std::to_string(program.tasks.size() + 1) + ", found task " + std::to_string(number));
    }
    in.expect(':', "':' after the task number");
    program.tasks.push_back({parse_ops(in, {number, false})});
    in.skip_blanks();
    if (in.accept('|')) continue;  // compact form
    if (!in.at_end() && !in.accept('\n'))
      in.fail("expected ';', '|' or the end of the line, found " + in.describe_next());
  }
  try {
    validate(program);
  } catch (const std::invalid_argument& e) {
    throw ParseError(in.line(), in.column(), e.what());
  }
  return program;
}

std::string_view name_of(OpKind kind) { return op_info(kind).name; }

std::string to_string(const Op& op) {
  std::string out(name_of(op.kind));
  if (uses_lock(op.kind) && op.lock != 0) {
    out += ' ';
    out += lock_name(op.lock);
  }
  switch (op_info(op.kind).arg) {
    case Arg::none:
      break;
    case Arg::signed_seconds:
    case Arg::task:
      out += ' ' + std::to_string(op.arg);
      break;
    case Arg::optional_task:
      if (op.arg != 0) out += ' ' + std::to_string(op.arg);
      break;
    case Arg::tasks:
      for (TaskNumber t : op.tasks) out += ' ' + std::to_string(t);
      break;
  }
  if (has_body(op.kind)) {
    out += " { ";
    append_ops(out, op.body);
    out += " }";
  }
  return out;
}

std::string to_text(const Program& program) {
  std::string out;
  for (std::size_t t = 0; t < program.tasks.size(); ++t) {
    out += "task " + std::to_string(t + 1) + ": ";
    append_ops(out, program.tasks[t].ops);
    out += '\n';
  }
  return out;
}

std::string to_compact(const Program& program) {
  std::string out;
  for (std::size_t t = 0; t < program.tasks.size(); ++t) {
    if (t != 0) out += " | ";
    out += "task " + std::to_string(t + 1) + ": ";
    append_ops(out, program.tasks[t].ops);
  }
  return out;
}

}  // namespace lockstep::model
