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

int campaign(const std::string& self, const Args& args) {
  const std::string dir = args.text("programs", "check/programs");
  const double budget = args.seconds("budget", 60);
  const auto bound = static_cast<int>(args.number("preemptions", 2));
  std::vector<std::filesystem::path> programs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".prog") programs.push_back(entry.path());
  }
  std::sort(programs.begin(), programs.end());
  if (programs.empty()) throw Usage("no .prog files in " + dir);
  std::cout << "campaign: " << programs.size() << " programs from " << dir << "; exhaustive up to " << bound
            << " preemptions, then PCT (depth 3) and random schedules for " << budget << " s\n";

  std::vector<Row> rows;
  std::optional<check::Trace> first_failure;
  const double per_program = budget / static_cast<double>(programs.size()) / 2;
  for (const auto& path : programs) {
    Row row;
    row.program = path.filename().string();
    const auto program = model::parse_program(read_file(path.string()));
    // 1. Every schedule with at most `bound` preemptions.
    check::ExploreOptions options;
    options.preemption_bound = bound;
    options.time_budget = std::chrono::duration<double>(per_program * 4);
    Progress progress("explore " + row.program);
    options.progress = [&](std::size_t runs, std::size_t) { progress.update(runs); };
    const auto explored = check::explore(program, options);
    progress.finish();
    row.explored = explored.executions;
    row.complete = explored.complete;
    row.bound = "<=" + std::to_string(bound);
    std::cout << "  " << row.program << ": " << explored.coverage(options) << " (" << explored.executions
              << " executions, " << std::fixed << std::setprecision(2) << explored.elapsed.count() << " s)\n";
    auto note_failure = [&](const std::optional<check::Trace>& failure, const char* technique) {
      if (!failure) return;
      row.failure = std::string(check::name_of(failure->verdict)) + " (" + technique + ")";
      if (!first_failure) first_failure = failure;
    };
    note_failure(explored.failure, "explore");
    // 2. PCT (depth 3), then random schedules, for this program's share of the budget.
    for (const bool pct : {true, false}) {
      if (!row.failure.empty()) break;
      const char* technique = pct ? "pct" : "random";
      const auto sampled = sample(program, pct, ~0ULL >> 1, 1, 3, per_program, technique + (" " + row.program));
      (pct ? row.pct_runs : row.random_runs) = sampled.runs;
      note_failure(sampled.failure, technique);
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
  std::cout << "\n" << (failures == 0 ? "campaign passed" : "campaign FAILED") << ": " << rows.size() << " programs, "
            << failures << " with failures\n";
  if (first_failure) return report_failure(self, *first_failure, args.text("out", "lockstep-failure.trace"));
  return 0;
}

}  // namespace lockstep::tool
