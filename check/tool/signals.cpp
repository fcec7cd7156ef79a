#include "signals.hpp"

#include <unistd.h>

#include <initializer_list>

#include "lockstep/check/crash_report.hpp"
#include "summary.hpp"

namespace lockstep::tool {

namespace {

volatile std::sig_atomic_t first_signal = 0;
volatile std::sig_atomic_t received = 0;
volatile std::sig_atomic_t kill_on_second = 1;

// A signal handler has C linkage; declared first, so the definition has a prototype.
extern "C" void on_stop_signal(int signal);
extern "C" void on_stop_signal(int signal) {
  if (first_signal != 0 && kill_on_second != 0) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  if (first_signal == 0) first_signal = signal;
  received = received + 1;
}

}  // namespace

void catch_stop_signals(bool second_kills) {
  kill_on_second = second_kills ? 1 : 0;
  struct sigaction action{};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (const int signal : {SIGINT, SIGTERM}) {
    struct sigaction before{};
    sigaction(signal, nullptr, &before);
    // A signal the shell set to be ignored (a background job's SIGINT) stays ignored.
    if (before.sa_handler == SIG_IGN) continue;
    sigaction(signal, &action, nullptr);
  }
}

void restore_default_signals() {
  for (const int signal : {SIGINT, SIGTERM}) {
    struct sigaction before{};
    sigaction(signal, nullptr, &before);
    if (before.sa_handler == on_stop_signal) std::signal(signal, SIG_DFL);
  }
}

void set_second_signal_kills(bool second_kills) { kill_on_second = second_kills ? 1 : 0; }

void report_crashes(const std::string& self, const std::string& command, const std::string& path) {
  const auto line = [&](bool with_trace) {
    SummaryLine summary(command);
    summary.add("verdict", "fail").add("failure", "crash");
    if (with_trace) return summary.add("trace", path).text();
    return summary.add_null("trace").text();
  };
  // No run of a program with at most 10,000 steps takes 10 s, even under valgrind.
  check::install_crash_report({path, self, line(true), line(false), 10});
}

int stop_signal() { return first_signal; }
int stop_signals_received() { return received; }

}  // namespace lockstep::tool
