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
// This file only dispatches and turns errors into exit status 2; each command
// is its own file (commands.hpp). The flags, their ranges and defaults are one
// table (args_table.cpp), from which `--help` prints the full usage. Every
// command that runs ends its output with one JSON summary line (summary.hpp).
// Exit status: 0 pass, 1 a failure or a divergence, 2 bad usage or input,
// 128+N stopped by signal N (130 for Ctrl-C) after writing what it had.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "signals.hpp"

namespace lockstep::tool {

namespace {

// Where a crash's run in progress goes: the failure's trace file, never the
// trace the command reads.
std::string crash_trace_path(const Args& args) {
  const std::string operand = args.operand.value_or("");
  const std::string out = args.command == "shrink" && !args.has("out") ? operand + ".shrunk" : args.text("out");
  return out == operand ? operand + ".crash" : out;
}

int run(const std::string& self, const Args& args) {
  if (args.help) {
    std::cout << usage_text(args.spec);
    return 0;
  }
  if (args.command != "show") report_crashes(self, args.command, crash_trace_path(args));
  if (args.command == "random" || args.command == "pct") return random_or_pct(self, args);
  if (args.command == "explore") return explore_command(self, args);
  if (args.command == "replay") return replay_command(self, args);
  if (args.command == "shrink") return shrink_command(self, args);
  if (args.command == "show") return show_command(args);
  if (args.command == "campaign") return campaign(self, args);
  throw std::logic_error("lockstep: command " + args.command + " is in the table but not here");
}

void print_usage_error(const Usage& e, const std::string& command, int argc, char** argv) {
  std::cerr << "lockstep: " << printable(e.what()) << "\n";
  const CommandSpec* spec = find_command(command.empty() && argc > 1 ? argv[1] : command);
  if (spec != nullptr) {
    std::cerr << "usage: " << synopsis(*spec) << "\n"
              << "run 'lockstep " << spec->name << " --help' for the flags, or 'lockstep --help' for every command\n";
    return;
  }
  std::cerr << "usage: lockstep COMMAND ..., with COMMAND one of";
  for (const CommandSpec& c : command_table()) std::cerr << " " << c.name;
  std::cerr << "\nrun 'lockstep --help' for every command and flag\n";
}

}  // namespace
}  // namespace lockstep::tool

int main(int argc, char** argv) {
  using namespace lockstep::tool;
  // Line-buffered even into a pipe: the lines printed before a crash are not
  // lost with the buffer (a crash report cannot flush it safely).
  std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);
  const std::string self = argc > 0 ? argv[0] : "lockstep";
  std::string command;
  try {
    const Args args = parse_args(argc, argv);
    command = args.command;
    return run(self, args);
  } catch (const Usage& e) {
    print_usage_error(e, command, argc, argv);
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lockstep: " << printable(e.what()) << "\n";
    return 2;
  }
}
