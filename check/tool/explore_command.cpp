// `lockstep explore`: one process, one share of the tree (--split K/N), or the
// tree dealt over forked workers (--workers N). Every mode stops between two
// executions at a signal, the --budget deadline or --max-executions, and
// writes one checkpoint that resumes in any mode and worker count.
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <csignal>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "lockstep/check/crash_report.hpp"
#include "progress.hpp"
#include "signals.hpp"
#include "summary.hpp"

namespace lockstep::tool {

namespace {

using Seconds = std::chrono::duration<double>;

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

void print_exploration(const check::ExploreResult& r, Seconds elapsed, const std::string& how) {
  std::cout << "explored " << r.executions << " executions" << how << " (" << r.traces_text() << ", "
            << r.classes_text() << ", " << r.pruned << " runs cut short by sleep sets; reduction "
            << check::to_string(r.reduction) << ") in " << elapsed.count() << " s\n";
}

// Where the subtrees stand, for the summary line: done, this run's own, and
// the whole tree's (a share of --split K/N has some of the tree's subtrees).
struct Subtrees {
  std::size_t done = 0;
  std::size_t mine = 0;
  std::size_t total = 0;
};

// The machine-readable last line of stdout (docs/CLI.md).
void print_summary_json(const check::ExploreResult& r, Seconds elapsed, const Subtrees& subtrees) {
  const char* verdict = r.failure ? "fail" : (r.complete ? "pass" : "incomplete");
  std::optional<std::uint64_t> bound;
  if (r.bound) bound = static_cast<std::uint64_t>(*r.bound);
  SummaryLine("explore")
      .add("verdict", verdict)
      .add("executions", r.executions)
      .add("pruned", r.pruned)
      .add("classes", r.classes)
      .add("distinct_traces", r.distinct_traces)
      .add("traces_capped", r.traces_capped)
      .add("complete", r.complete)
      .add("bound", bound)
      .add("reduction", check::to_string(r.reduction))
      .add("scope", r.scope)
      .add("subtrees_done", subtrees.done)
      .add("subtrees_total", subtrees.total)
      .add_seconds("elapsed_s", elapsed.count())
      .print(std::cout);
}

// What a run that did not finish says, and its exit status.
int stopped(const std::string& self, const check::ExploreResult& r, const std::string& checkpoint_file,
            const std::string& resume_flags, bool out_of_time) {
  const int signal = stop_signal();
  if (signal != 0) {
    std::cout << "interrupted by " << signal_name(signal) << ": not every schedule was explored\n";
  } else if (r.complete) {
    throw std::logic_error("lockstep: a complete exploration reported as stopped");
  } else {
    std::cout << "stopped at the " << (out_of_time ? "--budget" : "--max-executions")
              << " limit: not every schedule was explored\n";
  }
  std::cout << "checkpoint written to " << printable(checkpoint_file) << "\nresume: " << printable(self)
            << " explore --resume " << printable(checkpoint_file) << resume_flags << "\n";
  return signal != 0 ? exit_status_for(signal) : 0;
}

// ---- the tree dealt over workers ----

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

// A worker explores its share and writes what it found: the failure's trace,
// or its checkpoint (which has no subtree left when the share is done).
[[noreturn]] void worker_main(std::size_t index, const std::string& share, check::ExploreOptions options,
                              const std::string& checkpoint_file, const std::string& failure_file,
                              const std::string& last_file, pid_t parent) {
#ifdef __linux__
  // If the parent dies (even by SIGKILL), the worker is told to stop.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
  if (getppid() != parent) _exit(4);
  set_second_signal_kills(false);  // the parent escalates
  try {
    options.checkpoint_always = true;
    options.progress = nullptr;
    const check::ExploreResult r = check::resume_exploration(share, options);
    if (r.failure) write_output(failure_file, check::to_text(*r.failure));
    if (r.last) write_output(last_file, check::to_text(*r.last));
    if (!r.failure) write_output(checkpoint_file, r.checkpoint);
  } catch (const std::exception& e) {
    std::cerr << "lockstep: worker " << index + 1 << ": " << printable(e.what()) << "\n";
    _exit(3);
  } catch (...) {
    _exit(3);
  }
  _exit(0);
}

// A worker died of what the crash report handles (it wrote the run in
// progress and its summary line): the parent dies the same way.
struct WorkerCrashed {
  std::size_t worker;
  std::size_t of;
  int signal;
};

struct Dealt {
  check::ExploreResult result;  // counts from the merged checkpoint; failure, last
  std::string checkpoint;       // merged: what is left
  std::size_t workers = 0;
};

void start_workers(Workers& workers, const std::vector<std::string>& shares, const check::ExploreOptions& options,
                   const std::function<std::string(std::size_t, const char*)>& name) {
  std::cout.flush();
  std::cerr.flush();
  const pid_t parent = getpid();
  for (std::size_t w = 0; w < shares.size() && stop_signal() == 0; ++w) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("cannot start a worker process (fork failed)");
    if (pid == 0) {
      worker_main(w, shares[w], options, name(w, ".checkpoint"), name(w, ".failure"), name(w, ".last"), parent);
    }
    workers.add(pid);
  }
}

// Wait; forward a stop signal; past the grace period, or at a second
// signal, kill (a killed worker's share is kept as it was given).
void wait_for_workers(Workers& workers, const check::ExploreOptions& options) {
  constexpr auto grace = std::chrono::seconds(10);
  bool forwarded = false;
  std::optional<Clock::time_point> kill_at;
  if (options.deadline) kill_at = *options.deadline + grace;
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
}

// What worker w left: its failure and last trace into `out`, and the
// checkpoint of what is left of its share (the share itself if it was killed).
std::string collect_worker(const Workers& workers, std::size_t w, const std::vector<std::string>& shares,
                           const std::function<std::string(std::size_t, const char*)>& name, Dealt& out) {
  if (w >= workers.all().size()) return shares[w];  // stopped before it started
  const auto& worker = workers.all()[w];
  const bool exited_ok = WIFEXITED(worker.status) && WEXITSTATUS(worker.status) == 0;
  if (!exited_ok && !worker.killed && WIFSIGNALED(worker.status) && check::is_crash_signal(WTERMSIG(worker.status))) {
    throw WorkerCrashed{w + 1, shares.size(), WTERMSIG(worker.status)};
  }
  if (!exited_ok && !worker.killed) {
    std::ostringstream why;
    if (WIFSIGNALED(worker.status)) {
      why << "ended with signal " << WTERMSIG(worker.status);
    } else {
      why << "exited with status " << WEXITSTATUS(worker.status);
    }
    throw std::runtime_error("worker " + std::to_string(w + 1) + " of " + std::to_string(shares.size()) + " " +
                             why.str());
  }
  const auto exists = [&](const char* what) { return exited_ok && access(name(w, what).c_str(), F_OK) == 0; };
  if (!out.result.failure && exists(".failure")) {
    out.result.failure = check::parse_trace(read_input(name(w, ".failure"), kMaxTraceBytes));
  }
  if (exists(".last")) out.result.last = check::parse_trace(read_input(name(w, ".last"), kMaxTraceBytes));
  if (exists(".checkpoint")) return read_input(name(w, ".checkpoint"), kMaxCheckpointBytes);
  return shares[w];  // killed, or failed: its share as it was
}

void take_counts(const check::CheckpointSummary& summary, check::ExploreResult& result) {
  result.complete = !result.failure && summary.subtrees == 0;
  result.executions = summary.executions;
  result.pruned = summary.pruned;
  result.distinct_traces = summary.distinct_traces;
  result.traces_capped = summary.traces_capped;
  result.classes = summary.classes;
  result.classes_capped = summary.classes_capped;
  result.reduction = summary.reduction;
  result.bound = summary.bound;
  result.scope = summary.scope;
}

Dealt run_workers(const std::string& start, std::size_t parts, const check::ExploreOptions& options) {
  const std::vector<std::string> shares = check::split_checkpoint(start, parts);
  catch_stop_signals(false);  // the loop below handles a second signal
  TempDir temp;
  const std::function<std::string(std::size_t, const char*)> name = [&](std::size_t w, const char* what) {
    return temp.file("worker-" + std::to_string(w) + what);
  };
  Workers workers;
  start_workers(workers, shares, options, name);
  wait_for_workers(workers, options);
  Dealt out;
  out.workers = shares.size();
  std::vector<std::string> left;
  left.reserve(shares.size());
  for (std::size_t w = 0; w < shares.size(); ++w) left.push_back(collect_worker(workers, w, shares, name, out));
  if (out.result.failure) out.result.last = out.result.failure;  // not another worker's passing run
  temp.remove();
  restore_default_signals();
  out.checkpoint = check::merge_checkpoints(left);
  take_counts(check::summarize_checkpoint(out.checkpoint), out.result);
  return out;
}

// ---- the command ----

void check_explore_flags(const Args& args) {
  const bool resume = args.has("resume");
  if (resume && args.operand) throw Usage("give a PROGRAM or --resume CHECKPOINT, not both");
  if (resume) {
    for (const char* name : {"preemptions", "no-sleep-sets", "reduction", "split"}) {
      if (args.has(name)) {
        throw Usage(std::string("--") + name + " cannot be used with --resume: the checkpoint records the bound, " +
                    "the reduction and the subtrees");
      }
    }
  }
  if (args.has("no-sleep-sets") && args.has("reduction") && args.text("reduction") != "none") {
    throw Usage("--no-sleep-sets means --reduction none, not --reduction " + args.text("reduction"));
  }
  if (args.has("workers") && args.has("split")) throw Usage("--workers and --split exclude each other");
  if (args.has("workers") && args.has("max-executions")) {
    throw Usage("--max-executions cannot be used with --workers (use --budget)");
  }
}

check::ExploreOptions explore_options(const Args& args, bool keep_last) {
  check::ExploreOptions options;
  if (args.has("preemptions")) options.preemption_bound = static_cast<int>(args.whole("preemptions"));
  const std::optional<check::Reduction> reduction = check::parse_reduction(args.text("reduction"));
  if (!reduction) throw Usage("--reduction takes dpor, sleep or none");  // the flag table already allows only these
  options.reduction = *reduction;
  if (args.flag("no-sleep-sets")) options.reduction = check::Reduction::none;
  if (args.has("budget")) {
    options.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(Seconds(args.seconds("budget")));
  }
  if (args.has("max-executions")) options.max_executions = static_cast<std::size_t>(args.whole("max-executions"));
  options.should_stop = [] { return stop_signal() != 0; };
  options.keep_last = keep_last;
  return options;
}

// Where a run starts: a checkpoint (the user's, or one made here for a share
// or for the workers), or the program itself.
struct Start {
  std::optional<std::string> checkpoint;
  model::Program program;
  std::string how;  // " in 2 of 8 subtrees"
  Subtrees subtrees;
};

Start starting_point(const Args& args, const check::ExploreOptions& options) {
  Start start;
  start.subtrees.total = start.subtrees.mine = 1;
  if (args.has("resume")) {
    start.checkpoint = read_checkpoint(args.text("resume"));
    try {
      start.subtrees.total = start.subtrees.mine =
          check::summarize_checkpoint(*start.checkpoint).subtrees;  // every check but the run's
    } catch (const check::TraceError& e) {
      throw InputError(located(args.text("resume"), e.what(), "checkpoint line "));
    }
    return start;
  }
  if (!args.operand) throw Usage("explore needs a PROGRAM file (or --resume CHECKPOINT)");
  start.program = read_program(*args.operand);
  if (args.has("split")) {
    const Split split = args.split("split");
    const auto units = check::split_prefixes(start.program, static_cast<std::size_t>(split.n) * 4, options);
    std::vector<std::vector<std::uint32_t>> mine;
    for (auto u = static_cast<std::size_t>(split.k - 1); u < units.size(); u += static_cast<std::size_t>(split.n)) {
      mine.push_back(units[u]);
    }
    start.checkpoint = check::start_checkpoint(start.program, options, mine,
                                               "share " + std::to_string(split.k) + "/" + std::to_string(split.n));
    start.how = " in " + std::to_string(mine.size()) + " of " + std::to_string(units.size()) + " subtrees";
    start.subtrees.mine = mine.size();
    start.subtrees.total = units.size();
  }
  return start;
}

check::ExploreResult explore_here(const Args& args, Start& start, check::ExploreOptions& options) {
  Progress progress("explore");
  options.progress = [&](std::size_t runs, std::size_t traces) {
    progress.update(runs, std::to_string(traces) + " distinct traces");
  };
  catch_stop_signals(true);
  check::ExploreResult result;
  if (start.checkpoint) {
    try {
      result = check::resume_exploration(*start.checkpoint, options);
    } catch (const check::TraceError& e) {
      if (!args.has("resume")) throw;  // our own checkpoint: not the user's input
      throw InputError(located(args.text("resume"), e.what(), "checkpoint line "));
    }
  } else {
    result = check::explore(start.program, options);
  }
  restore_default_signals();
  progress.finish();
  return result;
}

check::ExploreResult explore_dealt(const Args& args, Start& start, const check::ExploreOptions& options,
                                   std::string& resume_flags) {
  const auto parts = static_cast<std::size_t>(args.whole("workers"));
  if (!start.checkpoint) {
    const auto prefixes = check::split_prefixes(start.program, parts * 4, options);
    start.checkpoint = check::start_checkpoint(start.program, options, prefixes);
    start.subtrees.total = start.subtrees.mine = prefixes.size();
  }
  Dealt dealt = run_workers(*start.checkpoint, parts, options);
  dealt.result.checkpoint = std::move(dealt.checkpoint);
  start.how = " in " + std::to_string(dealt.workers) + " worker" + (dealt.workers == 1 ? "" : "s");
  resume_flags = " --workers " + std::to_string(parts);
  return std::move(dealt.result);
}

// Prints the outcome's lines and returns the exit status.
int conclude(const std::string& self, const Args& args, const check::ExploreResult& result,
             const check::ExploreOptions& options, const std::string& resume_flags) {
  const std::string trace_out = args.has("trace-out") ? args.text("trace-out") : "";
  if (result.last && !trace_out.empty()) {
    write_output(trace_out, check::to_text(*result.last));
    std::cout << "the last execution's trace written to " << printable(trace_out) << "\n";
  }
  if (options.preemption_bound && result.reduction != options.reduction) {
    std::cout << "reduction " << check::to_string(result.reduction)
              << ": dpor runs as sleep sets under a delay bound\n";
  }
  if (result.failure) {
    std::cout << result.coverage() << "\n";
    return report_failure(self, *result.failure, args.text("out"));
  }
  if (result.complete) {
    std::cout << result.coverage() << "\n";
    if (result.scope.rfind("share ", 0) == 0) {
      std::cout << result.scope << " complete: the other shares hold the rest of the tree\n";
    }
    return 0;
  }
  const std::string checkpoint_file = args.text("checkpoint");
  write_output(checkpoint_file, result.checkpoint);
  return stopped(self, result, checkpoint_file, resume_flags, options.deadline && Clock::now() >= *options.deadline);
}

Subtrees subtrees_after(const check::ExploreResult& result, Subtrees given) {
  if (result.complete) given.done = given.mine;
  if (!result.complete && !result.checkpoint.empty()) {
    const std::size_t left = check::summarize_checkpoint(result.checkpoint).subtrees;
    given.done = given.mine > left ? given.mine - left : 0;
  }
  return given;
}

}  // namespace

int explore_command(const std::string& self, const Args& args) {
  check_explore_flags(args);
  check_output_path(args.text("out"), "--out");
  check_output_path(args.text("checkpoint"), "--checkpoint");
  if (args.has("trace-out")) check_output_path(args.text("trace-out"), "--trace-out");
  check::ExploreOptions options = explore_options(args, args.has("trace-out"));
  Start start = starting_point(args, options);
  const auto started = Clock::now();
  std::string resume_flags;
  check::ExploreResult result;
  try {
    result =
        args.has("workers") ? explore_dealt(args, start, options, resume_flags) : explore_here(args, start, options);
  } catch (const WorkerCrashed& crashed) {
    std::cerr << "lockstep: worker " << crashed.worker << " of " << crashed.of << " died of signal " << crashed.signal
              << ": the code under test crashed or hung; the worker's report above names the trace of its run\n";
    return exit_status_for(crashed.signal);
  }
  const Seconds elapsed = Clock::now() - started;
  print_exploration(result, elapsed, start.how);
  const int status = conclude(self, args, result, options, resume_flags);
  print_summary_json(result, elapsed, subtrees_after(result, start.subtrees));
  return status;
}

}  // namespace lockstep::tool
