#include "lockstep/check/crash_report.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <new>

#include "lockstep/check/trace.hpp"
#include "run_in_progress.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define LOCKSTEP_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LOCKSTEP_UNDER_ASAN 1
#endif
#endif
#ifdef LOCKSTEP_UNDER_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace lockstep::check {

namespace {

// What a handler reads: plain pointers, set before the run they describe and
// cleared after it (a handler never sees a half-made text).
struct Published {
  const std::string* prefix = nullptr;  // "lockstep v2 / PROGRAM / "
  const std::vector<std::uint32_t>* decisions = nullptr;
};
thread_local Published published;

// The thread's last program and its compact text, kept across runs.
struct ProgramText {
  model::Program program;
  std::string prefix;
  bool made = false;
};
thread_local ProgramText last_program;

// Never destroyed: a handler may run during exit.
alignas(CrashReportOptions) unsigned char options_storage[sizeof(CrashReportOptions)];
const CrashReportOptions* options = nullptr;
volatile std::sig_atomic_t reporting = 0;

// A small write buffer on the handler's stack: async-signal-safe output.
class Out {
 public:
  explicit Out(int fd) : fd_(fd) {}
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  ~Out() { flush(); }

  Out& operator<<(const char* text) {
    while (*text != '\0') put(*text++);
    return *this;
  }
  Out& operator<<(const std::string& text) {
    for (const char c : text) put(c);
    return *this;
  }
  Out& operator<<(unsigned long value) {
    char digits[24];
    std::size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (n > 0) put(digits[--n]);
    return *this;
  }

