#include "lockstep/model/program.hpp"

#include <cctype>
#include <charconv>
#include <optional>

namespace lockstep::model {
namespace {

struct OpName {
  std::string_view name;
  OpKind kind;
  bool has_arg;
};

constexpr OpName kOpNames[] = {
    {"acquire", OpKind::acquire, false},
    {"release", OpKind::release, false},
    {"try_acquire", OpKind::try_acquire, false},
    {"acquire_timeout", OpKind::acquire_timeout, true},
    {"scoped", OpKind::scoped, false},
    {"yield", OpKind::yield, false},
    {"sleep", OpKind::sleep, true},
    {"throw", OpKind::throw_, false},
    {"cancel", OpKind::cancel, true},
    {"spawn", OpKind::spawn, true},
};

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
    while (!at_end() && std::isdigit(static_cast<unsigned char>(peek())) != 0) {
      digits += peek();
      advance();
    }
    int value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() || value < low ||
        value > high) {
      throw ParseError(line, column,
                       "expected " + std::string(what) + " from " + std::to_string(low) + " to " +
                           std::to_string(high) + ", found " +
                           (digits.empty() ? describe_next() : "'" + digits + "'"));
    }
    return value;
  }
  [[noreturn]] void fail(const std::string& message) const { throw ParseError(line_, column_, message); }
  [[nodiscard]] std::string describe_next() const {
    if (at_end()) return "the end of the text";
    if (peek() == '\n') return "the end of the line";
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

Op parse_op(Cursor& in, bool in_body);

std::vector<Op> parse_ops(Cursor& in, bool in_body) {
  std::vector<Op> ops;
  ops.push_back(parse_op(in, in_body));
  while (in.accept(';')) ops.push_back(parse_op(in, in_body));
  return ops;
}

Op parse_op(Cursor& in, bool in_body) {
  in.skip_blanks();
  const std::size_t line = in.line();
  const std::size_t column = in.column();
  const std::string name = in.word();
  if (name.empty()) in.fail("expected an operation, found " + in.describe_next());
  for (const OpName& known : kOpNames) {
    if (known.name != name) continue;
    Op op;
    op.kind = known.kind;
    if (in_body && known.kind == OpKind::scoped) {
      throw ParseError(line, column, "a scoped body cannot hold another scoped block");
    }
    if (in_body && known.kind == OpKind::release) {
      throw ParseError(line, column, "release inside a scoped body is misuse (SPEC §3)");
    }
    if (known.kind == OpKind::scoped) {
      in.expect('{', "'{' after scoped");
      op.body = parse_ops(in, true);
      in.expect('}', "'}' closing the scoped body");
    } else if (known.kind == OpKind::cancel || known.kind == OpKind::spawn) {
      op.arg = in.number("a task number", 1, static_cast<int>(kMaxTasks));
    } else if (known.has_arg) {
      op.arg = in.number("a number of virtual seconds", 0, kMaxTicks);
    }
    return op;
  }
  throw ParseError(line, column, "unknown operation '" + name + "'");
}

std::size_t count_ops(const std::vector<Op>& ops) {
  std::size_t n = 0;
  for (const Op& op : ops) n += 1 + op.body.size();
  return n;
}

void append_ops(std::string& out, const std::vector<Op>& ops) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (i != 0) out += "; ";
    out += to_string(ops[i]);
  }
}

}  // namespace

ParseError::ParseError(std::size_t line, std::size_t column, const std::string& message)
    : std::runtime_error("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
                         message),
      line_(line),
      column_(column) {}

std::vector<bool> Program::starts_at_once() const {
  std::vector<bool> at_once(tasks.size(), true);
  for (const TaskProgram& task : tasks) {
    for (const Op& op : task.ops) {
      if (op.kind == OpKind::spawn) at_once[static_cast<std::size_t>(op.arg) - 1] = false;
      for (const Op& inner : op.body) {
        if (inner.kind == OpKind::spawn) at_once[static_cast<std::size_t>(inner.arg) - 1] = false;
      }
    }
  }
  return at_once;
}

