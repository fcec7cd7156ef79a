// `lockstep explore`: one process, or the tree split over forked workers
// (--workers N) or one share of it (--split K/N).
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <csignal>
#include <ctime>
#include <iostream>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "progress.hpp"
#include "signals.hpp"

namespace lockstep::tool {

namespace {

using Seconds = std::chrono::duration<double>;

// One "name: value" line of a checkpoint, if it has one.
std::optional<std::string> checkpoint_field(const std::string& checkpoint, const std::string& name) {
  std::istringstream in(checkpoint);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + ": ", 0) == 0) return line.substr(name.size() + 2);
    if (line == name + ":") return std::string();
  }
  return std::nullopt;
}

std::optional<std::uint64_t> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

// The bound, sleep-set setting and prefix a checkpoint explores under.
check::ExploreOptions options_of_checkpoint(const std::string& checkpoint, check::ExploreOptions options) {
  options.preemption_bound.reset();
  if (const auto bound = checkpoint_field(checkpoint, "bound"); bound && *bound != "none") {
    if (const auto b = whole_number(*bound)) options.preemption_bound = static_cast<int>(*b);
  }
  if (const auto sleep = checkpoint_field(checkpoint, "sleep-sets")) options.sleep_sets = *sleep == "1";
  options.prefix.clear();
  if (const auto prefix = checkpoint_field(checkpoint, "prefix")) {
    std::istringstream in(*prefix);
    for (std::string d; in >> d;) {
      if (const auto v = whole_number(d)) options.prefix.push_back(static_cast<std::uint32_t>(*v));
    }
  }
  return options;
}

// check::resume_exploration takes the bound and the sleep-set setting as it
// finds them (a bound of 4294967295 becomes -1 and explores nothing, then
// claims every schedule); refuse what the command line would refuse.
void check_checkpoint_settings(const std::string& name, const std::string& checkpoint) {
  if (const auto bound = checkpoint_field(checkpoint, "bound"); bound && *bound != "none") {
    const auto b = whole_number(*bound);
    if (!b || *b > 64) {
      throw InputError(name + ": the checkpoint's bound must be none or 0 to 64, not '" + *bound + "'");
    }
  }
  if (const auto sleep = checkpoint_field(checkpoint, "sleep-sets"); sleep && *sleep != "0" && *sleep != "1") {
    throw InputError(name + ": the checkpoint's sleep-sets must be 0 or 1, not '" + *sleep + "'");
  }
}

std::uint64_t runs_of(const check::ExploreResult& r) { return r.executions + r.pruned; }

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "a signal";
  }
}

void print_exploration(const check::ExploreResult& r) {
  std::cout << "explored " << r.executions << " executions (" << r.distinct_traces << " distinct traces, " << r.pruned
            << " cut short by sleep sets) in " << r.elapsed.count() << " s\n";
}

// ---- the tree split over workers ----

struct Totals {
  std::uint64_t executions = 0, pruned = 0, traces = 0;
  std::size_t units_done = 0;
  bool complete = true;
  bool interrupted = false;
  bool out_of_time = false;
  bool missing = false;  // a worker stopped before it reported
  std::optional<check::Trace> failure;
};

// Explores units index, index + stride, ... until done, a failure, a stop
// signal or the deadline.
Totals run_units(const model::Program& program, const std::vector<std::vector<std::uint32_t>>& units,
                 std::size_t index, std::size_t stride, const check::ExploreOptions& options,
                 const ExploreLimits& limits) {
  Totals t;
  for (std::size_t u = index; u < units.size(); u += stride) {
    if (stop_signal() != 0) {
      t.interrupted = true;
      t.complete = false;
      break;
    }
    if (limits.deadline && Clock::now() >= *limits.deadline) {
      t.out_of_time = true;
      t.complete = false;
      break;
    }
    check::ExploreOptions unit = options;
    unit.prefix = units[u];
    const Explored e = explore_in_slices(&program, nullptr, "", unit, limits);
    t.executions += e.result.executions;
    t.pruned += e.result.pruned;
    t.traces += e.result.distinct_traces;
    t.complete = t.complete && e.result.complete;
    t.interrupted = t.interrupted || e.interrupted;
    t.out_of_time = t.out_of_time || e.out_of_time;
    if (e.result.complete) ++t.units_done;
    if (e.result.failure) {
      t.failure = e.result.failure;
      break;
    }
    if (!e.result.complete) break;
  }
  return t;
}

