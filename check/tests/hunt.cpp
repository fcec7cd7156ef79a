// Hunts for a failure with random and PCT schedules over the given programs,
// against whichever lock this binary links (the real one or a mutant), and
// checks that every failure it finds replays exactly from its trace.
//
//   hunt --expect killed|clean [--runs N] [--kind KIND] [--no-model]
//        [--strategy random|pct|both] PROGRAM...
//   hunt --explore [--max-bound C] PROGRAM...
//
// killed: passes if some run fails (printing the trace), with failure KIND if
// given; clean: passes if none does. --no-model leaves out the comparison with
// the reference model, so that only SEMANTICS OB-*'s model-free checks can fire.
// The last line of the output is a JSON summary (check/tool/summary.hpp):
//   {"summary":"hunt","mode":"sample"|"explore","verdict":"pass"|"fail",...}
// with the failure found (kind, program, runs or bound and executions, the
// shrunk size), which tools/kill_matrix.py reads.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "lockstep/check/explore.hpp"
#include "lockstep/check/runner.hpp"
#include "lockstep/check/shrink.hpp"
#include "lockstep/check/trace.hpp"
#include "summary.hpp"

namespace {

namespace check = lockstep::check;
using lockstep::tool::SummaryLine;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + path);
  return text.str();
}

// Replays the failure from its text form; returns an error, or "".
std::string check_replay(const check::Trace& trace, const check::RunOptions& options) {
  const auto parsed = check::parse_trace(check::to_text(trace));
  const auto replayed = check::replay(parsed, check::make_production_lock, nullptr, options);
  if (replayed.diverged) return "the failure's trace does not replay: " + replayed.divergence;
  if (check::to_text(check::make_trace(parsed.program, parsed.strategy, replayed.run)) != check::to_text(trace)) {
    return "the replayed trace differs from the recorded one";
  }
  return "";
}

void add_shrunk(SummaryLine& line, const check::TraceSize& size) {
  line.add("shrunk_tasks", size.tasks).add("shrunk_operations", size.operations);
  line.add("shrunk_decisions", size.decisions).add("shrunk_steps", size.steps);
  line.add("shrunk_preemptions", size.preemptions);
}

// Ends a run: prints the summary line (verdict from the exit status) and
// returns the status.
int finish(SummaryLine& line, int status, const std::string& problem = "") {
  line.add("verdict", status == 0 ? "pass" : "fail");
  if (problem.empty()) {
    line.add_null("problem");
  } else {
    line.add("problem", problem);
    std::cout << "FAIL: " << problem << "\n";
  }
  line.print(std::cout);
  return status;
}

// One bound over every program: the failing program's path, or "".
struct BoundResult {
  std::size_t executions = 0;
  std::optional<check::Trace> failure;
  std::string path;
  std::string incomplete;  // a program whose exploration did not complete
};

BoundResult explore_bound(const std::vector<std::string>& programs, int bound) {
  BoundResult out;
  for (const std::string& path : programs) {
    const auto program = lockstep::model::parse_program(read_file(path));
    check::ExploreOptions options;
    options.preemption_bound = bound;
    auto result = check::explore(program, options);
    out.executions += result.executions;
    if (result.failure) {
      out.failure = std::move(result.failure);
      out.path = path;
      return out;
    }
    if (!result.complete) {
      out.incomplete = path;
      return out;
    }
  }
  return out;
}

// Bounded exploration with c = 0, 1, 2, ...: the bug must turn up at some
// bound, every smaller bound must have been explored completely without it,
// and the failing schedule must need no more preemptions than the bound.
int explore_mode(const std::vector<std::string>& programs, int max_bound) {
  SummaryLine line("hunt");
  line.add("mode", "explore");
  for (int bound = 0; bound <= max_bound; ++bound) {
    const BoundResult found = explore_bound(programs, bound);
    if (!found.incomplete.empty()) return finish(line, 1, "exploration of " + found.incomplete + " did not complete");
    if (!found.failure) {
      std::cout << "bound " << bound << ": " << found.executions << " executions, no failure\n";
      continue;
    }
    const auto size = check::size_of(*found.failure);
    const auto shrunk = check::shrink(*found.failure);
    std::cout << "found at preemption bound " << bound << " in " << found.path << " after " << found.executions
              << " executions: " << check::name_of(found.failure->verdict) << "\n"
              << "  failing schedule: " << check::to_string(size) << "\n"
              << "  shrunk: " << check::to_string(shrunk.after) << "\n"
              << "  " << check::to_compact(shrunk.minimal) << "\n"
              << "every schedule with fewer preemptions passed\n";
    line.add("failure", check::name_of(found.failure->verdict)).add("program", found.path);
    line.add("bound", static_cast<unsigned>(bound)).add("executions", found.executions);
    line.add("preemptions", size.preemptions);
    add_shrunk(line, shrunk.after);
    if (size.preemptions > static_cast<std::size_t>(bound)) {
      return finish(line, 1, "the failing schedule has more preemptions than the bound");
    }
    return finish(line, 0);
  }
  line.add_null("failure");
  return finish(line, 1, "not found with up to " + std::to_string(max_bound) + " preemptions");
}

