// What the pictures of a trace draw, derived once from the typed trace so the
// SVG (show.cpp) and the HTML page (show_html.cpp) tell the same story:
// per step the lane it is written on and its label, per lock the spans of
// holding and waiting, the marks (timeout, cancelled, exception, stuck),
// the wake-ups (a release and the waiter it woke), and the failing step.
// Steps are 0-based here; the pictures print them 1-based, as traces do.
#pragma once

#include <string>
#include <vector>

#include "lockstep/check/trace.hpp"

namespace lockstep::check::detail {

enum class MarkKind { timeout, cancelled, exception, stuck };

struct TimelineMark {
  MarkKind kind = MarkKind::timeout;
  int step = 0;
  int task = 0;
  std::string text;  // "acquire_timeout a timeout", "stuck at acquire"
};

// A task holds (or waits for) lock `lock` after steps first..last. `instant`:
// taken and released within step `first` (no view after any step shows it).
struct TimelineSpan {
  bool holds = true;
  bool instant = false;
  int lock = 0;
  int task = 0;
  int first = 0;
  int last = 0;
};

// At step `step`, task `from` (the one that ran) handed lock `lock` to the
// waiting task `to`, which next runs at step `resumes` (-1: never).
struct TimelineWake {
  int step = 0;
  int from = 0;
  int to = 0;
  int lock = 0;
  int resumes = -1;
};

struct Timeline {
  int tasks = 0;
  int locks = 0;
  std::vector<int> lane;                         // per step: the task whose lane it is written on
  std::vector<std::vector<std::string>> labels;  // per step: its lines (events, then "~op")
  std::vector<TimelineSpan> spans;
  std::vector<TimelineMark> marks;
  std::vector<TimelineWake> wakes;
  int failing_step = -1;  // -1 when the trace passes
  std::string verdict;    // "pass" or the failure kind's name
  std::string message;    // the broken invariant, as the verdict says it
};

Timeline build_timeline(const Trace& trace);

// The events of a step's ran entry, then where the task now waits, on one line.
std::string step_label(const model::StepRecord& step);
std::string_view mark_name(MarkKind kind);

}  // namespace lockstep::check::detail
