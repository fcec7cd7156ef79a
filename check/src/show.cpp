#include "lockstep/check/show.hpp"

#include <algorithm>
#include <sstream>

#include "show_svg.hpp"
#include "timeline.hpp"

namespace lockstep::check {
namespace {

// "a:t1" per held lock, "-" when none is held.
std::string holders_of(const model::StepRecord& step) {
  std::string out;
  for (std::size_t l = 0; l < step.locks.size(); ++l) {
    const model::LockView& lock = step.locks[l];
    if (!lock.locked) continue;
    out += (out.empty() ? "" : " ") + std::string(1, model::lock_name(static_cast<int>(l))) + ":";
    out += lock.holder ? "t" + std::to_string(*lock.holder) : std::string("?");
  }
  return out.empty() ? "-" : out;
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() > width) text = text.substr(0, width - 1) + "+";
  text.resize(width, ' ');
  return text;
}

}  // namespace

std::string timeline_text(const Trace& trace) {
  const std::size_t tasks = trace.program.tasks.size();
  std::size_t width = 8;
  for (const auto& step : trace.steps) width = std::max(width, detail::step_label(step).size() + 2);
  width = std::min<std::size_t>(width, 48);
  std::ostringstream out;
  out << pad("step", 6) << pad("time", 7);
  for (std::size_t t = 1; t <= tasks; ++t) out << pad("t" + std::to_string(t), width);
  out << "holders\n";
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    const auto& step = trace.steps[i];
    out << pad(std::to_string(i + 1), 6) << pad(std::to_string(step.now) + "s", 7);
    for (std::size_t t = 1; t <= tasks; ++t) {
      const bool ran = step.ran().task == static_cast<int>(t);
      out << pad(ran ? detail::step_label(step) : ".", width);
    }
    out << holders_of(step) << "\n";
  }
  out << "(~op: suspended at op; [g] [i] [r]: a loop callback serving that task (gather, wait_for t<=0); "
         "holders after the step; ? = held by try_acquire)\n";
  out << "verdict: " << (trace.verdict == FailureKind::none ? "pass" : std::string(name_of(trace.verdict))) << "\n";
  return out.str();
}

std::string timeline_svg(const Trace& trace) { return detail::draw_svg(trace, detail::build_timeline(trace)); }

}  // namespace lockstep::check
