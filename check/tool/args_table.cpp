// The one flag table: every command, its operand, summary, flags (kind,
// range, default, help) and the rules between them. The parser, the usage
// text and `--help` are generated from it (args.cpp, usage.cpp).
#include <limits>

#include "args.hpp"

#ifndef LOCKSTEP_PROGRAMS_DIR
#define LOCKSTEP_PROGRAMS_DIR "check/programs"
#endif

namespace lockstep::tool {

namespace {

constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

FlagSpec of_kind(FlagKind kind, std::string_view name, std::string_view value, std::string_view fallback,
                 std::string_view help) {
  FlagSpec f;
  f.name = name;
  f.kind = kind;
  f.value_name = value;
  f.fallback = fallback;
  f.help = help;
  return f;
}

FlagSpec whole(std::string_view name, std::string_view value, std::uint64_t min, std::uint64_t max,
               std::string_view fallback, std::string_view help) {
  FlagSpec f = of_kind(FlagKind::whole, name, value, fallback, help);
  f.min = min;
  f.max = max;
  return f;
}

FlagSpec out_flag() {
  return of_kind(FlagKind::path, "out", "FILE", "lockstep-failure.trace",
                 "where a failure's shrunk trace goes; the unshrunk one goes to FILE.original");
}
FlagSpec seed_flag(std::string_view help) { return whole("seed", "S", 0, kMaxU64, "1", help); }
FlagSpec runs_flag() { return whole("runs", "N", 1, 1'000'000'000, "1000", "how many runs (seeds S, S+1, ...)"); }
FlagSpec depth_flag(std::string_view help) { return whole("depth", "D", 1, 64, "2", help); }
FlagSpec preemptions_flag(std::string_view fallback, std::string_view help) {
  return whole("preemptions", "C", 0, 64, fallback, help);
}
FlagSpec trace_out_flag(std::string_view help) { return of_kind(FlagKind::path, "trace-out", "FILE", "", help); }
FlagSpec budget_flag(std::string_view fallback, std::string_view help) {
  return of_kind(FlagKind::seconds, "budget", "SECONDS", fallback, help);
}

CommandSpec command(std::string_view name, std::string_view operand, std::string_view summary) {
  CommandSpec c;
  c.name = name;
  c.operand = operand;
  c.summary = summary;
  return c;
}

CommandSpec explore_spec() {
  CommandSpec c =
      command("explore", "PROGRAM",
              "every schedule of PROGRAM up to equivalence, depth first, with an optional preemption bound");
  FlagSpec reduction = of_kind(FlagKind::text, "reduction", "R", "dpor",
                               "dpor: one run per equivalence class (Optimal DPOR; sleep sets under --preemptions), "
                               "sleep: sleep sets, none: every schedule");
  reduction.choices = {"dpor", "sleep", "none"};
  c.flags = {
      preemptions_flag("", "explore only schedules with at most C preemptions"),
      reduction,
      of_kind(FlagKind::boolean, "no-sleep-sets", "", "", "the same as --reduction none"),
      budget_flag("", "stop after about SECONDS, counted for the whole run with --workers too"),
      whole("max-executions", "N", 1, 1'000'000'000'000, "", "stop after N executions in this run"),
      of_kind(FlagKind::path, "checkpoint", "FILE", "lockstep-explore.checkpoint",
              "where a run that stops early (or is interrupted) writes its checkpoint"),
      of_kind(FlagKind::path, "resume", "CHECKPOINT", "", "go on from a checkpoint instead of starting on a PROGRAM"),
      whole("workers", "N", 1, 64, "", "deal the tree, by decision prefix, over N worker processes"),
      of_kind(FlagKind::split, "split", "K/N", "",
              "explore only share K of N (1 <= K <= N <= 4096), so N machines can each take one"),
      out_flag(),
      trace_out_flag("write the last execution's trace here (the failing one on a failure), pass or fail"),
  };
  c.notes = {
      "give PROGRAM or --resume CHECKPOINT, not both",
      "a run that stops early (--budget, --max-executions, SIGINT or SIGTERM) writes one checkpoint, in every mode;",
      "  it resumes alone or with --workers N for any N (--resume takes the bound, the reduction and the",
      "  subtrees from it: no --preemptions, --reduction, --no-sleep-sets or --split with it); a dpor run that stops",
      "  leaves what it had not finished as subtrees not begun, which resume re-explores whole",
      "--workers and --split exclude each other; --max-executions does not go with --workers (use --budget)",
      "the last line of stdout is one JSON summary: verdict, executions, pruned, classes, bound, reduction, ...",
      "a checkpoint (format v4) carries its version, its program and the program's hash, and a checksum of",
      "  everything above its last line; one cut short, edited or of another program is refused as FILE:LINE",
  };
  c.flags[0].fallback_note = "every schedule";
  return c;
}

CommandSpec random_spec() {
  CommandSpec c = command("random", "PROGRAM", "uniformly random schedules of PROGRAM");
  c.flags = {runs_flag(), seed_flag("the first run's seed"), out_flag(),
             trace_out_flag("write the last run's trace here (the failing one on a failure), pass or fail")};
  c.notes = {"S + N - 1 must not pass 18446744073709551615"};
  return c;
}

CommandSpec pct_spec() {
  CommandSpec c =
      command("pct", "PROGRAM", "PCT schedules of PROGRAM (probabilistic concurrency testing, bug depth D)");
  c.flags = {runs_flag(), depth_flag("the bug depth PCT aims at"), seed_flag("the first run's seed"), out_flag(),
             trace_out_flag("write the last run's trace here (the failing one on a failure), pass or fail")};
  c.notes = {"S + N - 1 must not pass 18446744073709551615"};
  return c;
}

CommandSpec replay_spec() {
  CommandSpec c = command("replay", "TRACE", "re-run a trace and check every recorded step (TRACE: a trace file)");
  FlagSpec then =
      of_kind(FlagKind::text, "then", "STRATEGY", "", "after the recorded decisions, go on with random or pct");
  then.choices = {"random", "pct"};
  c.flags = {then, seed_flag("the seed of --then's strategy"), depth_flag("the depth of --then pct"), out_flag(),
             trace_out_flag("write the whole run's trace here, pass or fail")};
  c.notes = {"--seed needs --then; --depth needs --then pct"};
  return c;
}

CommandSpec shrink_spec() {
  CommandSpec c = command("shrink", "TRACE", "shrink a failing trace again");
  c.flags = {of_kind(FlagKind::path, "out", "FILE", "", "where the shrunk trace goes")};
  c.flags.back().fallback_note = "TRACE.shrunk";
  return c;
}

CommandSpec show_spec() {
  CommandSpec c = command("show", "TRACE", "print a trace's timeline");
  c.flags = {of_kind(FlagKind::path, "svg", "FILE", "", "also draw the timeline as an SVG picture in FILE"),
             of_kind(FlagKind::path, "html", "FILE", "",
                     "also write the timeline as one self-contained HTML page in FILE (arrow keys step through it)")};
  return c;
}

CommandSpec campaign_spec() {
  CommandSpec c =
      command("campaign", "", "the verification campaign: explore every program in DIR, then PCT and random schedules");
  c.flags = {
      of_kind(FlagKind::path, "programs", "DIR", LOCKSTEP_PROGRAMS_DIR, "the folder of .prog files to check"),
      budget_flag("60", "about how long the whole campaign runs"),
      preemptions_flag("2", "the delay bound of the exhaustive part"),
      seed_flag("the first seed of the generated programs (seed, seed + 1, ...)"),
      out_flag(),
  };
  return c;
}

// The commands, in the order the usage text lists them.
constexpr CommandSpec (*kCommands[])() = {explore_spec, random_spec, pct_spec,     replay_spec,
                                          shrink_spec,  show_spec,   campaign_spec};

}  // namespace

const std::vector<CommandSpec>& command_table() {
  static const std::vector<CommandSpec> table = [] {
    std::vector<CommandSpec> commands;
    for (const auto make : kCommands) commands.push_back(make());
    return commands;
  }();
  return table;
}

}  // namespace lockstep::tool
