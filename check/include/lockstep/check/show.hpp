// Pictures of a trace: a text timeline with one column per task, and an SVG
// with one lane per task (bars while holding the lock, hatching while waiting
// for it, marks where a task throws or is cancelled).
#pragma once

#include <string>

#include "lockstep/check/trace.hpp"

namespace lockstep::check {

std::string timeline_text(const Trace& trace);
std::string timeline_svg(const Trace& trace);

}  // namespace lockstep::check