void validate(const Program& program) {
  const std::size_t n = program.tasks.size();
  if (n == 0 || n > kMaxTasks) {
    throw std::invalid_argument("a program has 1 to " + std::to_string(kMaxTasks) + " tasks, not " +
                                std::to_string(n));
  }
  std::vector<int> spawned_by(n, 0);
  for (std::size_t t = 0; t < n; ++t) {
    const std::string where = "task " + std::to_string(t + 1);
    const auto& ops = program.tasks[t].ops;
    if (ops.empty()) throw std::invalid_argument(where + " has no operations");
    if (count_ops(ops) > kMaxOpsPerTask) {
      throw std::invalid_argument(where + " has more than " + std::to_string(kMaxOpsPerTask) + " operations");
    }
    auto check = [&](const Op& op, bool in_body) {
      if (in_body && (op.kind == OpKind::scoped || op.kind == OpKind::release)) {
        throw std::invalid_argument(where + ": '" + std::string(name_of(op.kind)) +
                                    "' is not allowed inside a scoped body");
      }
      if (op.kind == OpKind::scoped && op.body.empty()) {
        throw std::invalid_argument(where + ": a scoped block needs a body");
      }
      if (op.kind != OpKind::scoped && !op.body.empty()) {
        throw std::invalid_argument(where + ": only scoped has a body");
      }
      if ((op.kind == OpKind::cancel || op.kind == OpKind::spawn) &&
          (op.arg < 1 || static_cast<std::size_t>(op.arg) > n)) {
        throw std::invalid_argument(where + ": " + to_string(op) + " names a task that does not exist");
      }
      if ((op.kind == OpKind::sleep || op.kind == OpKind::acquire_timeout) && (op.arg < 0 || op.arg > kMaxTicks)) {
        throw std::invalid_argument(where + ": " + to_string(op) + " is out of range");
      }
      if (op.kind == OpKind::spawn) {
        const auto target = static_cast<std::size_t>(op.arg) - 1;
        if (target == t) throw std::invalid_argument(where + " spawns itself");
        if (spawned_by[target] != 0) {
          throw std::invalid_argument("task " + std::to_string(op.arg) + " is spawned more than once");
        }
        spawned_by[target] = static_cast<int>(t) + 1;
      }
    };
    for (const Op& op : ops) {
      check(op, false);
      for (const Op& inner : op.body) check(inner, true);
    }
  }
  // Every spawned task must be reachable from a task that starts at once:
  // follow spawned_by upwards; a cycle never reaches a starter.
  for (std::size_t t = 0; t < n; ++t) {
    std::size_t at = t;
    for (std::size_t hops = 0; spawned_by[at] != 0; ++hops) {
      if (hops > n) throw std::invalid_argument("task " + std::to_string(t + 1) + " can never start: spawn cycle");
      at = static_cast<std::size_t>(spawned_by[at]) - 1;
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
    if (keyword != "task") throw ParseError(line, column, "expected 'task', found " + (keyword.empty() ? in.describe_next() : "'" + keyword + "'"));
    const int number = in.number("a task number", 1, static_cast<int>(kMaxTasks));
    if (static_cast<std::size_t>(number) != program.tasks.size() + 1) {
      throw ParseError(line, column,
                       "tasks are numbered 1, 2, 3... in order; expected task " +
                           std::to_string(program.tasks.size() + 1) + ", found task " + std::to_string(number));
    }
    in.expect(':', "':' after the task number");
    program.tasks.push_back({parse_ops(in, false)});
    in.skip_blanks();
    if (in.accept('|')) continue;  // compact form
    if (!in.at_end() && !in.accept('\n')) in.fail("expected ';', '|' or the end of the line, found " + in.describe_next());
  }
  try {
    validate(program);
  } catch (const std::invalid_argument& e) {
    throw ParseError(in.line(), in.column(), e.what());
  }
  return program;
}

std::string_view name_of(OpKind kind) {
  for (const OpName& known : kOpNames) {
    if (known.kind == kind) return known.name;
  }
  return "?";
}

std::string to_string(const Op& op) {
  std::string out(name_of(op.kind));
  switch (op.kind) {
    case OpKind::scoped:
      out += " { ";
      append_ops(out, op.body);
      out += " }";
      break;
    case OpKind::acquire_timeout:
    case OpKind::sleep:
    case OpKind::cancel:
    case OpKind::spawn:
      out += ' ';
      out += std::to_string(op.arg);
      break;
    default:
      break;
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
