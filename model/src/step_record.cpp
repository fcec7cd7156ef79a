#include "lockstep/model/step_record.hpp"

#include <array>
#include <charconv>
#include <stdexcept>

namespace lockstep::model {
namespace {

constexpr std::array<std::string_view, 19> kEventNames{
    "acquire", "release", "try_acquire", "acquire_timeout", "scoped",   "/scoped", "guard_release",
    "yield",   "sleep",   "throw",       "cancel",          "uncancel", "spawn",   "await",
    "gather",  "/try",    "end",         "timeout",         "/timeout"};
constexpr std::array<std::string_view, 12> kResultNames{
    "ok", "cancelled", "error",   "timeout",     "not-acquired", "yes",
    "no", "released",  "skipped", "not-started", "caught-error", "caught-cancelled"};
constexpr std::array<char, 4> kEntryLetters{'t', 'g', 'i', 'r'};
constexpr std::array<std::string_view, 4> kEndNames{"none", "ok", "error", "cancelled"};

// The writers append to one string (no temporaries: explore hashes the text
// of every step of every run).
void append_number(std::string& out, long long value) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
  out.append(digits.data(), end);
}

// Appends "-" for no items, else each item (write(out, index, item)) between separators.
template <class T, class Write>
void append_list(std::string& out, const std::vector<T>& items, std::string_view separator, Write&& write) {
  if (items.empty()) out += '-';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += separator;
    write(out, i, items[i]);
  }
}

void append_entry(std::string& out, const Entry& entry) {
  out += kEntryLetters.at(static_cast<std::size_t>(entry.kind));
  append_number(out, entry.task);
}

void append_event(std::string& out, const Event& event) {
  out += name_of(event.kind);
  if (event.lock >= 0) {
    out += ' ';
    out += lock_name(event.lock);
  }
  if (event.target != 0) {
    out += ' ';
    append_number(out, event.target);
  }
  if (event.kind == EventKind::uncancel || event.value != 0) {
    out += " =";
    append_number(out, event.value);
  }
  out += ' ';
  out += name_of(event.result);
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  if (text.empty()) return parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + separator.size();
  }
}

[[noreturn]] void bad(const std::string& what, const std::string& text) {
  throw std::invalid_argument("bad " + what + " '" + text + "'");
}

long to_number(const std::string& text, const char* what, long low = 0, long high = 1L << 40) {
  long value = 0;
  const char* end = text.data() + text.size();
  auto [at, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || at != end || value < low || value > high) bad(what, text);
  return value;
}

TaskNumber to_task(const std::string& text) {
  return static_cast<TaskNumber>(to_number(text, "task number", 1, static_cast<long>(kMaxTasks)));
}

template <std::size_t N>
std::size_t index_of(const std::array<std::string_view, N>& names, const std::string& text, const char* what) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return i;
  }
  bad(what, text);
}

Entry entry_from(const std::string& text) {
  if (text.size() < 2) bad("queue entry", text);
  for (std::size_t i = 0; i < kEntryLetters.size(); ++i) {
    if (text[0] == kEntryLetters[i]) return {static_cast<EntryKind>(i), to_task(text.substr(1))};
  }
  bad("queue entry", text);
}

std::vector<Entry> parse_entries(const std::string& text) {
  std::vector<Entry> out;
  if (text == "-") return out;
  for (const std::string& part : split(text, ",")) out.push_back(entry_from(part));
  return out;
}

void append_entries(std::string& out, const std::vector<Entry>& entries) {
  append_list(out, entries, ",", [](std::string& o, std::size_t, const Entry& e) { append_entry(o, e); });
}

std::string entries_text(const std::vector<Entry>& entries) {
  std::string out;
  append_entries(out, entries);
  return out;
}

int parse_lock_letter(const std::string& text) {
  if (text.size() != 1 || text[0] < 'a' || text[0] >= static_cast<char>('a' + kMaxLocks)) bad("lock", text);
  return text[0] - 'a';
}

// "cancel 3 yes", "acquire a ok", "uncancel =0 ok", "yield ok"
Event parse_event(const std::string& text) {
  const std::vector<std::string> words = split(text, " ");
  if (words.size() < 2) bad("event", text);
  Event event;
  event.kind = static_cast<EventKind>(index_of(kEventNames, words.front(), "event"));
  event.result = static_cast<Result>(index_of(kResultNames, words.back(), "result"));
  for (std::size_t i = 1; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.size() == 1 && std::isalpha(static_cast<unsigned char>(w[0])) != 0) {
      event.lock = parse_lock_letter(w);
    } else if (w.front() == '=') {
      event.value = static_cast<int>(to_number(w.substr(1), "value", -1000000, 1000000));
    } else {
      event.target = to_task(w);
    }
  }
  return event;
}

