// lockstep: the harness's command line.
//
//   lockstep explore PROGRAM [--preemptions C] [--no-sleep-sets] [--budget SECONDS]
//                    [--max-executions N] [--checkpoint FILE] [--workers N | --split K/N] [--out FILE]
//                    [--trace-out FILE]
//   lockstep explore --resume CHECKPOINT [--budget SECONDS] [--max-executions N] [--checkpoint FILE]
//                    [--workers N] [--out FILE] [--trace-out FILE]
//   lockstep random PROGRAM [--runs N] [--seed S] [--out FILE] [--trace-out FILE]
//   lockstep pct PROGRAM [--runs N] [--depth D] [--seed S] [--out FILE] [--trace-out FILE]
//   lockstep replay TRACE [--then random|pct] [--seed S] [--depth D] [--out FILE] [--trace-out FILE]
//   lockstep shrink TRACE [--out FILE]
//   lockstep show TRACE [--svg FILE] [--html FILE]
//   lockstep campaign [--programs DIR] [--budget SECONDS] [--preemptions C] [--out FILE]
//   lockstep help [COMMAND] | lockstep [COMMAND] --help
//
// The flags, their ranges and defaults are one table (args.cpp), from which
// `--help` prints the full usage. PROGRAM is a program file
// (model/program.hpp); TRACE a trace file or a one-line compact trace. Every
// failure is shrunk, written to --out (default lockstep-failure.trace), and
// printed with the one command that reproduces it.
// Exit status: 0 pass, 1 a failure or a divergence, 2 bad usage or input,
// 128+N stopped by signal N (130 for Ctrl-C) after writing what it had.
#include <iostream>
#include <limits>

#include "commands.hpp"
#include "lockstep/check/show.hpp"
#include "lockstep/check/shrink.hpp"
#include "progress.hpp"
#include "signals.hpp"

namespace lockstep::tool {

int report_failure(const std::string& self, const check::Trace& failure, const std::string& out) {
  std::cout << "FAILURE: " << name_of(failure.verdict) << ": " << printable(failure.message) << "\n";
  write_output(out + ".original", check::to_text(failure));
  const check::ShrinkResult shrunk = check::shrink(failure);
  const std::string text = check::to_text(shrunk.minimal);
  std::cout << "shrunk: " << shrunk.summary() << "\n\n" << text << "\n";
  std::cout << check::timeline_text(shrunk.minimal) << "\n";
  write_output(out, text);
  std::cout << "compact: " << check::to_compact(shrunk.minimal) << "\n";
  std::cout << "trace written to " << printable(out) << " (unshrunk: " << printable(out) << ".original)\n";
  std::cout << "reproduce: " << printable(self) << " replay " << printable(out) << "\n";
  return 1;
}

SampleResult sample(const model::Program& program, bool pct, std::uint64_t runs, std::uint64_t seed, int depth,
                    double budget_seconds, const std::string& progress_label, bool keep_last) {
  SampleResult result;
  if (pct) {
    // PCT needs k, the decisions in a run: measure a run without preemptions,
    // then keep the largest seen.
    check::VectorSource none({});
    result.k = std::max<std::size_t>(1, check::run_program(program, none).decisions.size());
  }
  Progress progress(progress_label);
  for (std::uint64_t i = 0; i < runs; ++i) {
    if (stop_signal() != 0) {
      result.interrupted = true;
      break;
    }
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
      if (keep_last) result.last = result.failure;
      break;
    }
    if (keep_last && (i + 1 == runs || stop_signal() != 0)) result.last = check::make_trace(program, source->describe(), run);
    progress.update(result.runs);
    if (budget_seconds > 0 && progress.elapsed() >= budget_seconds) break;
  }
  return result;
}

