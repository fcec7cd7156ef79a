#include "lockstep/check/trace.hpp"

#include <sstream>

namespace lockstep::check {
namespace {

std::string join_decisions(const std::vector<std::uint32_t>& decisions) {
  std::string out;
  for (std::size_t i = 0; i < decisions.size(); ++i) out += (i == 0 ? "" : " ") + std::to_string(decisions[i]);
  return out;
}

std::vector<std::uint32_t> parse_decisions(const std::string& text, std::size_t line) {
  std::vector<std::uint32_t> out;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    std::size_t used = 0;
    unsigned long value = 0;
    try {
      value = std::stoul(word, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != word.size() || value > 255) {
      throw TraceError("trace line " + std::to_string(line) + ": '" + word + "' is not a decision (0-255)");
    }
    out.push_back(static_cast<std::uint32_t>(value));
  }
  return out;
}

std::string verdict_text(FailureKind verdict, const std::string& message) {
  if (verdict == FailureKind::none) return message.empty() ? "pass" : "pass (" + message + ")";
  return std::string(name_of(verdict)) + ": " + message;
}

// Reads lines and knows their numbers.
class Lines {
 public:
  explicit Lines(std::string_view text) {
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string line(text.substr(start, end - start));
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines_.push_back(std::move(line));
      start = end + 1;
    }
  }
  [[nodiscard]] bool at_end() const { return next_ >= lines_.size(); }
  [[nodiscard]] std::size_t number() const { return next_ + 1; }
  const std::string& peek() const {
    if (at_end()) throw TraceError("trace line " + std::to_string(number()) + ": the trace ends too early");
    return lines_[next_];
  }
  std::string take() {
    std::string line = peek();
    ++next_;
    return line;
  }
  // Takes a line that starts with `prefix` and returns the rest.
  std::string take_field(const std::string& prefix) {
    const std::size_t at = number();
    std::string line = take();
    if (line.rfind(prefix, 0) != 0) {
      throw TraceError("trace line " + std::to_string(at) + ": expected '" + prefix + "', found '" + line + "'");
    }
    return line.substr(prefix.size());
  }

