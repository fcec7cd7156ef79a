#include "footprint.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace lockstep::check {
namespace {

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

bool is_lock_op(const std::string& name) {
  return name == "acquire" || name == "scoped" || name == "acquire_timeout";
}

bool touches(const Footprint& a, int task) { return std::find(a.tasks.begin(), a.tasks.end(), task) != a.tasks.end(); }

}  // namespace

Footprint footprint_of(const model::StepRecord& step) {
  Footprint fp;
  fp.task = step.task;
  for (const std::string& event : step.events) {
    if (starts_with(event, "acquire") || starts_with(event, "release") || starts_with(event, "try_acquire") ||
        starts_with(event, "scoped") || starts_with(event, "/scoped")) {
      fp.lock = true;
    } else if (starts_with(event, "cancel ") || starts_with(event, "spawn ")) {
      fp.tasks.push_back(std::stoi(event.substr(event.find(' ') + 1)));
    }
  }
  if (is_lock_op(step.waits_at)) fp.lock = true;  // it queued on the lock
  if (step.waits_at == "sleep" || step.waits_at == "acquire_timeout") fp.everything = true;  // armed a timer
  return fp;
}

bool independent(const Footprint& a, const Footprint& b) {
  if (a.task == b.task || a.everything || b.everything) return false;
  if (a.lock && b.lock) return false;
  return !touches(a, b.task) && !touches(b, a.task);
}

std::string to_string(const Footprint& fp) {
  std::string out = std::to_string(fp.task) + (fp.lock ? "L" : "") + (fp.everything ? "E" : "");
  for (int t : fp.tasks) out += "." + std::to_string(t);
  return out;
}

Footprint parse_footprint(const std::string& text) {
  Footprint fp;
  std::size_t at = 0;
  while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) ++at;
  if (at == 0) throw std::invalid_argument("bad footprint '" + text + "'");
  fp.task = std::stoi(text.substr(0, at));
  if (at < text.size() && text[at] == 'L') fp.lock = true, ++at;
  if (at < text.size() && text[at] == 'E') fp.everything = true, ++at;
  while (at < text.size()) {
    if (text[at] != '.') throw std::invalid_argument("bad footprint '" + text + "'");
    const std::size_t start = ++at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) ++at;
    if (at == start) throw std::invalid_argument("bad footprint '" + text + "'");
    fp.tasks.push_back(std::stoi(text.substr(start, at - start)));
  }
  return fp;
}

}  // namespace lockstep::check
