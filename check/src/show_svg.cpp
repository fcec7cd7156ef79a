#include "show_svg.hpp"

#include <algorithm>
#include <sstream>

namespace lockstep::check::detail {
namespace {

constexpr int kLeft = 64;  // the task names
constexpr int kLineHeight = 13;
constexpr int kMaxLines = 6;  // label lines per step; more become "+N more"
constexpr int kBarRow = 12;   // one per lock, at the bottom of a lane
constexpr int kStuckColumn = 130;
constexpr double kCharWidth = 6.7;

const char* const kHold = "#3a7bd5";
const char* const kFail = "#d62828";

// Where everything goes: columns per step (wider for longer labels), gaps
// where virtual time jumps, lanes tall enough for the longest label.
struct Layout {
  std::vector<int> x, width, gap;  // per step; gap: before the step
  int lines = 1;
  int lane = 0;
  int top = 0;
  int right = 0;                     // where the last step's column ends
  std::vector<std::string> message;  // the verdict message, wrapped

  int lane_y(int task) const { return top + lane * (task - 1); }
  int bar_y(int task, int lock, int locks) const { return lane_y(task) + lane - 6 - kBarRow * (locks - lock); }
  int end(int step) const { return x[static_cast<std::size_t>(step)] + width[static_cast<std::size_t>(step)]; }
};

std::vector<std::string> wrap(const std::string& text, std::size_t width, std::size_t max_lines) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size() && out.size() < max_lines; at += width)
    out.push_back(text.substr(at, width));
  if (out.size() == max_lines && max_lines * width < text.size()) out.back() += "...";
  return out;
}

Layout layout(const Trace& trace, const Timeline& t) {
  Layout l;
  const std::string broken = t.verdict == "pass" ? "" : "broken invariant: " + t.verdict + ": " + t.message;
  l.message = wrap(broken, 150, 4);
  l.top = 44 + kLineHeight * static_cast<int>(l.message.size());
  for (const auto& lines : t.labels)
    l.lines = std::max(l.lines, std::min<int>(static_cast<int>(lines.size()), kMaxLines));
  l.lane = 12 + kLineHeight * l.lines + kBarRow * t.locks + 8;
  int x = kLeft;
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    std::size_t longest = 4;
    for (const auto& line : t.labels[i]) longest = std::max(longest, line.size());
    const long jump = i == 0 ? 0 : trace.steps[i].now - trace.steps[i - 1].now;
    const int gap = jump > 0 ? static_cast<int>(std::clamp<long>(jump * 20, 36, 160)) : 0;
    const int width = std::clamp(static_cast<int>(static_cast<double>(longest) * kCharWidth) + 30, 60, 340);
    x += gap;
    l.gap.push_back(gap);
    l.x.push_back(x);
    l.width.push_back(width);
    x += width;
  }
  l.right = x;
  return l;
}

void header(std::ostream& svg, const Trace& trace, const Timeline& t, const Layout& l, int width, int height) {
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"11\">\n"
      << "<defs><pattern id=\"wait\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff7e0\"/>"
         "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d9a400\" stroke-width=\"2\"/></pattern>"
         "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
         "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#2a9d3a\"/></marker></defs>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">" << xml_escape(trace.strategy) << ": "
      << xml_escape(t.verdict) << " (" << trace.steps.size() << " steps, " << t.tasks << " tasks)</text>\n";
  for (std::size_t i = 0; i < l.message.size(); ++i) {
    svg << "<text x=\"8\" y=\"" << 34 + kLineHeight * static_cast<int>(i) << "\" fill=\"" << kFail << "\">"
        << xml_escape(l.message[i]) << "</text>\n";
  }
}

void lanes(std::ostream& svg, const Timeline& t, const Layout& l, int width) {
  for (int task = 1; task <= t.tasks; ++task) {
    svg << "<rect x=\"0\" y=\"" << l.lane_y(task) << "\" width=\"" << width << "\" height=\"" << l.lane << "\" fill=\""
        << (task % 2 == 1 ? "#f3f6fa" : "#ffffff") << "\"/>\n"
        << "<text x=\"8\" y=\"" << l.lane_y(task) + 16 << "\" font-size=\"13\" font-weight=\"bold\">t" << task
        << "</text>\n";
  }
  if (t.failing_step < 0) return;
  const auto f = static_cast<std::size_t>(t.failing_step);
  svg << "<rect x=\"" << l.x[f] << "\" y=\"" << l.top - 4 << "\" width=\"" << l.width[f] << "\" height=\""
      << l.lane * t.tasks + 8 << "\" fill=\"#fde2e2\" fill-opacity=\"0.8\" stroke=\"" << kFail
      << "\" stroke-width=\"2\"/>\n"
      << "<text x=\"" << l.x[f] + 2 << "\" y=\"" << l.top - 7 << "\" fill=\"" << kFail
      << "\" font-weight=\"bold\">failing step " << t.failing_step + 1 << "</text>\n";
}

