// The static picture of a trace (`lockstep show --svg`): a lane per task with
// each step's operations written on it, bars per lock for holding (blue; a
// one-step hold is a narrow outlined bar) and waiting (hatched), marks for
// timeouts (T), cancellations (C), exceptions (X) and tasks stuck at the end,
// green arrows from a release to the waiter it woke, the failing step's column
// in red and the broken invariant above the lanes, and a virtual-time axis
// (a gap labelled +Ns where the clock jumps) under the step numbers.
#pragma once

#include <string>

#include "lockstep/check/trace.hpp"
#include "timeline.hpp"

namespace lockstep::check::detail {

std::string draw_svg(const Trace& trace, const Timeline& timeline);

// Text for SVG and HTML: & < > " ' escaped.
std::string xml_escape(const std::string& text);

}  // namespace lockstep::check::detail
