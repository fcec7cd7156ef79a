// The verification campaign (the README's main job): exhaustive exploration of
// every standard program up to a preemption bound, then PCT and random
// schedules for a time budget, ending in one table.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "progress.hpp"
#include "lockstep/check/generate.hpp"
#include "signals.hpp"

namespace lockstep::tool {

namespace {
struct Row {
  std::string program;
  std::size_t explored = 0;
  std::string bound;
  bool complete = false;
  std::size_t random_runs = 0;
  std::size_t pct_runs = 0;
  std::string failure;  // "" or the failure kind and where
};
}  // namespace

struct GeneratedPhase {
  std::size_t programs = 0;
  std::size_t executions = 0;
  std::size_t random_runs = 0;
  bool interrupted = false;
  std::optional<check::Trace> failure;
  std::uint64_t failing_seed = 0;
  std::string technique;
};

// Programs generated from seed, seed + 1, ...: each explored up to one delay
// (at most 300 executions), then 30 random schedules, until the budget is spent.
GeneratedPhase explore_generated(std::uint64_t seed, double budget, int bound) {
  GeneratedPhase phase;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(budget));
  Progress progress("generated programs");
  for (std::uint64_t s = seed; Clock::now() < deadline; ++s) {
    if (stop_signal() != 0) {
      phase.interrupted = true;
      break;
    }
    const model::Program program = check::generate_program(s);
    check::ExploreOptions options;
    options.preemption_bound = std::min(bound, 1);
    options.max_executions = 300;
    const check::ExploreResult explored = check::explore(program, options);
    phase.executions += explored.executions;
    ++phase.programs;
    progress.update(phase.programs);
    if (explored.failure) {
      phase.failure = explored.failure;
      phase.technique = "explore";
    } else {
      for (std::uint64_t r = 0; r < 30 && !phase.failure; ++r) {
        check::RandomSource random(s * 1000 + r);
        const check::RunResult run = check::run_program(program, random);
        ++phase.random_runs;
        if (!run.passed()) {
          phase.failure = check::make_trace(program, random.describe(), run);
          phase.technique = "random";
        }
      }
    }
    if (phase.failure) {
      phase.failing_seed = s;
      break;
    }
  }
  progress.finish();
  return phase;
}