std::string counts_text(const Totals& t) {
  std::ostringstream out;
  out << t.executions << " " << t.pruned << " " << t.traces << " " << t.units_done << " " << (t.complete ? 1 : 0)
      << " " << (t.interrupted ? 1 : 0) << " " << (t.out_of_time ? 1 : 0) << "\n";
  return out.str();
}

bool parse_counts(const std::string& text, Totals& t) {
  std::istringstream in(text);
  int complete = 0, interrupted = 0, out_of_time = 0;
  if (!(in >> t.executions >> t.pruned >> t.traces >> t.units_done >> complete >> interrupted >> out_of_time)) {
    return false;
  }
  t.complete = complete == 1;
  t.interrupted = interrupted == 1;
  t.out_of_time = out_of_time == 1;
  return true;
}

// The worker processes: on any way out of the parent's code, each one still
// running is killed and reaped.
class Workers {
 public:
  Workers() = default;
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;
  ~Workers() {
    signal_all(SIGKILL);
    for (auto& w : workers_) {
      if (w.running) waitpid(w.pid, &w.status, 0);
    }
  }
  void add(pid_t pid) { workers_.push_back({pid, true, 0, false}); }
  void signal_all(int signal) {
    for (auto& w : workers_) {
      if (w.running) {
        kill(w.pid, signal);
        if (signal == SIGKILL) w.killed = true;
      }
    }
  }
  // Reaps the workers that have ended; true while any still runs.
  bool poll() {
    bool any = false;
    for (auto& w : workers_) {
      if (!w.running) continue;
      const pid_t done = waitpid(w.pid, &w.status, WNOHANG);
      if (done == w.pid) {
        w.running = false;
      } else {
        any = true;
      }
    }
    return any;
  }
  struct Worker {
    pid_t pid;
    bool running;
    int status;
    bool killed;  // by the parent, with SIGKILL
  };
  [[nodiscard]] const std::vector<Worker>& all() const { return workers_; }

 private:
  std::vector<Worker> workers_;
};

[[noreturn]] void worker_main(const model::Program& program, const std::vector<std::vector<std::uint32_t>>& units,
                              std::size_t index, std::size_t stride, const check::ExploreOptions& options,
                              const ExploreLimits& limits, const std::string& counts_file,
                              const std::string& failure_file, pid_t parent) {
#ifdef __linux__
  // If the parent dies (even by SIGKILL), the worker is told to stop.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
  if (getppid() != parent) _exit(4);
  set_second_signal_kills(false);  // the parent escalates
  try {
    const Totals t = run_units(program, units, index, stride, options, limits);
    if (t.failure) write_output(failure_file, check::to_text(*t.failure));
    write_output(counts_file, counts_text(t));
  } catch (const std::exception& e) {
    std::cerr << "lockstep: worker " << index + 1 << ": " << printable(e.what()) << "\n";
    _exit(3);
  } catch (...) {
    _exit(3);
  }
  _exit(0);
}

std::string stopped_why(const Totals& t, int signal) {
  if (t.interrupted) return std::string("interrupted by ") + signal_name(signal);
  return "stopped at the --budget deadline";
}

