// The fixed parts of the `show --html` page (show_html.cpp fills in the
// title and the trace's JSON): inline CSS and script, nothing fetched.
// The script reads the JSON of <script id="trace-data">, draws the lanes as
// SVG, moves a cursor with the arrow keys (Home/End: first/last step; t: the
// axis between virtual time and steps), shows the cursor step's events,
// queue, tasks, locks and timers, and writes what it drew into #summary
// (data-lanes, data-steps, data-failing, data-invariant) for tests to read.
#pragma once

#include <string_view>

namespace lockstep::check::detail {

extern const std::string_view kPageHead;    // doctype, <html>, <head>, charset
extern const std::string_view kPageStyle;   // <style>...</style>
extern const std::string_view kPageBody;    // the page's fixed elements
extern const std::string_view kPageScript;  // the drawing code, without <script>

}  // namespace lockstep::check::detail