 private:
  std::vector<std::string> lines_;
  std::size_t next_ = 0;
};

std::string trim(const std::string& s) {
  const std::size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// A recorded step must describe this program: its tasks and its locks.
void check_fits(const model::Program& program, const model::StepRecord& step) {
  const auto n = static_cast<int>(program.tasks.size());
  auto task_ok = [&](int t) {
    if (t < 1 || t > n)
      throw std::invalid_argument("the step names task " + std::to_string(t) + ", the program has " +
                                  std::to_string(n));
  };
  for (const auto& e : step.ready) task_ok(e.task);
  for (const auto& e : step.queue) task_ok(e.task);
  for (const auto& e : step.events) {
    if (e.target != 0) task_ok(e.target);
    if (e.lock >= static_cast<int>(program.lock_count()))
      throw std::invalid_argument("the step names a lock the program does not use");
  }
  for (const auto& t : step.timers) task_ok(t.task);
  if (step.tasks.size() != program.tasks.size()) {
    throw std::invalid_argument("the step lists " + std::to_string(step.tasks.size()) + " tasks, the program has " +
                                std::to_string(n));
  }
  if (step.locks.size() != program.lock_count()) {
    throw std::invalid_argument("the step lists " + std::to_string(step.locks.size()) + " locks, the program uses " +
                                std::to_string(program.lock_count()));
  }
  for (const auto& l : step.locks) {
    if (l.holder) task_ok(*l.holder);
    for (const auto& w : l.waiters) task_ok(w.task);
  }
}

Trace parse_compact(std::string_view text) {
  // "lockstep v2 / PROGRAM / DECISIONS"; with no decisions the line ends in " /"
  // (trimmed), so the last separator is found as " /".
  const std::string line = trim(std::string(text.substr(0, text.find('\n'))));
  const std::size_t first = line.find(" / ");
  const std::size_t last = line.rfind(" /");
  if (first == std::string::npos || last == first) {
    throw TraceError("trace line 1: a compact trace is 'lockstep v" + std::to_string(kTraceVersion) +
                     " / PROGRAM / DECISIONS'");
  }
  if (line.substr(0, first) != "lockstep v" + std::to_string(kTraceVersion)) {
    throw TraceError("trace line 1: unsupported trace version '" + line.substr(0, first) + "'");
  }
  Trace trace;
  try {
    trace.program = model::parse_program(line.substr(first + 3, last - first - 3));
  } catch (const model::ParseError& e) {
    throw TraceError(std::string("trace line 1: program: ") + e.what());
  }
  trace.decisions = parse_decisions(trim(line.substr(last + 2)), 1);
  trace.strategy = "compact";
  return trace;
}

std::string pass_note(const RunResult& run) {
  if (run.predicted_deadlock.empty()) return "";
  std::string tasks;
  for (int t : run.predicted_deadlock) tasks += (tasks.empty() ? "" : ",") + std::to_string(t);
  return "predicted deadlock: " + tasks;
}

}  // namespace

std::string verdict_line(const RunResult& run) {
  return verdict_text(run.failure, run.passed() ? pass_note(run) : run.message);
}

Trace make_trace(const model::Program& program, const std::string& strategy, const RunResult& run) {
  Trace trace;
  trace.program = program;
  trace.strategy = strategy;
  trace.decisions = run.decisions;
  trace.steps = run.steps;
  trace.verdict = run.failure;
  trace.message = run.passed() ? pass_note(run) : run.message;
  return trace;
}

std::string to_text(const Trace& trace) {
  std::string out = "lockstep trace v" + std::to_string(kTraceVersion) + "\n";
  out += "strategy: " + trace.strategy + "\n";
  out += "program:\n";
  std::istringstream program(model::to_text(trace.program));
  for (std::string line; std::getline(program, line);) out += "  " + line + "\n";
  out += "decisions: " + join_decisions(trace.decisions) + "\n";
  out += "steps: " + std::to_string(trace.steps.size()) + "\n";
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    out += "  " + std::to_string(i + 1) + " " + model::to_string(trace.steps[i]) + "\n";
  }
  out += "verdict: " + verdict_text(trace.verdict, trace.message) + "\n";
  return out;
}

std::string to_compact(const Trace& trace) {
  return "lockstep v" + std::to_string(kTraceVersion) + " / " + model::to_compact(trace.program) + " / " +
         join_decisions(trace.decisions);
}

