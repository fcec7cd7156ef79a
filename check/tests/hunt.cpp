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
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "lockstep/check/explore.hpp"
#include "lockstep/check/runner.hpp"
#include "lockstep/check/shrink.hpp"
#include "lockstep/check/trace.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + path);
  return text.str();
}

// Replays the failure from its text form; returns an error, or "".
std::string check_replay(const lockstep::check::Trace& trace, const lockstep::check::RunOptions& options) {
  const auto parsed = lockstep::check::parse_trace(lockstep::check::to_text(trace));
  const auto replayed = lockstep::check::replay(parsed, lockstep::check::make_production_lock, nullptr, options);
  if (replayed.diverged) return "the failure's trace does not replay: " + replayed.divergence;
  if (lockstep::check::to_text(lockstep::check::make_trace(parsed.program, parsed.strategy, replayed.run)) !=
      lockstep::check::to_text(trace)) {
    return "the replayed trace differs from the recorded one";
  }
  return "";
}

// Bounded exploration with c = 0, 1, 2, ...: the bug must turn up at some
// bound, every smaller bound must have been explored completely without it,
// and the failing schedule must need no more preemptions than the bound.
int explore_mode(const std::vector<std::string>& programs, int max_bound) {
  for (int bound = 0; bound <= max_bound; ++bound) {
    std::size_t executions = 0;
    for (const std::string& path : programs) {
      const auto program = lockstep::model::parse_program(read_file(path));
      lockstep::check::ExploreOptions options;
      options.preemption_bound = bound;
      const auto result = lockstep::check::explore(program, options);
      executions += result.executions;
      if (!result.failure) {
        if (!result.complete) {
          std::cout << "FAIL: exploration of " << path << " did not complete\n";
          return 1;
        }
        continue;
      }
      const auto size = lockstep::check::size_of(*result.failure);
      const auto shrunk = lockstep::check::shrink(*result.failure);
      std::cout << "found at preemption bound " << bound << " in " << path << " after " << executions
                << " executions: " << lockstep::check::name_of(result.failure->verdict) << "\n"
                << "  failing schedule: " << lockstep::check::to_string(size) << "\n"
                << "  shrunk: " << lockstep::check::to_string(shrunk.after) << "\n"
                << "  " << lockstep::check::to_compact(shrunk.minimal) << "\n"
                << "every schedule with fewer preemptions passed\n";
      if (size.preemptions > static_cast<std::size_t>(bound)) {
        std::cout << "FAIL: the failing schedule has more preemptions than the bound\n";
        return 1;
      }
      return 0;
    }
    std::cout << "bound " << bound << ": " << executions << " executions, no failure\n";
  }
  std::cout << "FAIL: not found with up to " << max_bound << " preemptions\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string expect;
  std::string kind;
  bool explore = false;
  std::string strategies = "both";
  int max_bound = 3;
  lockstep::check::RunOptions options;
  long runs = 200;
  std::vector<std::string> programs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--expect" && i + 1 < argc) {
      expect = argv[++i];
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::stol(argv[++i]);
    } else if (arg == "--kind" && i + 1 < argc) {
      kind = argv[++i];
    } else if (arg == "--strategy" && i + 1 < argc) {
      strategies = argv[++i];
    } else if (arg == "--explore") {
      explore = true;
    } else if (arg == "--max-bound" && i + 1 < argc) {
      max_bound = std::stoi(argv[++i]);
    } else if (arg == "--no-model") {
      options.compare_with_model = false;
    } else {
      programs.push_back(arg);
    }
  }
  if (explore && !programs.empty()) return explore_mode(programs, max_bound);
  if ((expect != "killed" && expect != "clean") || programs.empty()) {
    std::cerr << "usage: hunt --expect killed|clean --runs N PROGRAM...\n";
    return 2;
  }
  long total_runs = 0;
  for (const std::string& path : programs) {
    const auto program = lockstep::model::parse_program(read_file(path));
    const auto tasks = static_cast<int>(program.tasks.size());
    for (int strategy = 0; strategy < 3; ++strategy) {
      if (strategies == "random" && strategy != 0) continue;
      if (strategies == "pct" && strategy == 0) continue;
      for (long seed = 1; seed <= runs; ++seed) {
        std::unique_ptr<lockstep::check::ChoiceSource> source;
        if (strategy == 0) {
          source = std::make_unique<lockstep::check::RandomSource>(static_cast<std::uint64_t>(seed));
        } else {
          source = std::make_unique<lockstep::check::PctSource>(static_cast<std::uint64_t>(seed), strategy + 1, tasks, 16);
        }
        const auto run = lockstep::check::run_program(program, *source, lockstep::check::make_production_lock, options);
        ++total_runs;
        if (run.passed()) continue;
        const auto trace = lockstep::check::make_trace(program, source->describe(), run);
        std::cout << "failure after " << total_runs << " runs, in " << path << ":\n" << lockstep::check::to_text(trace);
        const std::string replay_error = check_replay(trace, options);
        if (!replay_error.empty()) {
          std::cout << "FAIL: " << replay_error << "\n";
          return 1;
        }
        std::cout << "the trace replays exactly\n";
        const auto shrunk = lockstep::check::shrink(trace, lockstep::check::make_production_lock, options);
        std::cout << "shrunk: " << lockstep::check::to_string(shrunk.after) << "\n";
        if (!kind.empty() && lockstep::check::name_of(run.failure) != kind) {
          std::cout << "FAIL: expected a failure of kind " << kind << "\n";
          return 1;
        }
        return expect == "killed" ? 0 : 1;
      }
    }
  }
  std::cout << total_runs << " runs, no failure\n";
  if (expect == "killed") std::cout << "FAIL: the mutant survived\n";
  return expect == "clean" ? 0 : 1;
}
