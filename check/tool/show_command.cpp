// `lockstep show TRACE`: a trace's timeline, as text, SVG or an HTML page.
#include <functional>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "lockstep/check/show.hpp"

namespace lockstep::tool {

namespace {

// --svg FILE or --html FILE: writes what `render` makes if the flag is given,
// and says so in the prose and in the summary line (null when not asked).
void write_if_asked(const Args& args, const char* flag, const char* what, const std::function<std::string()>& render,
                    SummaryLine& line) {
  if (!args.has(flag)) {
    line.add_null(flag);
    return;
  }
  write_output(args.text(flag), render());
  std::cout << what << " written to " << printable(args.text(flag)) << "\n";
  line.add(flag, args.text(flag));
}

}  // namespace

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
  write_if_asked(args, "svg", "picture", [&] { return check::timeline_svg(trace); }, line);
  write_if_asked(args, "html", "page", [&] { return check::timeline_html(trace); }, line);
  line.print(std::cout);
  return 0;
}

}  // namespace lockstep::tool
