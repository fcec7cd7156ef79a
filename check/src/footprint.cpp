#include "footprint.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace lockstep::check {
namespace {

using model::EventKind;
using model::OpKind;

unsigned bit(int task) { return 1U << static_cast<unsigned>(task); }

bool waits_on_lock(OpKind op) { return op == OpKind::acquire || op == OpKind::scoped || op == OpKind::acquire_timeout; }

bool arms_timer(const model::Event& e) {
  return e.kind == EventKind::sleep || e.kind == EventKind::acquire_timeout || e.kind == EventKind::end ||
         e.kind == EventKind::timeout_enter || e.kind == EventKind::timeout_exit ||
         (e.kind == EventKind::cancel && e.result == model::Result::yes);
}

// Waiting here, the task has a timer armed or callbacks queued of its own.
bool waits_on_time(OpKind op) { return op == OpKind::sleep || op == OpKind::acquire_timeout || op == OpKind::timeout; }

}  // namespace

Footprint footprint_of(const model::StepRecord& step) {
  Footprint fp;
  fp.entry = step.ran();
  if (fp.entry.kind != model::EntryKind::task) fp.tasks |= bit(fp.entry.task);
  fp.enqueues = step.queue.size() + 1 > step.ready.size();
  for (const model::Event& e : step.events) {
    if (e.lock >= 0) fp.locks |= bit(e.lock);
    if (e.target != 0) fp.tasks |= bit(e.target);
    if (arms_timer(e)) fp.everything = true;
  }
  const auto at = static_cast<std::size_t>(fp.entry.task) - 1;
  if (at < step.tasks.size()) {
    const model::TaskView& self = step.tasks[at];
    if (self.status == model::TaskStatus::done) fp.everything = true;          // joiners, gathers
    if (self.waits_at && waits_on_lock(*self.waits_at)) fp.locks = ~0U;        // it may have queued on any lock
    if (self.waits_at && waits_on_time(*self.waits_at)) fp.everything = true;  // armed a timer
  }
  return fp;
}

namespace {

bool observes_finishes(const std::vector<model::Op>& ops) {
  return std::any_of(ops.begin(), ops.end(), [](const model::Op& op) {
    switch (op.kind) {
      case OpKind::await_:
      case OpKind::gather:
      case OpKind::cancel:
      case OpKind::spawn:
      case OpKind::sleep:
      case OpKind::acquire_timeout:
      case OpKind::timeout:
        return true;
      default:
        return observes_finishes(op.body);
    }
  });
}

}  // namespace

bool finishes_unobserved(const model::Program& program) {
  return std::none_of(program.tasks.begin(), program.tasks.end(),
                      [](const model::TaskProgram& task) { return observes_finishes(task.ops); });
}

bool independent(const Footprint& a, const Footprint& b, QueueOrder order) {
  if (a.entry.task == b.entry.task || a.everything || b.everything) return false;
  if ((a.locks & b.locks) != 0) return false;
  if (order == QueueOrder::matters && a.enqueues && b.enqueues) return false;
  // Two steps that touch one task (two `uncancel K` read and lower K's count
  // in turn; `cancel K` says no before `spawn K` and yes after) do not commute.
  if ((a.tasks & b.tasks) != 0) return false;
  return (a.tasks & bit(b.entry.task)) == 0 && (b.tasks & bit(a.entry.task)) == 0;
}

std::string to_string(const Footprint& fp) {
  return model::to_string(fp.entry) + "/" + std::to_string(fp.locks) + "/" + std::to_string(fp.tasks) + "/" +
         (fp.enqueues ? "Q" : "-") + (fp.everything ? "E" : "-");
}

Footprint parse_footprint(const std::string& text) {
  // "t3/1/12/Q-"
  const std::size_t a = text.find('/');
  const std::size_t b = a == std::string::npos ? a : text.find('/', a + 1);
  const std::size_t c = b == std::string::npos ? b : text.find('/', b + 1);
  if (c == std::string::npos || text.size() != c + 3) throw std::invalid_argument("bad footprint '" + text + "'");
  Footprint fp;
  fp.entry = model::parse_entry(text.substr(0, a));
  auto number = [&](std::size_t from, std::size_t to) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data() + from, text.data() + to, value);
    if (error != std::errc{} || end != text.data() + to || from == to)
      throw std::invalid_argument("bad footprint '" + text + "'");
    return value;
  };
  fp.locks = number(a + 1, b);
  fp.tasks = number(b + 1, c);
  if ((text[c + 1] != 'Q' && text[c + 1] != '-') || (text[c + 2] != 'E' && text[c + 2] != '-')) {
    throw std::invalid_argument("bad footprint '" + text + "'");
  }
  fp.enqueues = text[c + 1] == 'Q';
  fp.everything = text[c + 2] == 'E';
  return fp;
}

}  // namespace lockstep::check
