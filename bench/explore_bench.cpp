// The exploration table: n tasks each doing `scoped { yield }; yield`, for
// n = 2..7, explored exhaustively with dpor (Optimal DPOR) and with the older
// sleep-set search (skipped from n = 6), each within a time budget. Writes a
// markdown table to the file named on its command line.
//   explore_bench OUT.md [--budget SECONDS] [--max-tasks N]
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

#include "lockstep/check/explore.hpp"

using namespace lockstep;

namespace {

model::Program family(int tasks) {
  std::string text;
  for (int t = 1; t <= tasks; ++t) text += "task " + std::to_string(t) + ": scoped { yield }; yield\n";
  return model::parse_program(text);
}

std::string row(int tasks, check::Reduction reduction, double budget) {
  check::ExploreOptions options;
  options.reduction = reduction;
  options.time_budget = std::chrono::duration<double>(budget);
  const check::ExploreResult r = check::explore(family(tasks), options);
  std::ostringstream out;
  out << "| " << tasks << " | " << check::to_string(reduction) << " | " << r.executions << " | "
      << (r.classes_capped ? "> " : "") << r.classes << " | " << r.pruned << " | " << std::fixed << std::setprecision(3)
      << r.elapsed.count() << " | " << (r.complete ? "yes" : "no: stopped at the budget") << " |\n";
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: explore_bench OUT.md [--budget SECONDS] [--max-tasks N]\n";
    return 2;
  }
  double budget = 30;
  int max_tasks = 7;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--budget") budget = std::strtod(argv[i + 1], nullptr);
    if (flag == "--max-tasks") max_tasks = std::atoi(argv[i + 1]);
  }
  std::ostringstream table;
  table << "n tasks, each `scoped { yield }; yield`, explored exhaustively (one core; each cell stops after "
        << budget << " s):\n\n"
        << "| n | reduction | executions | equivalence classes | runs cut short | seconds | complete |\n"
        << "|---|---|---|---|---|---|---|\n";
  for (int n = 2; n <= max_tasks; ++n) {
    table << row(n, check::Reduction::dpor, budget);
    if (n < 6) table << row(n, check::Reduction::sleep, budget);
    std::cout << "n=" << n << " done\n" << std::flush;
  }
  std::ofstream out(argv[1]);
  out << table.str();
  std::cout << table.str();
  return out ? 0 : 1;
}