void append_task(std::string& out, std::size_t index, const TaskView& task) {
  static constexpr std::array<std::string_view, 4> kStatus{"new", "ready", "parked", "done"};
  append_number(out, static_cast<long long>(index) + 1);
  out += '=';
  out += task.status == TaskStatus::done ? name_of(task.end) : kStatus[static_cast<std::size_t>(task.status)];
  if (task.waits_at) {
    out += ':';
    out += name_of(*task.waits_at);
  }
  if (task.cancelling != 0) {
    out += " c";
    append_number(out, task.cancelling);
  }
}

std::string task_text(std::size_t index, const TaskView& task) {
  std::string out;
  append_task(out, index, task);
  return out;
}

std::optional<OpKind> op_named(const std::string& text) {
  for (int k = 0; k <= static_cast<int>(OpKind::raise_cancelled); ++k) {
    if (name_of(static_cast<OpKind>(k)) == text) return static_cast<OpKind>(k);
  }
  bad("op", text);
}

// "2=parked:acquire c1" (tasks are separated by commas)
TaskView parse_task(const std::string& text, std::size_t expected_index) {
  const std::vector<std::string> words = split(text, " ");
  const std::size_t eq = words.empty() ? std::string::npos : words[0].find('=');
  if (eq == std::string::npos || to_task(words[0].substr(0, eq)) != static_cast<TaskNumber>(expected_index + 1)) {
    bad("task state", text);
  }
  TaskView task;
  const std::string state = words[0].substr(eq + 1);
  const std::size_t colon = state.find(':');
  const std::string status = state.substr(0, colon);
  if (colon != std::string::npos) task.waits_at = op_named(state.substr(colon + 1));
  if (status == "new") {
    task.status = TaskStatus::unspawned;
  } else if (status == "ready") {
    task.status = TaskStatus::ready;
  } else if (status == "parked") {
    task.status = TaskStatus::parked;
  } else {
    task.status = TaskStatus::done;
    task.end = static_cast<TaskEnd>(index_of(kEndNames, status, "task status"));
    if (task.end == TaskEnd::none) bad("task status", text);
  }
  if (words.size() > 2) bad("task state", text);
  if (words.size() == 2) {
    if (words[1].size() < 2 || words[1][0] != 'c') bad("cancelling count", text);
    task.cancelling = static_cast<int>(to_number(words[1].substr(1), "cancelling count", 1, 1000000));
  }
  return task;
}

void append_lock(std::string& out, std::size_t index, const LockView& lock) {
  out += lock_name(static_cast<int>(index));
  out += '=';
  if (!lock.locked) {
    out += "free";
  } else {
    out += "held";
  }
  if (lock.holder) {  // a free lock with a holder is inconsistent, but shown
    out += '(';
    append_number(out, *lock.holder);
    out += ')';
  } else if (lock.locked) {
    out += "(-)";
  }
  out += '[';
  for (std::size_t i = 0; i < lock.waiters.size(); ++i) {
    if (i != 0) out += ',';
    append_number(out, lock.waiters[i].task);
    if (lock.waiters[i].state == WaiterState::woken) out += 'w';
    if (lock.waiters[i].state == WaiterState::cancelled) out += 'x';
  }
  out += ']';
}

std::string events_text(const std::vector<Event>& events) {
  std::string out;
  append_list(out, events, ", ", [](std::string& o, std::size_t, const Event& e) { append_event(o, e); });
  return out;
}

std::string lock_text(std::size_t index, const LockView& lock) {
  std::string out;
  append_lock(out, index, lock);
  return out;
}

// "a=held(1)[2,3w,4x]"
LockView parse_lock(const std::string& text, std::size_t expected_index) {
  const std::size_t open = text.find('[');
  if (text.size() < 4 || text[1] != '=' || open == std::string::npos || text.back() != ']' ||
      parse_lock_letter(text.substr(0, 1)) != static_cast<int>(expected_index)) {
    bad("lock state", text);
  }
  LockView lock;
  const std::string state = text.substr(2, open - 2);
  if (state.rfind("free(", 0) == 0 && state.back() == ')') {
    lock.holder = to_task(state.substr(5, state.size() - 6));
  } else if (state != "free") {
    if (state.rfind("held(", 0) != 0 || state.back() != ')') bad("lock state", text);
    lock.locked = true;
    const std::string holder = state.substr(5, state.size() - 6);
    if (holder != "-") lock.holder = to_task(holder);
  }
  for (std::string w : split(text.substr(open + 1, text.size() - open - 2), ",")) {
    Waiter waiter;
    if (!w.empty() && (w.back() == 'w' || w.back() == 'x')) {
      waiter.state = w.back() == 'w' ? WaiterState::woken : WaiterState::cancelled;
      w.pop_back();
    }
    waiter.task = to_task(w);
    lock.waiters.push_back(waiter);
  }
  return lock;
}

void append_timer(std::string& out, std::size_t, const TimerView& timer) {
  append_number(out, timer.deadline);
  out += ":t";
  append_number(out, timer.task);
}

std::string timers_text(const std::vector<TimerView>& timers) {
  std::string out;
  append_list(out, timers, ",", append_timer);
  return out;
}

TimerView parse_timer(const std::string& text) {
  const std::size_t colon = text.find(":t");
  if (colon == std::string::npos) bad("timer", text);
  return {to_number(text.substr(0, colon), "deadline"), to_task(text.substr(colon + 2))};
}