namespace {

const std::string& need_operand(const Args& args) {
  if (!args.operand) throw Usage(args.command + " needs a " + std::string(args.spec->operand) + " file");
  return *args.operand;
}

int random_or_pct(const std::string& self, const Args& args) {
  const std::string& path = need_operand(args);
  const bool pct = args.command == "pct";
  const std::uint64_t runs = args.whole("runs");
  const std::uint64_t seed = args.whole("seed");
  const int depth = pct ? static_cast<int>(args.whole("depth")) : 0;
  if (runs - 1 > std::numeric_limits<std::uint64_t>::max() - seed) {
    throw Usage("--seed " + std::to_string(seed) + " with --runs " + std::to_string(runs) +
                " would pass the largest seed, 18446744073709551615");
  }
  const std::string out = args.text("out");
  check_output_path(out, "--out");
  const std::string trace_out = args.has("trace-out") ? args.text("trace-out") : "";
  if (!trace_out.empty()) check_output_path(trace_out, "--trace-out");
  const auto program = read_program(path);
  catch_stop_signals(true);
  const SampleResult result = sample(program, pct, runs, seed, depth, 0, args.command, !trace_out.empty());
  restore_default_signals();
  if (result.last) {
    write_output(trace_out, check::to_text(*result.last));
    std::cout << args.command << ": run " << result.runs << "'s trace written to " << printable(trace_out) << "\n";
  }
  if (result.failure) {
    std::cout << args.command << ": run " << result.runs << " of " << runs << " failed\n";
    return report_failure(self, *result.failure, out);
  }
  const std::string pct_note = pct ? ", depth " + std::to_string(depth) + ", k " + std::to_string(result.k) : "";
  if (result.interrupted) {
    std::cout << args.command << ": interrupted after " << result.runs << " of " << runs << " runs of "
              << printable(path);
    if (result.runs != 0) std::cout << " (seeds " << seed << ".." << seed + (result.runs - 1) << pct_note << ")";
    std::cout << ": those passed, " << result.steps << " steps\n";
    return exit_status_for(stop_signal());
  }
  std::cout << args.command << ": " << runs << " runs of " << printable(path) << " (seeds " << seed << ".."
            << seed + (runs - 1) << pct_note << "): all passed, " << result.steps << " steps";
  if (result.predicted_deadlocks != 0) std::cout << ", " << result.predicted_deadlocks << " predicted deadlocks";
  std::cout << "\n";
  return 0;
}

int replay(const std::string& self, const Args& args) {
  const std::string& path = need_operand(args);
  const std::string then_name = args.has("then") ? args.text("then") : "";
  if (then_name.empty() && args.has("seed")) throw Usage("--seed needs --then random or --then pct");
  if (then_name != "pct" && args.has("depth")) throw Usage("--depth needs --then pct");
  const std::string out = args.text("out");
  check_output_path(out, "--out");
  const check::Trace trace = read_trace(path);
  std::unique_ptr<check::ChoiceSource> then;
  if (then_name == "random") {
    then = std::make_unique<check::RandomSource>(args.whole("seed"));
  } else if (then_name == "pct") {
    then = std::make_unique<check::PctSource>(args.whole("seed"), static_cast<int>(args.whole("depth")),
                                              static_cast<int>(trace.program.tasks.size()), 64);
  }
  const std::string strategy = trace.strategy + (then ? " then " + then->describe() : "");
  const std::string trace_out = args.has("trace-out") ? args.text("trace-out") : "";
  if (!trace_out.empty()) check_output_path(trace_out, "--trace-out");
  const auto result = check::replay(trace, check::make_production_lock, std::move(then));
  if (!trace_out.empty()) write_output(trace_out, check::to_text(check::make_trace(trace.program, strategy, result.run)));
  if (result.diverged) {
    std::cout << printable(result.divergence) << "\n";
    return 1;
  }
  std::cout << "replayed " << result.run.steps.size() << " steps: " << check::verdict_line(result.run) << "\n";
  if (!result.run.passed()) {
    write_output(out, check::to_text(check::make_trace(trace.program, strategy, result.run)));
    std::cout << "the failure reproduces; trace written to " << printable(out) << "\nreproduce: " << printable(self)
              << " replay " << printable(out) << "\n";
    return 1;
  }
  return 0;
}

int shrink(const std::string& self, const Args& args) {
  const std::string& path = need_operand(args);
  const std::string out = args.has("out") ? args.text("out") : path + ".shrunk";
  check_output_path(out, "--out");
  const check::Trace trace = read_trace(path);
  if (trace.verdict == check::FailureKind::none) throw InputError(path + ": the trace passes: nothing to shrink");
  const check::ShrinkResult shrunk = check::shrink(trace);
  write_output(out, check::to_text(shrunk.minimal));
  std::cout << shrunk.summary() << "\n" << check::to_text(shrunk.minimal) << "shrunk trace written to "
            << printable(out) << "\nreproduce: " << printable(self) << " replay " << printable(out) << "\n";
  return 0;
}

int show(const Args& args) {
  const std::string& path = need_operand(args);
  if (args.has("svg")) check_output_path(args.text("svg"), "--svg");
  if (args.has("html")) check_output_path(args.text("html"), "--html");
  const check::Trace trace = read_trace(path);
  std::cout << check::timeline_text(trace);
  if (args.has("svg")) {
    write_output(args.text("svg"), check::timeline_svg(trace));
    std::cout << "picture written to " << printable(args.text("svg")) << "\n";
  }
  if (args.has("html")) {
    write_output(args.text("html"), check::timeline_html(trace));
    std::cout << "page written to " << printable(args.text("html")) << "\n";
  }
  return 0;
}

int run(const std::string& self, const Args& args) {
  if (args.help) {
    std::cout << usage_text(args.spec);
    return 0;
  }
  if (args.command == "random" || args.command == "pct") return random_or_pct(self, args);
  if (args.command == "explore") return explore_command(self, args);
  if (args.command == "replay") return replay(self, args);
  if (args.command == "shrink") return shrink(self, args);
  if (args.command == "show") return show(args);
  if (args.command == "campaign") return campaign(self, args);
  throw std::logic_error("lockstep: command " + args.command + " is in the table but not here");
}

}  // namespace
}  // namespace lockstep::tool

int main(int argc, char** argv) {
  using namespace lockstep::tool;
  const std::string self = argc > 0 ? argv[0] : "lockstep";
  std::string command;
  try {
    const Args args = parse_args(argc, argv);
    command = args.command;
    return run(self, args);
  } catch (const Usage& e) {
    std::cerr << "lockstep: " << printable(e.what()) << "\n";
    const CommandSpec* spec = find_command(command.empty() && argc > 1 ? argv[1] : command);
    if (spec != nullptr) {
      std::cerr << "usage: " << synopsis(*spec) << "\n"
                << "run 'lockstep " << spec->name << " --help' for the flags, or 'lockstep --help' for every command\n";
    } else {
      std::cerr << "usage: lockstep COMMAND ..., with COMMAND one of";
      for (const CommandSpec& c : command_table()) std::cerr << " " << c.name;
      std::cerr << "\nrun 'lockstep --help' for every command and flag\n";
    }
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lockstep: " << printable(e.what()) << "\n";
    return 2;
  }
}
