// The exploration table: n tasks each doing `scoped { yield }; yield`, for
// n = 2..7, explored exhaustively with dpor (Optimal DPOR) and with the older
// sleep-set search (skipped from n = 6), each within a time budget. Writes a
// markdown table to the file named on its command line, and its rows as JSON
// lines beside it (OUT.md.json).
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

struct Row {
  int tasks = 0;
  check::Reduction reduction = check::Reduction::dpor;
  check::ExploreResult result;
};

Row measure(int tasks, check::Reduction reduction, double budget) {
  check::ExploreOptions options;
  options.reduction = reduction;
  options.time_budget = std::chrono::duration<double>(budget);
  return {tasks, reduction, check::explore(family(tasks), options)};
}

std::string markdown(const Row& row) {
  const check::ExploreResult& r = row.result;
  std::ostringstream out;
  out << "| " << row.tasks << " | " << check::to_string(row.reduction) << " | " << r.executions << " | "
      << (r.classes_capped ? "> " : "") << r.classes << " | " << r.pruned << " | " << std::fixed << std::setprecision(3)
      << r.elapsed.count() << " | " << (r.complete ? "yes" : "no: stopped at the budget") << " |\n";
  return out.str();
}

// One JSON object per row, for bench/report.py.
std::string json(const Row& row) {
  const check::ExploreResult& r = row.result;
  std::ostringstream out;
  out << R"({"tasks":)" << row.tasks << R"(,"reduction":")" << check::to_string(row.reduction) << R"(","executions":)"
      << r.executions << R"(,"classes":)" << r.classes << R"(,"classes_capped":)"
      << (r.classes_capped ? "true" : "false") << R"(,"pruned":)" << r.pruned << R"(,"seconds":)" << std::fixed
      << std::setprecision(3) << r.elapsed.count() << R"(,"complete":)" << (r.complete ? "true" : "false") << "}";
  return out.str();
}

struct Args {
  std::string out;
  double budget = 30;
  int max_tasks = 7;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "explore_bench: " << problem << "\nusage: explore_bench OUT.md [--budget SECONDS] [--max-tasks N]\n";
  std::exit(2);
}

Args parse(int argc, char** argv) {
  if (argc < 2) usage("no output file");
  Args args{argv[1]};
  for (int i = 2; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(flag + " needs a value");
    char* end = nullptr;
    if (flag == "--budget") {
      args.budget = std::strtod(argv[i + 1], &end);
      if (*end != '\0' || !(args.budget > 0)) usage("--budget takes a positive number of seconds");
    } else if (flag == "--max-tasks") {
      const long n = std::strtol(argv[i + 1], &end, 10);
      if (*end != '\0' || n < 2 || n > 8) usage("--max-tasks takes a whole number from 2 to 8");
      args.max_tasks = static_cast<int>(n);
    } else {
      usage("unknown flag " + flag);
    }
  }
  return args;
}

}  // namespace

// Writes OUT.md (the table) and OUT.md.json (one row a line, for bench/report.py).
int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  std::ostringstream table;
  std::ostringstream rows;
  table << "n tasks, each `scoped { yield }; yield`, explored exhaustively (one core; each cell stops after "
        << args.budget << " s):\n\n"
        << "| n | reduction | executions | equivalence classes | runs cut short | seconds | complete |\n"
        << "|---|---|---|---|---|---|---|\n";
  for (int n = 2; n <= args.max_tasks; ++n) {
    for (const check::Reduction reduction : {check::Reduction::dpor, check::Reduction::sleep}) {
      if (reduction == check::Reduction::sleep && n >= 6) continue;  // hours, not seconds
      const Row row = measure(n, reduction, args.budget);
      table << markdown(row);
      rows << json(row) << "\n";
    }
    std::cout << "n=" << n << " done\n" << std::flush;
  }
  std::ofstream out(args.out);
  out << table.str();
  std::ofstream out_json(args.out + ".json");
  out_json << rows.str();
  std::cout << table.str();
  return out && out_json ? 0 : 1;
}
