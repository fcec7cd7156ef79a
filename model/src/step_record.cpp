#include "lockstep/model/step_record.hpp"

#include <sstream>
#include <stdexcept>

namespace lockstep::model {
namespace {

template <class T, class F>
std::string join(const std::vector<T>& items, const char* separator, F&& show) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += separator;
    out += show(items[i]);
  }
  return out;
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

long to_number(const std::string& text, const char* what) {
  std::size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < 0) {
    throw std::invalid_argument(std::string("bad ") + what + " '" + text + "'");
  }
  return value;
}

std::string expect_prefix(const std::string& text, const std::string& prefix, const char* what) {
  if (text.rfind(prefix, 0) != 0) throw std::invalid_argument(std::string("expected ") + what + " in '" + text + "'");
  return text.substr(prefix.size());
}

}  // namespace

std::string to_string(const StepRecord& step) {
  std::string out = "@" + std::to_string(step.now) + " ready=" +
                    join(step.ready, ",", [](TaskNumber t) { return std::to_string(t); }) + " t" +
                    std::to_string(step.task) + ": " + join(step.events, ", ", [](const std::string& e) { return e; }) +
                    " -> " + (step.waits_at.empty() ? std::string("done") : "waits " + step.waits_at) + " | " +
                    (step.locked ? "locked" : "free");
  if (step.holder) out += " holder=" + std::to_string(*step.holder);
  out += " live=" + std::to_string(step.live_waiters);
  return out;
}

StepRecord parse_step_record(const std::string& line) {
  StepRecord step;
  // "@N ready=A,B tK: E1, E2 -> (done|waits OP) | (locked|free)[ holder=H] live=L"
  const std::size_t arrow = line.find(" -> ");
  const std::size_t bar = line.rfind(" | ");
  const std::size_t colon = line.find(": ");
  if (arrow == std::string::npos || bar == std::string::npos || colon == std::string::npos || !(colon < arrow) ||
      !(arrow < bar)) {
    throw std::invalid_argument("not a step record: '" + line + "'");
  }
  std::istringstream head(line.substr(0, colon));
  std::string at, ready, task;
  if (!(head >> at >> ready >> task)) throw std::invalid_argument("bad step header in '" + line + "'");
  step.now = to_number(expect_prefix(at, "@", "'@time'"), "time");
  for (const std::string& t : split(expect_prefix(ready, "ready=", "'ready='"), ",")) {
    step.ready.push_back(static_cast<TaskNumber>(to_number(t, "task number")));
  }
  step.task = static_cast<TaskNumber>(to_number(expect_prefix(task, "t", "'t<task>'"), "task number"));
  step.events = split(line.substr(colon + 2, arrow - colon - 2), ", ");
  const std::string where = line.substr(arrow + 4, bar - arrow - 4);
  if (where != "done") step.waits_at = expect_prefix(where, "waits ", "'done' or 'waits <op>'");
  std::istringstream tail(line.substr(bar + 3));
  std::string state, field;
  tail >> state;
  if (state != "locked" && state != "free") throw std::invalid_argument("expected 'locked' or 'free' in '" + line + "'");
  step.locked = state == "locked";
  bool saw_live = false;
  while (tail >> field) {
    if (field.rfind("holder=", 0) == 0) {
      step.holder = static_cast<TaskNumber>(to_number(field.substr(7), "holder"));
    } else if (field.rfind("live=", 0) == 0) {
      step.live_waiters = static_cast<std::size_t>(to_number(field.substr(5), "live waiter count"));
      saw_live = true;
    } else {
      throw std::invalid_argument("unexpected '" + field + "' in '" + line + "'");
    }
  }
  if (!saw_live) throw std::invalid_argument("missing 'live=' in '" + line + "'");
  return step;
}

}  // namespace lockstep::model
