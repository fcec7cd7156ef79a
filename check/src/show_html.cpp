// `lockstep show --html`: the trace and its derived timeline (timeline.hpp) as
// JSON inside one HTML page whose script (show_html_page.cpp) draws it.
// The JSON sits in a <script type="application/json"> element; every '<', '>'
// and '&' in it is written as \u003c, \u003e, \u0026, so no text of the trace
// (a verdict message saying "</script>", quotes, control bytes) can end the
// element or change the page.
#include <sstream>

#include "lockstep/check/show.hpp"
#include "show_html_page.hpp"
#include "show_svg.hpp"
#include "timeline.hpp"

namespace lockstep::check {
namespace {

std::string json_string(std::string_view text) {
  static const char* const hex = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || c == '<' || c == '>' || c == '&' || byte == 0x7f) {
      out += "\\u00";
      out += hex[byte >> 4];
      out += hex[byte & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string json_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ",") + json_string(items[i]);
  return out + "]";
}

std::vector<std::string> split(const std::string& text, const std::string& by) {
  std::vector<std::string> out;
  if (text == "-") return out;
  std::size_t from = 0;
  for (std::size_t at; (at = text.find(by, from)) != std::string::npos; from = at + by.size()) {
    out.push_back(text.substr(from, at - from));
  }
  out.push_back(text.substr(from));
  return out;
}

// One step: the typed fields the panel shows, in the step line's own words.
std::string step_json(const model::StepRecord& step, const detail::Timeline& t, std::size_t i) {
  const std::string line = model::to_string(step);
  const std::vector<std::string> after = split(line.substr(line.find(" => ") + 4), " | ");
  std::vector<std::string> events, ready;
  for (const auto& e : step.events) events.push_back(model::to_string(e));
  for (const auto& e : step.ready) ready.push_back(model::to_string(e));
  std::ostringstream out;
  out << "{\"now\":" << step.now << ",\"lane\":" << t.lane[i]
      << ",\"callback\":" << (step.ran().kind != model::EntryKind::task ? "true" : "false")
      << ",\"labels\":" << json_strings(t.labels[i]) << ",\"ready\":" << json_strings(ready)
      << ",\"picked\":" << step.picked << ",\"events\":" << json_strings(events)
      << ",\"queue\":" << json_strings(split(after.at(0), ","))
      << ",\"tasks\":" << json_strings(split(after.at(1), ","))
      << ",\"locks\":" << json_strings(split(after.at(2), " "))
      << ",\"timers\":" << json_strings(split(after.at(3), ",")) << "}";
  return out.str();
}

std::string derived_json(const detail::Timeline& t) {
  std::ostringstream out;
  out << "\"spans\":[";
  for (std::size_t i = 0; i < t.spans.size(); ++i) {
    const auto& s = t.spans[i];
    out << (i ? "," : "") << "{\"holds\":" << (s.holds ? "true" : "false")
        << ",\"instant\":" << (s.instant ? "true" : "false") << ",\"lock\":" << s.lock << ",\"task\":" << s.task
        << ",\"first\":" << s.first << ",\"last\":" << s.last << "}";
  }
  out << "],\"marks\":[";
  for (std::size_t i = 0; i < t.marks.size(); ++i) {
    const auto& m = t.marks[i];
    out << (i ? "," : "") << "{\"kind\":" << json_string(detail::mark_name(m.kind)) << ",\"step\":" << m.step
        << ",\"task\":" << m.task << ",\"text\":" << json_string(m.text) << "}";
  }
  out << "],\"wakes\":[";
  for (std::size_t i = 0; i < t.wakes.size(); ++i) {
    const auto& w = t.wakes[i];
    out << (i ? "," : "") << "{\"step\":" << w.step << ",\"from\":" << w.from << ",\"to\":" << w.to
        << ",\"lock\":" << w.lock << ",\"resumes\":" << w.resumes << "}";
  }
  out << "]";
  return out.str();
}

std::string trace_json(const Trace& trace, const detail::Timeline& t) {
  std::vector<std::string> program;
  for (const auto& task : trace.program.tasks) {
    std::string ops;
    for (const auto& op : task.ops) ops += (ops.empty() ? "" : "; ") + model::to_string(op);
    program.push_back(ops);
  }
  std::ostringstream out;
  out << "{\"strategy\":" << json_string(trace.strategy) << ",\"verdict\":" << json_string(t.verdict)
      << ",\"message\":" << json_string(t.message) << ",\"failing\":" << t.failing_step << ",\"tasks\":" << t.tasks
      << ",\"locks\":" << t.locks << ",\"program\":" << json_strings(program) << ",\"steps\":[";
  for (std::size_t i = 0; i < trace.steps.size(); ++i) out << (i ? ",\n" : "\n") << step_json(trace.steps[i], t, i);
  out << "],\n" << derived_json(t) << "}";
  return out.str();
}

}  // namespace

std::string timeline_html(const Trace& trace) {
  const detail::Timeline t = detail::build_timeline(trace);
  const std::string escaped = detail::xml_escape(trace.strategy + ": " + t.verdict);
  return std::string(detail::kPageHead) + "<title>lockstep: " + escaped + "</title>\n" +
         std::string(detail::kPageStyle) + "</head>\n<body>\n" + std::string(detail::kPageBody) +
         "<script type=\"application/json\" id=\"trace-data\">" + trace_json(trace, t) + "</script>\n<script>\n" +
         std::string(detail::kPageScript) + "</script>\n</body>\n</html>\n";
}

}  // namespace lockstep::check