template <class T, class Parse>
std::vector<T> parse_list(const std::string& text, const std::string& separator, Parse&& parse) {
  std::vector<T> out;
  if (text == "-") return out;
  for (const std::string& part : split(text, separator)) out.push_back(parse(part, out.size()));
  return out;
}

}  // namespace

std::string_view name_of(EventKind kind) { return kEventNames.at(static_cast<std::size_t>(kind)); }
std::string_view name_of(Result result) { return kResultNames.at(static_cast<std::size_t>(result)); }
std::string_view name_of(TaskEnd end) { return kEndNames.at(static_cast<std::size_t>(end)); }

Entry parse_entry(const std::string& text) { return entry_from(text); }

std::string to_string(const Entry& entry) {
  std::string out;
  append_entry(out, entry);
  return out;
}

std::string to_string(const Event& event) {
  std::string out;
  append_event(out, event);
  return out;
}

void append_text(std::string& out, const StepRecord& step) {
  out += '@';
  append_number(out, step.now);
  out += ' ';
  append_entries(out, step.ready);
  out += " #";
  append_number(out, static_cast<long long>(step.picked));
  out += ": ";
  append_list(out, step.events, ", ", [](std::string& o, std::size_t, const Event& e) { append_event(o, e); });
  out += " => ";
  append_entries(out, step.queue);
  out += " | ";
  append_list(out, step.tasks, ",", append_task);
  out += " | ";
  append_list(out, step.locks, " ", append_lock);
  out += " | ";
  append_list(out, step.timers, ",", append_timer);
}

std::string to_string(const StepRecord& step) {
  std::string out;
  append_text(out, step);
  return out;
}

StepRecord parse_step_record(const std::string& line) {
  // "@N READY #I: EVENTS => QUEUE | TASKS | LOCKS | TIMERS"
  const std::size_t colon = line.find(": ");
  const std::size_t arrow = line.find(" => ");
  if (line.empty() || line[0] != '@' || colon == std::string::npos || arrow == std::string::npos || arrow < colon) {
    throw std::invalid_argument("not a step record: '" + line + "'");
  }
  StepRecord step;
  const std::vector<std::string> head = split(line.substr(1, colon - 1), " ");
  if (head.size() != 3 || head[2].size() < 2 || head[2][0] != '#')
    throw std::invalid_argument("bad step header in '" + line + "'");
  step.now = to_number(head[0], "time");
  step.ready = parse_entries(head[1]);
  step.picked = static_cast<std::uint32_t>(to_number(head[2].substr(1), "pick", 0, 1000000));
  if (step.picked >= step.ready.size()) throw std::invalid_argument("pick out of range in '" + line + "'");
  const std::string events = line.substr(colon + 2, arrow - colon - 2);
  if (events != "-") {
    for (const std::string& e : split(events, ", ")) step.events.push_back(parse_event(e));
  }
  const std::vector<std::string> after = split(line.substr(arrow + 4), " | ");
  if (after.size() != 4) throw std::invalid_argument("expected 'QUEUE | TASKS | LOCKS | TIMERS' in '" + line + "'");
  step.queue = parse_entries(after[0]);
  step.tasks = parse_list<TaskView>(after[1], ",", parse_task);
  step.locks = parse_list<LockView>(after[2], " ", parse_lock);
  step.timers = parse_list<TimerView>(after[3], ",", [](const std::string& t, std::size_t) { return parse_timer(t); });
  return step;
}

}  // namespace lockstep::model

namespace lockstep::model {

std::string first_difference(const StepRecord& expected, const StepRecord& got) {
  auto differ = [](const char* field, const std::string& e, const std::string& g) {
    return std::string(field) + ": expected " + e + ", got " + g;
  };
  const std::string e = to_string(expected);
  const std::string g = to_string(got);
  if (e == g) return "";
  if (expected.now != got.now) return differ("clock", std::to_string(expected.now), std::to_string(got.now));
  if (expected.ready != got.ready) return differ("ready queue", entries_text(expected.ready), entries_text(got.ready));
  if (expected.events != got.events) {
    return differ("events", events_text(expected.events), events_text(got.events));
  }
  if (expected.queue != got.queue) return differ("queue after", entries_text(expected.queue), entries_text(got.queue));
  for (std::size_t i = 0; i < expected.tasks.size() && i < got.tasks.size(); ++i) {
    if (expected.tasks[i] != got.tasks[i])
      return differ("task", task_text(i, expected.tasks[i]), task_text(i, got.tasks[i]));
  }
  for (std::size_t i = 0; i < expected.locks.size() && i < got.locks.size(); ++i) {
    if (expected.locks[i] != got.locks[i])
      return differ("lock", lock_text(i, expected.locks[i]), lock_text(i, got.locks[i]));
  }
  if (expected.timers != got.timers) {
    return differ("timers", timers_text(expected.timers), timers_text(got.timers));
  }
  return differ("step", e, g);
}

}  // namespace lockstep::model
