// `lockstep show TRACE`: a trace's timeline, as text, SVG or an HTML page.
#include <iostream>

#include "commands.hpp"
#include "lockstep/check/show.hpp"

namespace lockstep::tool {

int show_command(const Args& args) {
  const std::string& path = need_operand(args);
  if (args.has("svg")) check_output_path(args.text("svg"), "--svg");
  if (args.has("html")) check_output_path(args.text("html"), "--html");
  const check::Trace trace = read_trace(path);
  std::cout << check::timeline_text(trace);
  SummaryLine line("show");
  line.add("verdict", "shown").add("trace_file", path).add("steps", trace.steps.size());
  if (trace.verdict == check::FailureKind::none) {
    line.add_null("failure");
  } else {
    line.add("failure", check::name_of(trace.verdict));
  }
  if (args.has("svg")) {
    write_output(args.text("svg"), check::timeline_svg(trace));
    std::cout << "picture written to " << printable(args.text("svg")) << "\n";
    line.add("svg", args.text("svg"));
  } else {
    line.add_null("svg");
  }
  if (args.has("html")) {
    write_output(args.text("html"), check::timeline_html(trace));
    std::cout << "page written to " << printable(args.text("html")) << "\n";
    line.add("html", args.text("html"));
  } else {
    line.add_null("html");
  }
  line.print(std::cout);
  return 0;
}

}  // namespace lockstep::tool