struct Options {
  std::string expect;
  std::string kind;
  bool explore = false;
  std::string strategies = "both";
  int max_bound = 3;
  check::RunOptions run;
  long runs = 200;
  std::vector<std::string> programs;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool more = i + 1 < argc;
    if (arg == "--expect" && more) {
      o.expect = argv[++i];
    } else if (arg == "--runs" && more) {
      o.runs = std::stol(argv[++i]);
    } else if (arg == "--kind" && more) {
      o.kind = argv[++i];
    } else if (arg == "--strategy" && more) {
      o.strategies = argv[++i];
    } else if (arg == "--explore") {
      o.explore = true;
    } else if (arg == "--max-bound" && more) {
      o.max_bound = std::stoi(argv[++i]);
    } else if (arg == "--no-model") {
      o.run.compare_with_model = false;
    } else {
      o.programs.push_back(arg);
    }
  }
  return o;
}

std::unique_ptr<check::ChoiceSource> make_source(int strategy, long seed, int tasks) {
  const auto s = static_cast<std::uint64_t>(seed);
  if (strategy == 0) return std::make_unique<check::RandomSource>(s);
  return std::make_unique<check::PctSource>(s, strategy + 1, tasks, 16);
}

// A failure found: it must replay exactly, and be of the kind asked for.
int report_sampled(const Options& o, SummaryLine& line, const lockstep::model::Program& program,
                   const check::ChoiceSource& source, const check::RunResult& run, const std::string& path) {
  const auto trace = check::make_trace(program, source.describe(), run);
  std::cout << check::to_text(trace);
  line.add("failure", check::name_of(run.failure)).add("program", path).add("strategy", source.describe());
  const std::string replay_error = check_replay(trace, o.run);
  if (!replay_error.empty()) return finish(line, 1, replay_error);
  std::cout << "the trace replays exactly\n";
  const auto shrunk = check::shrink(trace, check::make_production_lock, o.run);
  std::cout << "shrunk: " << check::to_string(shrunk.after) << "\n";
  add_shrunk(line, shrunk.after);
  if (!o.kind.empty() && check::name_of(run.failure) != o.kind) {
    return finish(line, 1, "expected a failure of kind " + o.kind);
  }
  return finish(line, o.expect == "killed" ? 0 : 1, o.expect == "killed" ? "" : "the real lock failed");
}

int sample_mode(const Options& o) {
  SummaryLine line("hunt");
  line.add("mode", "sample").add("expect", o.expect);
  std::size_t total_runs = 0;
  for (const std::string& path : o.programs) {
    const auto program = lockstep::model::parse_program(read_file(path));
    const auto tasks = static_cast<int>(program.tasks.size());
    for (int strategy = 0; strategy < 3; ++strategy) {
      if ((o.strategies == "random" && strategy != 0) || (o.strategies == "pct" && strategy == 0)) continue;
      for (long seed = 1; seed <= o.runs; ++seed) {
        const auto source = make_source(strategy, seed, tasks);
        const auto run = check::run_program(program, *source, check::make_production_lock, o.run);
        ++total_runs;
        if (run.passed()) continue;
        std::cout << "failure after " << total_runs << " runs, in " << path << ":\n";
        line.add("runs", total_runs);
        return report_sampled(o, line, program, *source, run, path);
      }
    }
  }
  std::cout << total_runs << " runs, no failure\n";
  line.add("runs", total_runs).add_null("failure");
  return finish(line, o.expect == "clean" ? 0 : 1, o.expect == "clean" ? "" : "the mutant survived");
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (o.explore && !o.programs.empty()) return explore_mode(o.programs, o.max_bound);
  if ((o.expect != "killed" && o.expect != "clean") || o.programs.empty()) {
    std::cerr << "usage: hunt --expect killed|clean --runs N PROGRAM...\n";
    return 2;
  }
  return sample_mode(o);
}
