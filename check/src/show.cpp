#include "lockstep/check/show.hpp"

#include <algorithm>
#include <optional>
#include <sstream>

namespace lockstep::check {
namespace {

bool is_lock_wait(const std::string& op) { return op == "acquire" || op == "scoped" || op == "acquire_timeout"; }

std::string holder_of(const model::StepRecord& step) {
  if (!step.locked) return "-";
  return step.holder ? "t" + std::to_string(*step.holder) : "?";
}

std::string join_events(const model::StepRecord& step) {
  std::string out;
  for (const auto& e : step.events) out += (out.empty() ? "" : ", ") + e;
  if (!step.waits_at.empty()) out += (out.empty() ? "" : " ") + std::string("~") + step.waits_at;
  return out.empty() ? "(ends)" : out;
}

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
  out << "holder\n";
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    const auto& step = trace.steps[i];
    out << pad(std::to_string(i + 1), 6) << pad(std::to_string(step.now) + "s", 7);
    for (std::size_t t = 1; t <= tasks; ++t) {
      const bool ran = step.task == static_cast<int>(t);
      out << pad(ran ? join_events(step) : ".", width);
    }
    out << holder_of(step) << "\n";
  }
  out << "(~op: suspended at op; holder after the step; ? = held, acquired outside a task's acquire)\n";
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
  std::vector<std::optional<int>> waiting_since(static_cast<std::size_t>(tasks) + 1);
  for (int i = 0; i < steps; ++i) {
    const auto& step = trace.steps[static_cast<std::size_t>(i)];
    const int x = left + col * i;
    // The step itself: a tick in the lane of the task that ran.
    svg << "<rect x=\"" << x + 2 << "\" y=\"" << lane_y(step.task) + 4 << "\" width=\"" << col - 4
        << "\" height=\"6\" fill=\"#888\"><title>step " << i + 1 << " @" << step.now << "s: "
        << escape(join_events(step)) << "</title></rect>\n";
    // Holding: a bar in the holder's lane until the next step.
    if (step.locked && step.holder) {
      svg << "<rect x=\"" << x << "\" y=\"" << lane_y(*step.holder) + 12 << "\" width=\"" << col
          << "\" height=\"14\" fill=\"#3a7bd5\"/>\n";
    } else if (step.locked) {
      svg << "<rect x=\"" << x << "\" y=\"" << top - 8 << "\" width=\"" << col << "\" height=\"4\" fill=\"#3a7bd5\"/>\n";
    }
    // Waiting for the lock: hatching from the suspension to the next step of that task.
    waiting_since[static_cast<std::size_t>(step.task)].reset();
    if (is_lock_wait(step.waits_at)) waiting_since[static_cast<std::size_t>(step.task)] = i;
    for (int t = 1; t <= tasks; ++t) {
      if (waiting_since[static_cast<std::size_t>(t)] && !(step.task == t && step.locked && step.holder == t)) {
        svg << "<rect x=\"" << x + (step.task == t ? col / 2 : 0) << "\" y=\"" << lane_y(t) + 12 << "\" width=\""
            << (step.task == t ? col / 2 : col) << "\" height=\"14\" fill=\"url(#wait)\"/>\n";
      }
    }
    for (const std::string& e : step.events) {
      const int mx = x + col / 2;
      const int my = lane_y(step.task) + 19;
      if (e == "throw") {
        svg << "<text x=\"" << mx - 4 << "\" y=\"" << my + 5 << "\" fill=\"#c00\" font-size=\"16\">x<title>throw</title></text>\n";
      } else if (e.find("!cancelled") != std::string::npos || e == "end=cancelled") {
        svg << "<circle cx=\"" << mx << "\" cy=\"" << my << "\" r=\"6\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\"><title>"
            << escape(e) << "</title></circle>\n";
      }
    }
    svg << "<text x=\"" << x + 2 << "\" y=\"" << top + lane * tasks + 14 << "\" fill=\"#666\">" << i + 1 << "</text>\n";
  }
  svg << "<text x=\"" << left << "\" y=\"" << height - 12 << "\" fill=\"#444\">blue: holds the lock; hatched: waits for it; "
         "x: throws; o: cancelled. Hover a step for its events.</text>\n";
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace lockstep::check