int explore_split(const std::string& self, const Args& args, const model::Program& program,
                  const check::ExploreOptions& options, const ExploreLimits& limits) {
  const std::string out = args.text("out");
  const bool one_share = args.has("split");
  const std::size_t parts = one_share ? static_cast<std::size_t>(args.split("split").n)
                                      : static_cast<std::size_t>(args.whole("workers"));
  const auto units = check::split_prefixes(program, parts * 4, options);
  Totals totals;
  std::string scope;
  if (one_share) {
    const Split split = args.split("split");
    catch_stop_signals(true);
    totals = run_units(program, units, static_cast<std::size_t>(split.k - 1), parts, options, limits);
    restore_default_signals();
    std::size_t mine = 0;
    for (std::size_t u = static_cast<std::size_t>(split.k - 1); u < units.size(); u += parts) ++mine;
    std::cout << "split " << split.k << "/" << split.n << ": " << totals.executions << " executions in " << mine
              << " of " << units.size() << " subtrees (" << totals.traces << " distinct traces, " << totals.pruned
              << " cut short by sleep sets)\n";
    scope = "its " + std::to_string(mine) + " subtrees";
  } else {
    catch_stop_signals(false);  // the loop below handles a second signal
    TempDir temp;
    std::cout.flush();
    std::cerr.flush();
    Workers workers;
    const pid_t parent = getpid();
    for (std::size_t w = 0; w < parts && stop_signal() == 0; ++w) {
      const pid_t pid = fork();
      if (pid < 0) throw std::runtime_error("cannot start a worker process (fork failed)");
      if (pid == 0) {
        worker_main(program, units, w, parts, options, limits, temp.file("worker-" + std::to_string(w) + ".counts"),
                    temp.file("worker-" + std::to_string(w) + ".trace"), parent);
      }
      workers.add(pid);
    }
    // Wait; forward a stop signal; past the grace period, or at a second
    // signal, kill.
    constexpr auto grace = std::chrono::seconds(10);
    bool forwarded = false;
    std::optional<Clock::time_point> kill_at;
    if (limits.deadline) kill_at = *limits.deadline + grace;
    while (workers.poll()) {
      if (stop_signal() != 0 && !forwarded) {
        workers.signal_all(SIGTERM);
        forwarded = true;
        const auto at = Clock::now() + grace;
        kill_at = kill_at ? std::min(*kill_at, at) : at;
      }
      if (stop_signals_received() >= 2 || (kill_at && Clock::now() >= *kill_at)) workers.signal_all(SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (std::size_t w = 0; w < workers.all().size(); ++w) {
      const auto& worker = workers.all()[w];
      const std::string counts_file = temp.file("worker-" + std::to_string(w) + ".counts");
      const std::string failure_file = temp.file("worker-" + std::to_string(w) + ".trace");
      const bool exited_ok = WIFEXITED(worker.status) && WEXITSTATUS(worker.status) == 0;
      if (!exited_ok && !worker.killed) {
        std::ostringstream why;
        if (WIFSIGNALED(worker.status)) {
          why << "ended with signal " << WTERMSIG(worker.status);
        } else {
          why << "exited with status " << WEXITSTATUS(worker.status);
        }
        throw std::runtime_error("worker " + std::to_string(w + 1) + " of " + std::to_string(parts) + " " + why.str());
      }
      Totals t;
      bool have_counts = false;
      if (exited_ok) {
        try {
          have_counts = parse_counts(read_input(counts_file, kMaxProgramBytes), t);
        } catch (const InputError&) {
          have_counts = false;
        }
      }
      if (!have_counts) {
        totals.missing = true;
        totals.complete = false;
        continue;
      }
      totals.executions += t.executions;
      totals.pruned += t.pruned;
      totals.traces += t.traces;
      totals.units_done += t.units_done;
      totals.complete = totals.complete && t.complete;
      totals.interrupted = totals.interrupted || t.interrupted;
      totals.out_of_time = totals.out_of_time || t.out_of_time;
      if (!totals.failure && access(failure_file.c_str(), F_OK) == 0) {
        totals.failure = check::parse_trace(read_input(failure_file, kMaxTraceBytes));
      }
    }
    if (workers.all().size() < parts) totals.complete = false;  // stopped before every worker started
    if (stop_signal() != 0) totals.interrupted = true;
    temp.remove();
    restore_default_signals();
    std::cout << "explored " << totals.executions << " executions in " << parts << " workers over " << units.size()
              << " subtrees (" << totals.traces << " distinct traces, " << totals.pruned
              << " cut short by sleep sets)\n";
    scope = "the " + std::to_string(units.size()) + " subtrees";
  }
  if (totals.failure) return report_failure(self, *totals.failure, out);
  if (totals.complete) {
    check::ExploreResult whole;
    whole.complete = true;
    if (one_share) {
      // The other shares hold the rest of the tree.
      std::cout << "share " << args.split("split").k << "/" << parts << " complete: " << scope
                << " fully explored; with the other " << parts - 1 << " shares, " << whole.coverage(options) << "\n";
    } else {
      std::cout << whole.coverage(options) << "\n";
    }
    return 0;
  }
  if (!totals.interrupted && !totals.out_of_time && !totals.missing) {
    throw std::logic_error("lockstep: an incomplete exploration with no reason");
  }
  std::cout << stopped_why(totals, stop_signal()) << ": " << totals.units_done << " of " << scope
            << " fully explored" << (totals.missing ? " (a worker stopped before it reported its counts)" : "")
            << "; not every schedule was explored, and "
            << (one_share ? "--split" : "--workers") << " writes no checkpoint (run without it to get one)\n";
  return totals.interrupted ? exit_status_for(stop_signal() != 0 ? stop_signal() : SIGTERM) : 0;
}

}  // namespace

Explored explore_in_slices(const model::Program* program, const std::string* checkpoint,
                           const std::string& checkpoint_name, const check::ExploreOptions& options,
                           const ExploreLimits& limits) {
  Explored out;
  out.effective = checkpoint != nullptr ? options_of_checkpoint(*checkpoint, options) : options;
  std::uint64_t before = 0;  // the runs counted before this run
  if (checkpoint != nullptr) {
    const auto e = checkpoint_field(*checkpoint, "executions");
    const auto p = checkpoint_field(*checkpoint, "pruned");
    const auto ev = e ? whole_number(*e) : std::nullopt;
    const auto pv = p ? whole_number(*p) : std::nullopt;
    before = ev.value_or(0) + pv.value_or(0);
  }
  Seconds slice(0.25);
  Seconds elapsed(0);
  bool started = false;
  while (true) {
    check::ExploreOptions o = options;
    o.max_executions = 0;
    o.time_budget = slice;
    if (limits.deadline) {
      Seconds remaining = *limits.deadline - Clock::now();
      if (remaining.count() <= 0) {
        if (started) {
          out.out_of_time = true;
          break;
        }
        // The first slice always runs (at least one execution), so that a
        // run stopped at once still has a checkpoint to resume.
        remaining = Seconds(0);
      }
      o.time_budget = std::min(slice, remaining);
    }
    if (limits.max_executions != 0) {
      const std::uint64_t done = started ? runs_of(out.result) - before : 0;
      o.max_executions = static_cast<std::size_t>(limits.max_executions - done);
    }
    const auto t0 = Clock::now();
    try {
      if (started) {
        out.result = check::resume_exploration(out.result.checkpoint, o);
      } else if (checkpoint != nullptr) {
        out.result = check::resume_exploration(*checkpoint, o);
      } else {
        out.result = check::explore(*program, o);
      }
    } catch (const check::TraceError& e) {
      if (started) throw;  // our own checkpoint: not the user's input
      throw InputError(checkpoint_name + ": " + e.what());
    }
    const Seconds wall = Clock::now() - t0;
    elapsed += out.result.elapsed;
    started = true;
    if (out.result.complete || out.result.failure) break;
    if (stop_signal() != 0) {
      out.interrupted = true;
      break;
    }
    if (limits.deadline && Clock::now() >= *limits.deadline) {
      out.out_of_time = true;
      break;
    }
    if (limits.max_executions != 0 && runs_of(out.result) - before >= limits.max_executions) break;
    // Keep reading and writing the checkpoint a small share of the time.
    const Seconds overhead = std::max(Seconds(0), wall - out.result.elapsed);
    slice = std::clamp(overhead * 40, Seconds(0.25), Seconds(2));
  }
  out.result.elapsed = std::chrono::duration_cast<decltype(out.result.elapsed)>(elapsed);
  return out;
}

int explore_command(const std::string& self, const Args& args) {
  const bool resume = args.has("resume");
  if (resume && args.operand) throw Usage("give a PROGRAM or --resume CHECKPOINT, not both");
  if (!resume && !args.operand) throw Usage("explore needs a PROGRAM file (or --resume CHECKPOINT)");
  if (resume) {
    for (const char* name : {"preemptions", "no-sleep-sets", "workers", "split"}) {
      if (args.has(name)) {
        throw Usage(std::string("--") + name + " cannot be used with --resume: the checkpoint records the bound, " +
                    "the sleep-set setting and the subtree");
      }
    }
  }
  const bool split_up = args.has("workers") || args.has("split");
  if (args.has("workers") && args.has("split")) throw Usage("--workers and --split exclude each other");
  if (split_up) {
    for (const char* name : {"max-executions", "checkpoint"}) {
      if (args.has(name)) {
        throw Usage(std::string("--") + name + " cannot be used with --workers or --split, which write no checkpoint");
      }
    }
  }
  const std::string out = args.text("out");
  const std::string checkpoint_file = args.text("checkpoint");
  check_output_path(out, "--out");
  if (!split_up) check_output_path(checkpoint_file, "--checkpoint");

  check::ExploreOptions options;
  if (args.has("preemptions")) options.preemption_bound = static_cast<int>(args.whole("preemptions"));
  options.sleep_sets = !args.flag("no-sleep-sets");
  ExploreLimits limits;
  if (args.has("budget")) {
    limits.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(Seconds(args.seconds("budget")));
  }
  if (args.has("max-executions")) limits.max_executions = args.whole("max-executions");

  std::optional<std::string> checkpoint;
  model::Program program;
  if (resume) {
    checkpoint = read_input(args.text("resume"), kMaxCheckpointBytes);
    check_checkpoint_settings(args.text("resume"), *checkpoint);
  } else {
    program = read_program(*args.operand);
  }
  if (split_up) return explore_split(self, args, program, options, limits);

  Progress progress("explore");
  options.progress = [&](std::size_t runs, std::size_t traces) {
    progress.update(runs, std::to_string(traces) + " distinct traces");
  };
  catch_stop_signals(true);
  const Explored e = explore_in_slices(resume ? nullptr : &program, checkpoint ? &*checkpoint : nullptr,
                                       resume ? args.text("resume") : "", options, limits);
  restore_default_signals();
  progress.finish();
  print_exploration(e.result);
  if (e.result.failure) {
    std::cout << e.result.coverage(e.effective) << "\n";
    return report_failure(self, *e.result.failure, out);
  }
  if (e.result.complete) {
    std::cout << e.result.coverage(e.effective) << "\n";
    return 0;
  }
  write_output(checkpoint_file, e.result.checkpoint);
  if (e.interrupted) {
    std::cout << "interrupted by " << signal_name(stop_signal()) << ": not every schedule was explored\n";
  } else if (e.out_of_time) {
    std::cout << "stopped at the --budget limit: not every schedule was explored\n";
  } else {
    std::cout << "stopped at the --max-executions limit: not every schedule was explored\n";
  }
  std::cout << "checkpoint written to " << printable(checkpoint_file) << "\nresume: " << printable(self)
            << " explore --resume " << printable(checkpoint_file) << "\n";
  return e.interrupted ? exit_status_for(stop_signal()) : 0;
}

}  // namespace lockstep::tool