 private:
  void put(char c) {
    if (size_ == sizeof buffer_) flush();
    buffer_[size_++] = c;
  }
  void flush() {
    const char* at = buffer_;
    while (size_ > 0) {
      const ssize_t n = ::write(fd_, at, size_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      at += n;
      size_ -= static_cast<std::size_t>(n);
    }
    size_ = 0;
  }

  int fd_;
  char buffer_[1024];
  std::size_t size_ = 0;
};

// Writes the run in progress to the report's file; false if there is none or
// the file cannot be written.
bool write_trace(const Published& run) {
  if (run.prefix == nullptr || run.decisions == nullptr) return false;
  const int fd = ::open(options->path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  {
    Out file(fd);
    file << *run.prefix;
    for (std::size_t i = 0; i < run.decisions->size(); ++i) {
      if (i != 0) file << " ";
      file << static_cast<unsigned long>((*run.decisions)[i]);
    }
    file << "\n";
  }
  return ::close(fd) == 0;
}

// A hang: the watchdog found one run in progress for hang_seconds or more.
constexpr int kHang = -1;

// `signal` 0: the sanitizer's death callback; kHang: the watchdog.
void report(int signal) {
  if (reporting != 0 || options == nullptr) return;
  reporting = 1;
  const int saved_errno = errno;
  const Published run = published;
  const bool wrote = write_trace(run);
  {
    Out err(STDERR_FILENO);
    err << "lockstep: ";
    if (signal == kHang) {
      err << "hung: one run has taken more than " << static_cast<unsigned long>(options->hang_seconds)
          << " s of CPU time (an endless loop within one step?)";
    } else if (signal != 0) {
      const char* name = sigabbrev_np(signal);  // "SEGV": a static table, async-signal-safe
      err << "crashed with signal " << static_cast<unsigned long>(signal) << " (SIG" << (name != nullptr ? name : "?")
          << ")";
    } else {
      err << "the sanitizer stopped the process";
    }
    if (wrote) {
      err << " during a run; its program and its " << static_cast<unsigned long>(run.decisions->size())
          << " decision(s) so far are in " << options->path << "\nreproduce: " << options->command << " replay "
          << options->path << "\n";
    } else if (run.prefix != nullptr) {
      err << " during a run, but its trace could not be written to " << options->path << "\n";
    } else {
      err << " outside any run of a program; no trace was written\n";
    }
  }
  const std::string& line = wrote ? options->stdout_line : options->stdout_line_no_trace;
  if (!line.empty()) Out(STDOUT_FILENO) << "\n" << line << "\n";
  errno = saved_errno;
}

extern "C" void on_crash_signal(int signal);
extern "C" void on_crash_signal(int signal) {
  report(signal);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// The watchdog: a CPU-time timer ticks every hang_seconds; a tick that finds
// the same run in progress as the tick before means that run has taken at
// least hang_seconds (a step budget cannot see an endless loop inside a step).
// Only this handler touches the two `seen_` values.
std::atomic<unsigned long> runs_started{0};
unsigned long seen_run = 0;
bool seen_in_progress = false;

extern "C" void on_watchdog_tick(int signal);
extern "C" void on_watchdog_tick(int signal) {
  const bool in_progress = published.prefix != nullptr;
  const unsigned long run = runs_started.load(std::memory_order_relaxed);
  if (in_progress && seen_in_progress && run == seen_run) {
    report(kHang);
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
  seen_run = run;
  seen_in_progress = in_progress;
}

void arm_watchdog(unsigned seconds);
// A forked child (explore's workers) inherits no timer: arm its own.
extern "C" void rearm_watchdog_in_child();
extern "C" void rearm_watchdog_in_child() {
  seen_in_progress = false;
  if (options != nullptr) arm_watchdog(options->hang_seconds);
}

void arm_watchdog(unsigned seconds) {
  struct sigaction action{};
  action.sa_handler = on_watchdog_tick;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART | SA_ONSTACK;
  sigaction(SIGPROF, &action, nullptr);
  itimerval timer{};
  timer.it_interval.tv_sec = seconds;
  timer.it_value.tv_sec = seconds;
  setitimer(ITIMER_PROF, &timer, nullptr);  // 0: disarmed
}

constexpr std::array<int, 5> kCrashSignals = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#ifdef LOCKSTEP_UNDER_ASAN
extern "C" void on_sanitizer_death();
extern "C" void on_sanitizer_death() { report(0); }
// The sanitizer's own handlers take the rest; their reports reach the death callback.
constexpr std::array<int, 1> kHandled = {SIGABRT};
#else
constexpr std::array<int, 5> kHandled = kCrashSignals;
#endif

void install_handlers() {
  // The alternate stack: a handler must run after a stack overflow too.
  static char alternate[64 * 1024];
  stack_t stack{};
  stack.ss_sp = alternate;
  stack.ss_size = sizeof alternate;
  sigaltstack(&stack, nullptr);
  struct sigaction action{};
  action.sa_handler = on_crash_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_ONSTACK;
  for (const int signal : kHandled) sigaction(signal, &action, nullptr);
#ifdef LOCKSTEP_UNDER_ASAN
  __sanitizer_set_death_callback(on_sanitizer_death);
#endif
  pthread_atfork(nullptr, nullptr, rearm_watchdog_in_child);
}

}  // namespace

bool is_crash_signal(int signal) noexcept {
  return signal == SIGPROF || std::find(kCrashSignals.begin(), kCrashSignals.end(), signal) != kCrashSignals.end();
}

void install_crash_report(const CrashReportOptions& given) {
  if (options != nullptr) {
    *std::launder(reinterpret_cast<CrashReportOptions*>(options_storage)) = given;
  } else {
    options = new (options_storage) CrashReportOptions(given);
    install_handlers();
  }
  arm_watchdog(given.hang_seconds);
}

RunInProgress::RunInProgress(const model::Program& program, const std::vector<std::uint32_t>& decisions) {
  if (options == nullptr) return;
  if (!last_program.made || !(last_program.program == program)) {
    published = {};
    last_program.program = program;
    Trace trace;
    trace.program = program;
    last_program.prefix = to_compact(trace);  // no decisions: "lockstep v2 / PROGRAM / "
    last_program.made = true;
  }
  published = {&last_program.prefix, &decisions};
  runs_started.store(runs_started.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

RunInProgress::~RunInProgress() { published = {}; }

}  // namespace lockstep::check
