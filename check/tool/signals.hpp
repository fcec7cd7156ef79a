// SIGINT and SIGTERM for the long-running commands: the first one asks the
// run to stop at its next safe point (explore writes its checkpoint, a worker
// parent stops its workers and reports what they did); in `second_kills`
// mode a second one ends the process at once, with the signal's default action.
#pragma once

#include <csignal>
#include <string>

namespace lockstep::tool {

void catch_stop_signals(bool second_kills);
// Back to the default action (for the parts that cannot stop half way, like
// shrinking a failure): the next signal ends the process.
void restore_default_signals();
// In a forked worker: a signal only asks it to stop (the parent escalates).
void set_second_signal_kills(bool second_kills);

// 0, or the first stop signal received.
int stop_signal();
// How many stop signals arrived.
int stop_signals_received();
// Installs the crash report (lockstep/check/crash_report.hpp) for `command`:
// the run in progress at a crash goes to `path`, and stdout ends with the
// command's summary line {"summary":COMMAND,"verdict":"fail","failure":"crash",
// "trace":PATH-or-null}.
void report_crashes(const std::string& self, const std::string& command, const std::string& path);

// The exit status for stopping on `signal`: 128 + its number.
inline int exit_status_for(int signal) { return 128 + signal; }

}  // namespace lockstep::tool