void labels(std::ostream& svg, const Trace& trace, const Timeline& t, const Layout& l) {
  for (std::size_t i = 0; i < t.labels.size(); ++i) {
    const int task = t.lane[i];
    if (task < 1 || task > t.tasks) continue;  // parse_trace refuses these; stay safe anyway
    const bool callback = trace.steps[i].ran().kind != model::EntryKind::task;
    const auto& lines = t.labels[i];
    for (std::size_t k = 0; k < lines.size() && k < static_cast<std::size_t>(kMaxLines); ++k) {
      std::string text = lines[k];
      if (k + 1 == static_cast<std::size_t>(kMaxLines) && lines.size() > k + 1) {
        text = "+" + std::to_string(lines.size() - k) + " more";
      }
      svg << "<text x=\"" << l.x[i] + 4 << "\" y=\"" << l.lane_y(task) + 14 + kLineHeight * static_cast<int>(k)
          << "\" fill=\""
          << (callback         ? "#777"
              : text[0] == '~' ? "#8a5a00"
                               : "#111")
          << "\">" << xml_escape(text) << "</text>\n";
    }
    svg << "<line x1=\"" << l.x[i] << "\" y1=\"" << l.lane_y(task) + 2 << "\" x2=\"" << l.x[i] << "\" y2=\""
        << l.lane_y(task) + l.lane - 2 << "\" stroke=\"#999\"/>\n";
  }
}

void spans(std::ostream& svg, const Timeline& t, const Layout& l) {
  for (const TimelineSpan& s : t.spans) {
    if (s.task < 1 || s.task > t.tasks) continue;
    const int y = l.bar_y(s.task, s.lock, t.locks);
    const std::string lock(1, model::lock_name(s.lock));
    if (s.instant) {
      const int cx = l.x[static_cast<std::size_t>(s.first)] + l.width[static_cast<std::size_t>(s.first)] - 14;
      svg << "<rect x=\"" << cx << "\" y=\"" << y - 2 << "\" width=\"10\" height=\"" << kBarRow + 2 << "\" fill=\""
          << kHold << "\" stroke=\"#000\"><title>holds " << lock << " within step " << s.first + 1
          << "</title></rect>\n";
      continue;
    }
    const int x0 = l.x[static_cast<std::size_t>(s.first)];
    // Taken during step `first`, given up during step last + 1: the bar ends inside that step's column.
    const auto next = static_cast<std::size_t>(s.last) + 1;
    const int x1 = next < l.x.size() ? l.x[next] + l.width[next] / 2 : l.end(s.last);
    svg << "<rect x=\"" << x0 << "\" y=\"" << y << "\" width=\"" << x1 - x0 << "\" height=\"" << kBarRow - 2
        << "\" fill=\"" << (s.holds ? kHold : "url(#wait)") << "\"/>\n";
    if (!s.holds)
      svg << "<rect x=\"" << x0 + 1 << "\" y=\"" << y + 1 << "\" width=\"46\" height=\"8\" fill=\"#fff7e0\"/>\n";
    svg << "<text x=\"" << x0 + 3 << "\" y=\"" << y + 8 << "\" font-size=\"9\" fill=\""
        << (s.holds ? "#fff" : "#6b4a00") << "\">" << (s.holds ? "holds " : "waits ") << lock << "</text>\n";
  }
}

void mark(std::ostream& svg, const TimelineMark& m, int x, int y) {
  const std::string title = "<title>" + xml_escape(m.text) + "</title>";
  switch (m.kind) {
    case MarkKind::timeout:
      svg << "<rect x=\"" << x - 7 << "\" y=\"" << y - 7
          << "\" width=\"14\" height=\"14\" fill=\"#f4a261\" stroke=\"#b35c00\"/>"
          << "<text x=\"" << x - 3 << "\" y=\"" << y + 4 << "\" font-weight=\"bold\">T" << title << "</text>\n";
      break;
    case MarkKind::cancelled:
      svg << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"7\" fill=\"#fff\" stroke=\"" << kFail
          << "\" stroke-width=\"2\"/>"
          << "<text x=\"" << x - 3 << "\" y=\"" << y + 4 << "\" fill=\"" << kFail << "\" font-weight=\"bold\">C"
          << title << "</text>\n";
      break;
    case MarkKind::exception:
      svg << "<rect x=\"" << x - 7 << "\" y=\"" << y - 7 << "\" width=\"14\" height=\"14\" fill=\"" << kFail << "\"/>"
          << "<text x=\"" << x - 3 << "\" y=\"" << y + 4 << "\" fill=\"#fff\" font-weight=\"bold\">X" << title
          << "</text>\n";
      break;
    case MarkKind::stuck:
      svg << "<rect x=\"" << x << "\" y=\"" << y - 9 << "\" width=\"" << kStuckColumn - 10
          << "\" height=\"16\" fill=\"#7a1f7a\"/>"
          << "<text x=\"" << x + 4 << "\" y=\"" << y + 3 << "\" fill=\"#fff\">" << xml_escape(m.text) << "</text>\n";
      break;
  }
}

