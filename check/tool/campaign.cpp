// `lockstep campaign` (the README's main job): exhaustive exploration of every
// standard program up to a preemption bound, then PCT and random schedules
// for a time budget, then generated programs (campaign_generated.cpp), ending
// in one table and the summary line.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "campaign.hpp"
#include "progress.hpp"
#include "signals.hpp"

namespace lockstep::tool {

namespace {

struct Setup {
  std::string dir;
  double budget = 0;
  int bound = 0;
  std::string out;
  std::uint64_t seed = 0;
  std::vector<std::filesystem::path> paths;
  std::vector<model::Program> programs;
};

std::vector<std::filesystem::path> program_files(const std::string& dir) {
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
  return paths;
}

Setup read_setup(const Args& args) {
  if (args.operand) throw Usage("campaign takes no argument, got '" + *args.operand + "'");
  Setup setup;
  setup.dir = args.text("programs");
  setup.budget = args.seconds("budget");
  setup.bound = static_cast<int>(args.whole("preemptions"));
  setup.out = args.text("out");
  setup.seed = args.whole("seed");
  check_output_path(setup.out, "--out");
  setup.paths = program_files(setup.dir);
  // Every program parses before any runs: a bad one names its file and place.
  for (const auto& path : setup.paths) setup.programs.push_back(read_program(path.string()));
  return setup;
}

// 1. Every schedule with at most `bound` preemptions, within a deadline.
check::ExploreResult explore_program(const model::Program& program, const std::string& name, int bound,
                                     double seconds) {
  check::ExploreOptions options;
  options.preemption_bound = bound;
  options.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  options.should_stop = [] { return stop_signal() != 0; };
  Progress progress("explore " + name);
  options.progress = [&](std::size_t runs, std::size_t) { progress.update(runs); };
  return check::explore(program, options);
}

// One standard program: explored, then PCT (depth 3) and random schedules for
// its share of the budget.
CampaignRow check_program(const std::filesystem::path& path, const model::Program& program, const Setup& setup,
                          double per_program, CampaignState& state) {
  CampaignRow row;
  row.program = printable(path.filename().string());
  const check::ExploreResult explored = explore_program(program, row.program, setup.bound, per_program * 4);
  state.interrupted = stop_signal() != 0 && !explored.complete && !explored.failure;
  row.explored = explored.executions;
  row.complete = explored.complete;
  row.bound = "<=" + std::to_string(setup.bound);
  const std::string stopped = state.interrupted ? "interrupted" : "stopped at its share of the budget";
  const std::string coverage =
      explored.complete || explored.failure ? explored.coverage() : stopped + ": not every schedule was explored";
  std::cout << "  " << row.program << ": " << coverage << " (" << explored.executions << " executions, " << std::fixed
            << std::setprecision(2) << explored.elapsed.count() << " s)\n";
  state.note_failure(row, explored.failure, "explore", row.program);
  for (const bool pct : {true, false}) {
    if (!row.failure.empty() || state.interrupted) break;
    const char* technique = pct ? "pct" : "random";
    const auto sampled = sample(program, pct, ~0ULL >> 1, 1, 3, per_program, technique + (" " + row.program));
    (pct ? row.pct_runs : row.random_runs) = sampled.runs;
    state.interrupted = sampled.interrupted;
    state.note_failure(row, sampled.failure, technique, row.program);
  }
  return row;
}

std::size_t print_table(const std::vector<CampaignRow>& rows) {
  std::cout << "\n"
            << std::left << std::setw(24) << "program" << std::right << std::setw(10) << "explored" << std::setw(8)
            << "bound" << std::setw(10) << "complete" << std::setw(10) << "pct" << std::setw(10) << "random"
            << "  failures\n";
  std::size_t failures = 0;
  for (const CampaignRow& row : rows) {
    std::cout << std::left << std::setw(24) << row.program << std::right << std::setw(10) << row.explored
              << std::setw(8) << row.bound << std::setw(10) << (row.complete ? "yes" : "no") << std::setw(10)
              << row.pct_runs << std::setw(10) << row.random_runs << "  " << (row.failure.empty() ? "0" : row.failure)
              << "\n";
    failures += row.failure.empty() ? 0 : 1;
  }
  return failures;
}

void print_summary(const Setup& setup, const std::vector<CampaignRow>& rows, const CampaignState& state,
                   const check::TraceSize& shrunk) {
  SummaryLine line("campaign");
  const bool failed = state.first_failure.has_value();
  line.add("verdict", failed ? "fail" : state.interrupted ? "interrupted" : "pass");
  std::size_t standard = 0, executions = 0, pct = 0, random = 0, failures = 0;
  for (const CampaignRow& row : rows) {
    standard += row.generated ? 0 : 1;
    executions += row.explored;
    pct += row.pct_runs;
    random += row.random_runs;
    failures += row.failure.empty() ? 0 : 1;
  }
  line.add("programs", standard).add("programs_total", setup.paths.size());
  line.add("generated_programs", state.generated_programs).add("executions", executions);
  line.add("pct_runs", pct).add("random_runs", random).add("rows_failed", failures);
  if (failed) {
    line.add("failing_program", state.failing_program).add("technique", state.technique);
    line.add_seconds("first_failure_s", state.first_failure_seconds);
  } else {
    line.add_null("failing_program").add_null("technique").add_null("first_failure_s");
  }
  add_failure(line, failed ? &*state.first_failure : nullptr, setup.out, shrunk);
  line.add("seed", setup.seed).add("bound", static_cast<std::uint64_t>(setup.bound));
  line.add_seconds("budget_s", setup.budget);
  line.print(std::cout);
}

}  // namespace

void CampaignState::note_failure(CampaignRow& row, const std::optional<check::Trace>& failure, const char* how,
                                 const std::string& program) {
  if (!failure) return;
  row.failure = std::string(check::name_of(failure->verdict)) + " (" + how + ")";
  if (first_failure) return;
  first_failure = failure;
  failing_program = program;
  technique = how;
  first_failure_seconds = std::chrono::duration<double>(Clock::now() - started).count();
}

int campaign(const std::string& self, const Args& args) {
  const Setup setup = read_setup(args);
  std::cout << "campaign: " << setup.paths.size() << " programs from " << printable(setup.dir) << "; exhaustive up to "
            << setup.bound << " preemptions, then PCT (depth 3) and random schedules for " << setup.budget << " s\n";
  catch_stop_signals(true);
  CampaignState state;
  std::vector<CampaignRow> rows;
  // Half the budget for the standard programs, half for generated ones.
  const double per_program = setup.budget / 2 / static_cast<double>(setup.programs.size()) / 2;
  for (std::size_t i = 0; i < setup.paths.size() && !state.interrupted; ++i) {
    rows.push_back(check_program(setup.paths[i], setup.programs[i], setup, per_program, state));
  }
  if (!state.interrupted && !state.first_failure) {
    rows.push_back(generated_row(setup.seed, setup.budget / 2, setup.bound, state));
  }
  const std::size_t failures = print_table(rows);
  restore_default_signals();
  check::TraceSize shrunk;
  int status = 0;
  if (state.interrupted && !state.first_failure) {
    std::cout << "\ncampaign interrupted by signal " << stop_signal() << ": " << rows.size() << " of "
              << setup.paths.size() << " programs checked (the last one partly), no failures\n";
    status = exit_status_for(stop_signal());
  } else {
    std::cout << "\n"
              << (failures == 0 ? "campaign passed" : "campaign FAILED") << ": " << rows.size() << " programs, "
              << failures << " with failures" << (state.interrupted ? " (interrupted)" : "") << "\n";
    if (state.first_failure) status = report_failure(self, *state.first_failure, setup.out, &shrunk);
  }
  print_summary(setup, rows, state, shrunk);
  return status;
}

}  // namespace lockstep::tool
