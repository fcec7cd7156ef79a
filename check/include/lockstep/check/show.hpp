// Pictures of a trace: a text timeline with one column per task; an SVG with
// one lane per task, each step's operations written on its lane, holds and
// waits per lock, marks for timeouts, cancellations, exceptions and stuck
// tasks, wake-up arrows, the failing step and the broken invariant, over a
// virtual-time axis; and one self-contained HTML page (no network) that draws
// the same from the trace embedded as JSON, with an axis switchable between
// virtual time and steps and a cursor that the arrow keys move step by step.
#pragma once

#include <string>

#include "lockstep/check/trace.hpp"

namespace lockstep::check {

std::string timeline_text(const Trace& trace);
std::string timeline_svg(const Trace& trace);
std::string timeline_html(const Trace& trace);

}  // namespace lockstep::check