void marks(std::ostream& svg, const Timeline& t, const Layout& l) {
  std::vector<int> used(t.labels.size() * static_cast<std::size_t>(t.tasks + 1), 0);
  for (const TimelineMark& m : t.marks) {
    if (m.task < 1 || m.task > t.tasks) continue;
    const int y = l.lane_y(m.task) + l.lane - 8 - kBarRow * t.locks - 6;
    if (m.kind == MarkKind::stuck) {
      mark(svg, m, l.right + 8, l.lane_y(m.task) + 14);
      continue;
    }
    int& n = used[static_cast<std::size_t>(m.step) * static_cast<std::size_t>(t.tasks + 1) +
                  static_cast<std::size_t>(m.task)];
    mark(svg, m, l.end(m.step) - 10 - 18 * n++, y);
  }
}

void wakes(std::ostream& svg, const Timeline& t, const Layout& l) {
  for (const TimelineWake& w : t.wakes) {
    if (w.from < 1 || w.from > t.tasks || w.to < 1 || w.to > t.tasks) continue;
    const int x0 = l.end(w.step) - 6;
    const int y0 = l.bar_y(w.from, w.lock, t.locks) + 4;
    const int x1 = w.resumes >= 0 ? l.x[static_cast<std::size_t>(w.resumes)] + 6 : l.end(w.step) - 2;
    const int y1 = l.bar_y(w.to, w.lock, t.locks) + 4;
    svg << "<path d=\"M" << x0 << "," << y0 << " C" << (x0 + x1) / 2 << "," << y0 << " " << (x0 + x1) / 2 << "," << y1
        << " " << x1 << "," << y1
        << "\" fill=\"none\" stroke=\"#2a9d3a\" stroke-width=\"2\" marker-end=\"url(#arrow)\">"
        << "<title>t" << w.from << " wakes t" << w.to << " (lock " << model::lock_name(w.lock) << ")</title></path>\n";
  }
}

void axis(std::ostream& svg, const Trace& trace, const Layout& l, int tasks) {
  const int y = l.top + l.lane * tasks + 14;
  svg << "<text x=\"8\" y=\"" << y << "\" fill=\"#666\">step</text><text x=\"8\" y=\"" << y + 14
      << "\" fill=\"#666\">time</text>\n";
  for (std::size_t i = 0; i < trace.steps.size(); ++i) {
    svg << "<text x=\"" << l.x[i] + 3 << "\" y=\"" << y << "\" fill=\"#666\">" << i + 1 << "</text>\n";
    if (i == 0 || trace.steps[i].now != trace.steps[i - 1].now) {
      svg << "<text x=\"" << l.x[i] + 3 << "\" y=\"" << y + 14 << "\" fill=\"#1d3557\">@" << trace.steps[i].now
          << "s</text>\n";
    }
    if (l.gap[i] > 0) {
      const int gx = l.x[i] - l.gap[i];
      svg << "<rect x=\"" << gx << "\" y=\"" << l.top << "\" width=\"" << l.gap[i] << "\" height=\"" << l.lane * tasks
          << "\" fill=\"#eef\" fill-opacity=\"0.5\" stroke=\"#99c\" stroke-dasharray=\"3,3\"/>\n"
          << "<text x=\"" << gx + 3 << "\" y=\"" << y + 14 << "\" fill=\"#1d3557\">+"
          << trace.steps[i].now - trace.steps[i - 1].now << "s</text>\n";
    }
  }
}

void footer(std::ostream& svg, const Trace& trace, int y) {
  svg << "<text x=\"8\" y=\"" << y
      << "\" fill=\"#444\">blue bar: holds the lock (outlined notch: held within one step); "
         "hatched: waits for it; green arrow: a release wakes that waiter;</text>\n"
      << "<text x=\"8\" y=\"" << y + 14
      << "\" fill=\"#444\">T: timed out; C: cancelled; X: exception; purple: stuck at the end; "
         "~op: suspended at op; [g] [i] [r]: a loop callback; +Ns: the clock jumps</text>\n";
  for (std::size_t k = 0; k < trace.program.tasks.size(); ++k) {
    std::string ops;
    for (const auto& op : trace.program.tasks[k].ops) ops += (ops.empty() ? "" : "; ") + model::to_string(op);
    svg << "<text x=\"8\" y=\"" << y + 34 + 14 * static_cast<int>(k) << "\">task " << k + 1 << ": " << xml_escape(ops)
        << "</text>\n";
  }
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else if (c == '\'')
      out += "&#39;";
    else
      out += c;
  }
  return out;
}

std::string draw_svg(const Trace& trace, const Timeline& t) {
  const Layout l = layout(trace, t);
  const int width = std::max(l.right + kStuckColumn + 10, 900);
  const int footer_y = l.top + l.lane * t.tasks + 56;
  const int height = footer_y + 40 + 14 * t.tasks;
  std::ostringstream svg;
  header(svg, trace, t, l, width, height);
  lanes(svg, t, l, width);
  axis(svg, trace, l, t.tasks);
  spans(svg, t, l);
  labels(svg, trace, t, l);
  wakes(svg, t, l);
  marks(svg, t, l);
  footer(svg, trace, footer_y);
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace lockstep::check::detail