int campaign(const std::string& self, const Args& args) {
  if (args.operand) throw Usage("campaign takes no argument, got '" + *args.operand + "'");
  const std::string dir = args.text("programs");
  const double budget = args.seconds("budget");
  const auto bound = static_cast<int>(args.whole("preemptions"));
  const std::string out = args.text("out");
  const std::uint64_t seed = args.whole("seed");
  check_output_path(out, "--out");
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) throw InputError("campaign: no such folder " + dir);
  if (!std::filesystem::is_directory(dir, error)) throw InputError("campaign: " + dir + " is not a folder");
  std::vector<std::filesystem::path> paths;
  std::filesystem::directory_iterator entries(dir, error);
  if (error) throw InputError("campaign: cannot read the folder " + dir + ": " + error.message());
  for (const auto& entry : entries) {
    if (entry.path().extension() == ".prog") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) throw InputError("campaign: no .prog files in " + dir);
  // Every program parses before any runs: a bad one names its file and place.
  std::vector<model::Program> programs;
  for (const auto& path : paths) programs.push_back(read_program(path.string()));
  std::cout << "campaign: " << paths.size() << " programs from " << printable(dir) << "; exhaustive up to " << bound
            << " preemptions, then PCT (depth 3) and random schedules for " << budget << " s\n";
  catch_stop_signals(true);

  std::vector<Row> rows;
  std::optional<check::Trace> first_failure;
  // Half the budget for the standard programs, half for generated ones.
  const double per_program = budget / 2 / static_cast<double>(programs.size()) / 2;
  bool interrupted = false;
  for (std::size_t i = 0; i < paths.size() && !interrupted; ++i) {
    const model::Program& program = programs[i];
    Row row;
    row.program = printable(paths[i].filename().string());
    // 1. Every schedule with at most `bound` preemptions.
    check::ExploreOptions options;
    options.preemption_bound = bound;
    options.deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(per_program * 4));
    options.should_stop = [] { return stop_signal() != 0; };
    Progress progress("explore " + row.program);
    options.progress = [&](std::size_t runs, std::size_t) { progress.update(runs); };
    const check::ExploreResult explored = check::explore(program, options);
    interrupted = stop_signal() != 0 && !explored.complete && !explored.failure;
    progress.finish();
    row.explored = explored.executions;
    row.complete = explored.complete;
    row.bound = "<=" + std::to_string(bound);
    const std::string coverage = explored.complete || explored.failure
                                     ? explored.coverage()
                                     : (interrupted ? "interrupted" : "stopped at its share of the budget") +
                                           std::string(": not every schedule was explored");
    std::cout << "  " << row.program << ": " << coverage << " (" << explored.executions
              << " executions, " << std::fixed << std::setprecision(2) << explored.elapsed.count() << " s)\n";
    auto note_failure = [&](const std::optional<check::Trace>& failure, const char* technique) {
      if (!failure) return;
      row.failure = std::string(check::name_of(failure->verdict)) + " (" + technique + ")";
      if (!first_failure) first_failure = failure;
    };
    note_failure(explored.failure, "explore");
    // 2. PCT (depth 3), then random schedules, for this program's share of the budget.
    for (const bool pct : {true, false}) {
      if (!row.failure.empty() || interrupted) break;
      const char* technique = pct ? "pct" : "random";
      const auto sampled = sample(program, pct, ~0ULL >> 1, 1, 3, per_program, technique + (" " + row.program));
      (pct ? row.pct_runs : row.random_runs) = sampled.runs;
      interrupted = sampled.interrupted;
      note_failure(sampled.failure, technique);
    }
    rows.push_back(row);
  }

  if (!interrupted && !first_failure) {
    const GeneratedPhase generated = explore_generated(seed, budget / 2, bound);
    interrupted = generated.interrupted;
    std::cout << "  generated programs (seed " << seed << "): " << generated.programs << " programs, "
              << generated.executions << " explored executions, " << generated.random_runs << " random runs";
    if (generated.failure) {
      std::cout << ", FAILED on program seed " << generated.failing_seed << " (" << generated.technique << ")";
      first_failure = generated.failure;
    }
    std::cout << "\n";
    Row row;
    row.program = "generated:" + std::to_string(generated.programs);
    row.explored = generated.executions;
    row.bound = "<=" + std::to_string(std::min(bound, 1));
    row.random_runs = generated.random_runs;
    if (generated.failure) {
      row.failure = std::string(check::name_of(generated.failure->verdict)) + " (" + generated.technique + ", seed " +
                    std::to_string(generated.failing_seed) + ")";
    }
    rows.push_back(row);
  }

  std::cout << "\n"
            << std::left << std::setw(24) << "program" << std::right << std::setw(10) << "explored" << std::setw(8)
            << "bound" << std::setw(10) << "complete" << std::setw(10) << "pct" << std::setw(10) << "random"
            << "  failures\n";
  std::size_t failures = 0;
  for (const Row& row : rows) {
    std::cout << std::left << std::setw(24) << row.program << std::right << std::setw(10) << row.explored
              << std::setw(8) << row.bound << std::setw(10) << (row.complete ? "yes" : "no") << std::setw(10)
              << row.pct_runs << std::setw(10) << row.random_runs << "  " << (row.failure.empty() ? "0" : row.failure)
              << "\n";
    failures += row.failure.empty() ? 0 : 1;
  }
  restore_default_signals();
  if (interrupted && !first_failure) {
    std::cout << "\ncampaign interrupted by signal " << stop_signal() << ": " << rows.size() << " of "
              << paths.size() << " programs checked (the last one partly), no failures\n";
    return exit_status_for(stop_signal());
  }
  std::cout << "\n" << (failures == 0 ? "campaign passed" : "campaign FAILED") << ": " << rows.size() << " programs, "
            << failures << " with failures" << (interrupted ? " (interrupted)" : "") << "\n";
  if (first_failure) return report_failure(self, *first_failure, out);
  return 0;
}

}  // namespace lockstep::tool