namespace {

void check_header(const std::string& header) {
  if (header.rfind("lockstep trace v", 0) != 0) {
    throw TraceError("trace line 1: not a lockstep trace (expected 'lockstep trace v" + std::to_string(kTraceVersion) +
                     "')");
  }
  if (header != "lockstep trace v" + std::to_string(kTraceVersion)) {
    throw TraceError("trace line 1: unsupported version '" + header.substr(15) + "'; this build reads v" +
                     std::to_string(kTraceVersion));
  }
}

// "steps: N" and the N numbered step lines, each checked against the program.
void parse_steps(Lines& lines, Trace& trace) {
  const std::size_t steps_line = lines.number();
  const std::string count_text = trim(lines.take_field("steps:"));
  std::size_t count = 0;
  try {
    std::size_t used = 0;
    count = std::stoul(count_text, &used);
    if (used != count_text.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw TraceError("trace line " + std::to_string(steps_line) + ": '" + count_text + "' is not a step count");
  }
  for (std::size_t i = 1; i <= count; ++i) {
    const std::size_t at = lines.number();
    const std::string line = trim(lines.take());
    const std::string number = std::to_string(i) + " ";
    if (line.rfind(number, 0) != 0) {
      throw TraceError("trace line " + std::to_string(at) + ": expected step " + std::to_string(i) + ", found '" +
                       line + "'");
    }
    try {
      trace.steps.push_back(model::parse_step_record(line.substr(number.size())));
      check_fits(trace.program, trace.steps.back());
    } catch (const std::invalid_argument& e) {
      throw TraceError("trace line " + std::to_string(at) + ": " + e.what());
    }
  }
}

// "verdict: ..." and nothing but blank lines after it.
void parse_verdict(Lines& lines, Trace& trace) {
  const std::size_t verdict_at = lines.number();
  const std::string verdict = lines.take_field("verdict: ");
  if (verdict == "pass") {
    trace.verdict = FailureKind::none;
  } else if (verdict.rfind("pass (", 0) == 0 && verdict.back() == ')') {
    trace.verdict = FailureKind::none;
    trace.message = verdict.substr(6, verdict.size() - 7);
  } else {
    const std::size_t colon = verdict.find(": ");
    const auto kind = failure_kind_from_name(verdict.substr(0, colon));
    if (colon == std::string::npos || !kind || *kind == FailureKind::none) {
      throw TraceError("trace line " + std::to_string(verdict_at) + ": unknown verdict '" + verdict + "'");
    }
    trace.verdict = *kind;
    trace.message = verdict.substr(colon + 2);
  }
  while (!lines.at_end()) {
    const std::size_t at = lines.number();
    if (!trim(lines.take()).empty()) throw TraceError("trace line " + std::to_string(at) + ": text after the verdict");
  }
}

}  // namespace

Trace parse_trace(std::string_view text) {
  if (text.rfind("lockstep v", 0) == 0) return parse_compact(text);
  Lines lines(text);
  check_header(lines.take());
  Trace trace;
  trace.strategy = lines.take_field("strategy: ");
  lines.take_field("program:");
  const std::size_t program_line = lines.number();
  std::string program_text;
  while (!lines.at_end() && lines.peek().rfind("  ", 0) == 0) program_text += lines.take().substr(2) + "\n";
  try {
    trace.program = model::parse_program(program_text);
  } catch (const model::ParseError& e) {
    throw TraceError("trace line " + std::to_string(program_line + e.line() - 1) + ": program: " + e.what());
  }
  const std::size_t decisions_line = lines.number();
  trace.decisions = parse_decisions(lines.take_field("decisions:"), decisions_line);
  parse_steps(lines, trace);
  parse_verdict(lines, trace);
  return trace;
}

ReplayResult replay(const Trace& trace, const LockFactory& make_lock, std::unique_ptr<ChoiceSource> then,
                    const RunOptions& options) {
  ReplayResult result;
  const bool continues = then != nullptr;
  ReplaySource source(trace.decisions, std::move(then));
  try {
    result.run = run_program(trace.program, source, make_lock, options);
  } catch (const std::runtime_error& e) {
    result.diverged = true;
    result.divergence = std::string("diverged: ") + e.what();
    return result;
  }
  if (trace.strategy == "compact") return result;  // nothing recorded to compare
  const auto& got = result.run.steps;
  const auto& expected = trace.steps;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (i >= got.size()) {
      result.diverged = true;
      result.divergence = "diverged at step " + std::to_string(i + 1) + ": expected " + model::to_string(expected[i]) +
                          ", got the end of the run (" + verdict_line(result.run) + ")";
      return result;
    }
    if (got[i] != expected[i]) {
      result.diverged = true;
      result.divergence = "diverged at step " + std::to_string(i + 1) + ": expected " + model::to_string(expected[i]) +
                          ", got " + model::to_string(got[i]);
      return result;
    }
  }
  if (continues) return result;
  if (got.size() > expected.size()) {
    result.diverged = true;
    result.divergence = "diverged at step " + std::to_string(expected.size() + 1) +
                        ": expected the end of the run, got " + model::to_string(got[expected.size()]);
    return result;
  }
  const Trace rerun = make_trace(trace.program, trace.strategy, result.run);
  if (rerun.verdict != trace.verdict || rerun.message != trace.message) {
    result.diverged = true;
    result.divergence = "diverged at the verdict: expected '" + verdict_text(trace.verdict, trace.message) +
                        "', got '" + verdict_text(rerun.verdict, rerun.message) + "'";
  }
  return result;
}

}  // namespace lockstep::check
