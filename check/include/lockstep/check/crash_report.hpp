// Crash reports: a defect in the code under test can crash the process instead
// of failing a check (a segfault, std::terminate from an exception thrown out
// of a destructor, an abort, a sanitizer's report). With a report installed,
// the run in progress when that happens is written to a file as a compact
// trace (docs/TRACES.md: the program and every decision taken so far), which
// `lockstep replay FILE` re-runs to the same crash. Nothing is formatted per
// run: the runner publishes its program and decision list, and a program's
// text is made once for each program that differs from the last one run.
//
//   check::install_crash_report({.path = "lockstep-failure.trace", .command = "lockstep"});
//   ... run_program(...) ...   // a crash now leaves a reproducer behind
//
// On a crash, in the crashing thread: the trace is written (that thread's run
// in progress; nothing if it had none), stderr says what crashed and which
// command reproduces it, and stdout gets `stdout_line` (with a trace) or
// `stdout_line_no_trace` (without), for a tool's summary line. Then the
// process dies as it would have: the handler is reset and the signal raised
// again (exit status 128+N). The handlers run on an alternate stack (so a
// stack overflow is reported too) and call only async-signal-safe functions.
// Under AddressSanitizer its own report comes first: only SIGABRT gets a
// handler, and the other crashes are reported from the sanitizer's death
// callback, after its report.
//
// A hang is reported the same way (with hang_seconds set): an endless loop
// inside one step, which no step budget sees. The watchdog is a CPU-time
// timer (ITIMER_PROF, SIGPROF) that reads the run in progress of the thread
// it interrupts: it watches a process with one thread running programs.
#pragma once

#include <string>

namespace lockstep::check {

struct CrashReportOptions {
  std::string path;                  // where the trace of the run in progress goes
  std::string command = "lockstep";  // the reproducer shown: COMMAND replay PATH
  std::string stdout_line;           // written to stdout after a trace was written ("": nothing)
  std::string stdout_line_no_trace;  // written to stdout when none could be
  // The hang watchdog: a run still in progress after this many seconds of the
  // process's CPU time (between 1 and 2 times it) is reported like a crash,
  // and the process dies of SIGPROF. 0: no watchdog.
  unsigned hang_seconds = 0;
};

// Whether a process that died of `signal` died of what a crash report handles
// (a crash, or the watchdog's SIGPROF): a parent of forked runs asks this.
bool is_crash_signal(int signal) noexcept;

// Installs the handlers, or replaces the options. Call it before the first
// run, not while another thread runs.
void install_crash_report(const CrashReportOptions& options);

}  // namespace lockstep::check
