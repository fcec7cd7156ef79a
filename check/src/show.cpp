#include "lockstep/check/show.hpp"

#include <algorithm>
#include <optional>
#include <sstream>

namespace lockstep::check {
namespace {

using model::EventKind;
using model::OpKind;

bool is_lock_wait(std::optional<OpKind> op) {
  return op && (*op == OpKind::acquire || *op == OpKind::scoped || *op == OpKind::acquire_timeout);
}

// "a:t1" per held lock, "-" when none is held.
std::string holders_of(const model::StepRecord& step) {
  std::string out;
  for (std::size_t l = 0; l < step.locks.size(); ++l) {
    if (!step.locks[l].locked) continue;
    out += (out.empty() ? "" : " ") + std::string(1, model::lock_name(static_cast<int>(l))) + ":" +
           (step.locks[l].holder ? "t" + std::to_string(*step.locks[l].holder) : std::string("?"));
  }
  return out.empty() ? "-" : out;
}

// The ran entry's column: its events, then where the task now waits.
std::string join_events(const model::StepRecord& step) {
  std::string out;
  const model::Entry ran = step.ran();
  if (ran.kind != model::EntryKind::task) out = "[" + model::to_string(ran).substr(0, 1) + "]";
  for (const auto& e : step.events) out += (out.empty() ? "" : ", ") + model::to_string(e);
  const auto at = static_cast<std::size_t>(ran.task) - 1;
  if (ran.kind == model::EntryKind::task && at < step.tasks.size() && step.tasks[at].waits_at) {
    out += (out.empty() ? "" : " ") + std::string("~") + std::string(model::name_of(*step.tasks[at].waits_at));
  }
  return out.empty() ? "(no events)" : out;
}

bool in_range(int task, int tasks) { return task >= 1 && task <= tasks; }

std::string pad(std::string text, std::size_t width) {
  if (text.size() > width) text = text.substr(0, width - 1) + "+";
  text.resize(width, ' ');
  return text;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

}  // namespace

std::string timeline_text(const Trace& trace) {
  const std::size_t tasks = trace.program.tasks.size();
  std::size_t width = 8;
  for (const auto& step : trace.steps) width = std::max(width, join_events(step).size() + 2);
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
      out << pad(ran ? join_events(step) : ".", width);
    }
    out << holders_of(step) << "\n";
  }
  out << "(~op: suspended at op; [g] [i] [r]: a loop callback serving that task (gather, wait_for t<=0); "
         "holders after the step; ? = held by try_acquire)\n";
  out << "verdict: " << (trace.verdict == FailureKind::none ? "pass" : std::string(name_of(trace.verdict))) << "\n";
  return out.str();
}

std::string timeline_svg(const Trace& trace) {
  const int tasks = static_cast<int>(trace.program.tasks.size());
  const int steps = static_cast<int>(trace.steps.size());
  const int left = 60, top = 40, lane = 36, col = 44;
  const int width = std::max(left + col * std::max(steps, 1) + 20, 720);
  const int height = top + lane * tasks + 60;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"monospace\" font-size=\"11\">\n"
      << "<defs><pattern id=\"wait\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff7e0\"/>"
         "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d9a400\" stroke-width=\"2\"/></pattern></defs>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left << "\" y=\"16\" font-size=\"13\">" << escape(trace.strategy) << " - "
      << escape(trace.verdict == FailureKind::none ? "pass" : std::string(name_of(trace.verdict))) << "</text>\n";
  auto lane_y = [&](int task) { return top + lane * (task - 1); };
  for (int t = 1; t <= tasks; ++t) {
    svg << "<text x=\"8\" y=\"" << lane_y(t) + lane / 2 + 4 << "\">t" << t << "</text>\n"
        << "<line x1=\"" << left << "\" y1=\"" << lane_y(t) + lane - 2 << "\" x2=\"" << width - 20 << "\" y2=\""
        << lane_y(t) + lane - 2 << "\" stroke=\"#ddd\"/>\n";
  }
  for (int i = 0; i < steps; ++i) {
    const auto& step = trace.steps[static_cast<std::size_t>(i)];
    const int x = left + col * i;
    const int task = step.ran().task;
    if (!in_range(task, tasks)) continue;  // parse_trace refuses these; stay safe anyway
    svg << "<rect x=\"" << x + 2 << "\" y=\"" << lane_y(task) + 4 << "\" width=\"" << col - 4
        << "\" height=\"6\" fill=\"" << (step.ran().kind == model::EntryKind::task ? "#888" : "#bbb")
        << "\"><title>step " << i + 1 << " @" << step.now << "s: " << escape(join_events(step)) << "</title></rect>\n";
    for (const model::LockView& l : step.locks) {
      if (l.locked && l.holder && in_range(*l.holder, tasks)) {
        svg << "<rect x=\"" << x << "\" y=\"" << lane_y(*l.holder) + 12 << "\" width=\"" << col
            << "\" height=\"14\" fill=\"#3a7bd5\"/>\n";
      }
    }
    for (int t = 1; t <= tasks && static_cast<std::size_t>(t) <= step.tasks.size(); ++t) {
      const model::TaskView& view = step.tasks[static_cast<std::size_t>(t) - 1];
      if (view.status != model::TaskStatus::done && is_lock_wait(view.waits_at)) {
        svg << "<rect x=\"" << x << "\" y=\"" << lane_y(t) + 12 << "\" width=\"" << col
            << "\" height=\"14\" fill=\"url(#wait)\"/>\n";
      }
    }
    for (const model::Event& e : step.events) {
      const int mx = x + col / 2;
      const int my = lane_y(task) + 19;
      if (e.kind == EventKind::throw_) {
        svg << "<text x=\"" << mx - 4 << "\" y=\"" << my + 5 << "\" fill=\"#c00\" font-size=\"16\">x<title>throw</title></text>\n";
      } else if (e.result == model::Result::cancelled || e.result == model::Result::timeout) {
        svg << "<circle cx=\"" << mx << "\" cy=\"" << my << "\" r=\"6\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\"><title>"
            << escape(model::to_string(e)) << "</title></circle>\n";
      }
    }
    svg << "<text x=\"" << x + 2 << "\" y=\"" << top + lane * tasks + 14 << "\" fill=\"#666\">" << i + 1 << "</text>\n";
  }
  svg << "<text x=\"" << left << "\" y=\"" << height - 12 << "\" fill=\"#444\">blue: holds a lock; hatched: waits for one; "
         "x: throws; o: cancelled or timed out. Hover a step for its events.</text>\n";
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace lockstep::check
