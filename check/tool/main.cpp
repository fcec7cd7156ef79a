// lockstep: the harness's command line.
//
//   lockstep explore PROGRAM [--preemptions C] [--no-sleep-sets 1] [--budget S]
//                    [--max-executions N] [--checkpoint FILE] [--workers N] [--split K/N]
//   lockstep explore --resume CHECKPOINT [--budget S]
//   lockstep random PROGRAM [--runs N] [--seed S]
//   lockstep pct PROGRAM [--runs N] [--depth D] [--seed S]
//   lockstep replay TRACE [--then random|pct] [--seed S] [--depth D]
//   lockstep shrink TRACE [--out FILE]
//   lockstep show TRACE [--svg FILE]
//   lockstep campaign [--programs DIR] [--budget S] [--preemptions C]
//
// PROGRAM is a program file (model/program.hpp); TRACE a trace file or a
// one-line compact trace. Every failure is shrunk, written to --out (default
// lockstep-failure.trace), and printed with the one command that reproduces it.
// Exit status: 0 pass, 1 a failure or a divergence, 2 bad usage or input.
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "lockstep/check/show.hpp"
#include "lockstep/check/shrink.hpp"
#include "progress.hpp"

namespace lockstep::tool {

std::uint64_t Args::number(const std::string& name, std::uint64_t fallback) const {
  const auto it = options.find(name);
  if (it == options.end()) return fallback;
  std::size_t used = 0;
  std::uint64_t value = 0;
  try {
    value = std::stoull(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != it->second.size()) throw Usage("--" + name + " needs a number, not '" + it->second + "'");
  return value;
}

double Args::seconds(const std::string& name, double fallback) const {
  const auto it = options.find(name);
  if (it == options.end()) return fallback;
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(it->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != it->second.size() || value <= 0) {
    throw Usage("--" + name + " needs a positive number of seconds, not '" + it->second + "'");
  }
  return value;
}

std::string Args::text(const std::string& name, const std::string& fallback) const {
  const auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

int report_failure(const std::string& self, const check::Trace& failure, const std::string& out) {
  std::cout << "FAILURE: " << name_of(failure.verdict) << ": " << failure.message << "\n";
  write_file(out + ".original", check::to_text(failure));
  const check::ShrinkResult shrunk = check::shrink(failure);
  const std::string text = check::to_text(shrunk.minimal);
  std::cout << "shrunk: " << shrunk.summary() << "\n\n" << text << "\n";
  std::cout << check::timeline_text(shrunk.minimal) << "\n";
  write_file(out, text);
  std::cout << "compact: " << check::to_compact(shrunk.minimal) << "\n";
  std::cout << "trace written to " << out << " (unshrunk: " << out << ".original)\n";
  std::cout << "reproduce: " << self << " replay " << out << "\n";
  return 1;
}

SampleResult sample(const model::Program& program, bool pct, std::uint64_t runs, std::uint64_t seed, int depth,
                    double budget_seconds, const std::string& progress_label) {
  SampleResult result;
  if (pct) {
    // PCT needs k, the decisions in a run: measure a run without preemptions,
    // then keep the largest seen.
    check::VectorSource none({});
    result.k = std::max<std::size_t>(1, check::run_program(program, none).decisions.size());
  }
  Progress progress(progress_label);
  for (std::uint64_t i = 0; i < runs; ++i) {
    std::unique_ptr<check::ChoiceSource> source;
    if (pct) {
      source = std::make_unique<check::PctSource>(seed + i, depth, static_cast<int>(program.tasks.size()), result.k);
    } else {
      source = std::make_unique<check::RandomSource>(seed + i);
    }
    const auto run = check::run_program(program, *source);
    ++result.runs;
    result.steps += run.steps.size();
    result.k = std::max(result.k, run.decisions.size());
    if (!run.predicted_deadlock.empty()) ++result.predicted_deadlocks;
    if (!run.passed()) {
      result.failure = check::make_trace(program, source->describe(), run);
      break;
    }
    progress.update(result.runs);
    if (budget_seconds > 0 && progress.elapsed() >= budget_seconds) break;
  }
  return result;
}

namespace {

Args parse_args(int argc, char** argv) {
  if (argc < 2) throw Usage("expected a command");
  Args args;
  args.command = argv[1];
  int i = 2;
  if (i < argc && std::string(argv[i]).rfind("--", 0) != 0) args.path = argv[i++];
  for (; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0 || i + 1 >= argc) throw Usage("expected --option VALUE, found '" + flag + "'");
    args.options[flag.substr(2)] = argv[++i];
  }
  return args;
}

void need_path(const Args& args, const char* what) {
  if (args.path.empty()) throw Usage(args.command + " needs " + what);
}

int random_or_pct(const std::string& self, const Args& args) {
  need_path(args, "a program file");
  const auto program = model::parse_program(read_file(args.path));
  const bool pct = args.command == "pct";
  const std::uint64_t runs = args.number("runs", 1000);
  const std::uint64_t seed = args.number("seed", 1);
  const auto depth = static_cast<int>(args.number("depth", 2));
  const SampleResult result = sample(program, pct, runs, seed, depth, 0, args.command);
  if (result.failure) {
    std::cout << args.command << ": run " << result.runs << " of " << runs << " failed\n";
    return report_failure(self, *result.failure, args.text("out", "lockstep-failure.trace"));
  }
  std::cout << args.command << ": " << runs << " runs of " << args.path << " (seeds " << seed << ".."
            << seed + runs - 1
            << (pct ? ", depth " + std::to_string(depth) + ", k " + std::to_string(result.k) : std::string())
            << "): all passed, " << result.steps << " steps";
  if (result.predicted_deadlocks != 0) std::cout << ", " << result.predicted_deadlocks << " predicted deadlocks";
  std::cout << "\n";
  return 0;
}

check::ExploreOptions explore_options(const Args& args) {
  check::ExploreOptions options;
  if (args.has("preemptions")) options.preemption_bound = static_cast<int>(args.number("preemptions", 0));
  options.sleep_sets = args.number("no-sleep-sets", 0) == 0;
  if (args.has("budget")) options.time_budget = std::chrono::duration<double>(args.seconds("budget", 0));
  options.max_executions = args.number("max-executions", 0);
  return options;
}

void print_exploration(const check::ExploreResult& r, const check::ExploreOptions& options) {
  std::cout << "explored " << r.executions << " executions (" << r.distinct_traces << " distinct traces, " << r.pruned
            << " cut short by sleep sets) in " << r.elapsed.count() << " s\n";
  std::cout << r.coverage(options) << "\n";
}

// Explores the units of a split in N forked workers and adds up what they found.
int explore_in_workers(const std::string& self, const Args& args, const model::Program& program,
                       check::ExploreOptions options, std::size_t workers, std::size_t worker_index, bool fork_all) {
  const auto units = check::split_prefixes(program, workers * 4, options);
  std::vector<std::size_t> run_here;
  struct Totals {
    std::size_t executions = 0, pruned = 0, traces = 0;
    bool complete = true;
  } totals;
  const std::string out = args.text("out", "lockstep-failure.trace");
  auto run_units = [&](std::size_t index, const std::string& failure_file) {
    Totals t;
    for (std::size_t u = index; u < units.size(); u += workers) {
      check::ExploreOptions unit = options;
      unit.prefix = units[u];
      const auto r = check::explore(program, unit);
      t.executions += r.executions;
      t.pruned += r.pruned;
      t.traces += r.distinct_traces;
      t.complete = t.complete && r.complete;
      if (r.failure) {
        write_file(failure_file, check::to_text(*r.failure));
        break;
      }
    }
    return t;
  };
  if (!fork_all) {
    const auto t = run_units(worker_index, out + ".raw");
    std::cout << "split " << worker_index + 1 << "/" << workers << ": " << t.executions << " executions, " << t.traces
              << " distinct traces, " << (t.complete ? "its units complete" : "incomplete") << "\n";
    std::ifstream failed(out + ".raw");
    if (failed) return report_failure(self, check::parse_trace(read_file(out + ".raw")), out);
    return 0;
  }
  std::vector<pid_t> children;
  for (std::size_t w = 0; w < workers; ++w) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      const auto t = run_units(w, out + ".worker" + std::to_string(w));
      write_file(out + ".worker" + std::to_string(w) + ".counts",
                 std::to_string(t.executions) + " " + std::to_string(t.pruned) + " " + std::to_string(t.traces) + " " +
                     (t.complete ? "1" : "0"));
      _exit(0);
    }
    children.push_back(pid);
  }
  bool all_ok = true;
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    all_ok = all_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (!all_ok) throw std::runtime_error("a worker process failed");
  std::optional<check::Trace> failure;
  for (std::size_t w = 0; w < workers; ++w) {
    std::istringstream counts(read_file(out + ".worker" + std::to_string(w) + ".counts"));
    std::size_t e = 0, p = 0, t = 0;
    int complete = 0;
    counts >> e >> p >> t >> complete;
    totals.executions += e;
    totals.pruned += p;
    totals.traces += t;
    totals.complete = totals.complete && complete == 1;
    std::remove((out + ".worker" + std::to_string(w) + ".counts").c_str());
    const std::string failure_file = out + ".worker" + std::to_string(w);
    if (std::ifstream(failure_file) && !failure) failure = check::parse_trace(read_file(failure_file));
    std::remove(failure_file.c_str());
  }
  std::cout << "explored " << totals.executions << " executions in " << workers << " workers over " << units.size()
            << " subtrees (" << totals.traces << " distinct traces, " << totals.pruned << " cut short by sleep sets)\n";
  if (failure) return report_failure(self, *failure, out);
  check::ExploreResult whole;
  whole.complete = totals.complete;
  std::cout << whole.coverage(options) << "\n";
  return 0;
}

int explore(const std::string& self, const Args& args) {
  check::ExploreOptions options = explore_options(args);
  const std::string checkpoint_file = args.text("checkpoint", "lockstep-explore.checkpoint");
  Progress progress("explore");
  options.progress = [&](std::size_t runs, std::size_t traces) {
    progress.update(runs, std::to_string(traces) + " distinct traces");
  };
  check::ExploreResult result;
  model::Program program;
  if (args.has("resume")) {
    const std::string checkpoint = read_file(args.text("resume", ""));
    result = check::resume_exploration(checkpoint, options);
    program = model::parse_program(checkpoint.substr(checkpoint.find("program: ") + 9,
                                                     checkpoint.find('\n', checkpoint.find("program: ")) -
                                                         checkpoint.find("program: ") - 9));
  } else {
    need_path(args, "a program file");
    program = model::parse_program(read_file(args.path));
    if (args.has("workers") || args.has("split")) {
      progress.finish();
      if (args.has("split")) {
        const std::string split = args.text("split", "");
        const auto slash = split.find('/');
        std::size_t k = 0, n = 0;
        try {
          k = std::stoul(split.substr(0, slash));
          n = std::stoul(split.substr(slash + 1));
        } catch (const std::exception&) {
        }
        if (slash == std::string::npos || k < 1 || k > n) throw Usage("--split takes K/N with 1 <= K <= N");
        return explore_in_workers(self, args, program, options, n, k - 1, false);
      }
      const std::size_t workers = args.number("workers", 2);
      if (workers < 1) throw Usage("--workers needs at least 1");
      return explore_in_workers(self, args, program, options, workers, 0, true);
    }
    result = check::explore(program, options);
  }
  progress.finish();
  print_exploration(result, options);
  if (result.failure) return report_failure(self, *result.failure, args.text("out", "lockstep-failure.trace"));
  if (!result.complete) {
    write_file(checkpoint_file, result.checkpoint);
    std::cout << "checkpoint written to " << checkpoint_file << "\nresume: " << self << " explore --resume "
              << checkpoint_file << "\n";
  }
  return 0;
}

int replay(const std::string& self, const Args& args) {
  need_path(args, "a trace file");
  const check::Trace trace = check::parse_trace(read_file(args.path));
  std::unique_ptr<check::ChoiceSource> then;
  const std::string then_name = args.text("then", "");
  const std::uint64_t seed = args.number("seed", 1);
  if (then_name == "random") {
    then = std::make_unique<check::RandomSource>(seed);
  } else if (then_name == "pct") {
    then = std::make_unique<check::PctSource>(seed, static_cast<int>(args.number("depth", 2)),
                                              static_cast<int>(trace.program.tasks.size()), 64);
  } else if (!then_name.empty()) {
    throw Usage("--then takes random or pct, not '" + then_name + "'");
  }
  const std::string strategy = trace.strategy + (then ? " then " + then->describe() : "");
  const auto result = check::replay(trace, check::make_production_lock, std::move(then));
  if (result.diverged) {
    std::cout << result.divergence << "\n";
    return 1;
  }
  std::cout << "replayed " << result.run.steps.size() << " steps: " << check::verdict_line(result.run) << "\n";
  if (!result.run.passed()) {
    const std::string out = args.text("out", "lockstep-failure.trace");
    write_file(out, check::to_text(check::make_trace(trace.program, strategy, result.run)));
    std::cout << "the failure reproduces; trace written to " << out << "\nreproduce: " << self << " replay " << out
              << "\n";
    return 1;
  }
  return 0;
}

int shrink(const std::string& self, const Args& args) {
  need_path(args, "a trace file");
  const check::Trace trace = check::parse_trace(read_file(args.path));
  if (trace.verdict == check::FailureKind::none) throw Usage("the trace passes: nothing to shrink");
  const check::ShrinkResult shrunk = check::shrink(trace);
  const std::string out = args.text("out", args.path + ".shrunk");
  write_file(out, check::to_text(shrunk.minimal));
  std::cout << shrunk.summary() << "\n" << check::to_text(shrunk.minimal) << "shrunk trace written to " << out
            << "\nreproduce: " << self << " replay " << out << "\n";
  return 0;
}

int show(const Args& args) {
  need_path(args, "a trace file");
  const check::Trace trace = check::parse_trace(read_file(args.path));
  std::cout << check::timeline_text(trace);
  if (args.has("svg")) {
    write_file(args.text("svg", ""), check::timeline_svg(trace));
    std::cout << "picture written to " << args.text("svg", "") << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace lockstep::tool

int main(int argc, char** argv) {
  using namespace lockstep::tool;
  const std::string self = argv[0];
  try {
    const Args args = parse_args(argc, argv);
    if (args.command == "random" || args.command == "pct") return random_or_pct(self, args);
    if (args.command == "explore") return explore(self, args);
    if (args.command == "replay") return replay(self, args);
    if (args.command == "shrink") return shrink(self, args);
    if (args.command == "show") return show(args);
    if (args.command == "campaign") return campaign(self, args);
    throw Usage("unknown command '" + args.command + "'");
  } catch (const Usage& e) {
    std::cerr << "lockstep: " << e.what() << "\n"
              << "usage: lockstep explore PROGRAM [--preemptions C] [--budget S] [--workers N | --split K/N]\n"
              << "       lockstep explore --resume CHECKPOINT\n"
              << "       lockstep random PROGRAM [--runs N] [--seed S]\n"
              << "       lockstep pct PROGRAM [--runs N] [--depth D] [--seed S]\n"
              << "       lockstep replay TRACE [--then random|pct] [--seed S] [--depth D]\n"
              << "       lockstep shrink TRACE [--out FILE]\n"
              << "       lockstep show TRACE [--svg FILE]\n"
              << "       lockstep campaign [--programs DIR] [--budget S] [--preemptions C]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lockstep: " << e.what() << "\n";
    return 2;
  }
}
