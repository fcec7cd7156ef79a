// lockstep: the harness's command line.
//
//   lockstep random PROGRAM [--runs N] [--seed S] [--out FILE]
//   lockstep pct PROGRAM [--runs N] [--depth D] [--seed S] [--out FILE]
//   lockstep replay TRACE [--then random|pct] [--seed S] [--depth D]
//
// PROGRAM is a program file (see model/program.hpp); TRACE a trace file or a
// compact one-line trace. A failure prints its trace, writes it to FILE
// (default lockstep-failure.trace) and the one command that reproduces it.
// Exit status: 0 all runs passed, 1 a run failed or a replay diverged, 2 usage
// or input errors.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "lockstep/check/runner.hpp"
#include "lockstep/check/trace.hpp"

namespace {

using lockstep::check::ChoiceSource;
using lockstep::model::Program;

struct Usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::string command;
  std::string path;
  std::map<std::string, std::string> options;

  std::uint64_t number(const std::string& name, std::uint64_t fallback) const {
    const auto it = options.find(name);
    if (it == options.end()) return fallback;
    std::size_t used = 0;
    std::uint64_t value = 0;
    try {
      value = std::stoull(it->second, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != it->second.size()) throw Usage("--" + name + " needs a number, not '" + it->second + "'");
    return value;
  }
  std::string text(const std::string& name, const std::string& fallback) const {
    const auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
};

Args parse_args(int argc, char** argv) {
  if (argc < 3) throw Usage("expected a command and a file");
  Args args{argv[1], argv[2], {}};
  for (int i = 3; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0 || i + 1 >= argc) throw Usage("expected --option VALUE, found '" + flag + "'");
    args.options[flag.substr(2)] = argv[++i];
  }
  return args;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int report_failure(const char* self, const lockstep::check::Trace& trace, const std::string& out_path) {
  const std::string text = lockstep::check::to_text(trace);
  std::cout << text;
  std::ofstream(out_path) << text;
  std::cout << "compact: " << lockstep::check::to_compact(trace) << "\n";
  std::cout << "trace written to " << out_path << "\n";
  std::cout << "reproduce: " << self << " replay " << out_path << "\n";
  return 1;
}

int explore(const char* self, const Args& args) {
  const Program program = lockstep::model::parse_program(read_file(args.path));
  const std::uint64_t runs = args.number("runs", 1000);
  const std::uint64_t seed = args.number("seed", 1);
  const auto depth = static_cast<int>(args.number("depth", 2));
  const std::string out = args.text("out", "lockstep-failure.trace");
  const bool pct = args.command == "pct";
  // PCT needs k, the number of decisions in a run: measure it without
  // preemptions first, then keep the largest seen.
  std::size_t k = 1;
  if (pct) {
    lockstep::check::VectorSource none({});
    k = std::max<std::size_t>(1, lockstep::check::run_program(program, none).decisions.size());
  }
  std::size_t steps = 0;
  std::size_t deadlocks = 0;
  for (std::uint64_t i = 0; i < runs; ++i) {
    std::unique_ptr<ChoiceSource> source;
    if (pct) {
      source = std::make_unique<lockstep::check::PctSource>(seed + i, depth, static_cast<int>(program.tasks.size()), k);
    } else {
      source = std::make_unique<lockstep::check::RandomSource>(seed + i);
    }
    const auto run = lockstep::check::run_program(program, *source);
    steps += run.steps.size();
    k = std::max(k, run.decisions.size());
    if (!run.predicted_deadlock.empty()) ++deadlocks;
    if (!run.passed()) {
      std::cout << args.command << ": run " << i + 1 << " of " << runs << " failed\n";
      return report_failure(self, lockstep::check::make_trace(program, source->describe(), run), out);
    }
  }
  std::cout << args.command << ": " << runs << " runs of " << args.path << " (seeds " << seed << ".." << seed + runs - 1
            << (pct ? ", depth " + std::to_string(depth) + ", k " + std::to_string(k) : std::string()) << "): all passed, "
            << steps << " steps";
  if (deadlocks != 0) std::cout << ", " << deadlocks << " predicted deadlocks";
  std::cout << "\n";
  return 0;
}

int replay(const char* self, const Args& args) {
  const lockstep::check::Trace trace = lockstep::check::parse_trace(read_file(args.path));
  std::unique_ptr<ChoiceSource> then;
  const std::string then_name = args.text("then", "");
  const std::uint64_t seed = args.number("seed", 1);
  if (then_name == "random") {
    then = std::make_unique<lockstep::check::RandomSource>(seed);
  } else if (then_name == "pct") {
    then = std::make_unique<lockstep::check::PctSource>(seed, static_cast<int>(args.number("depth", 2)),
                                                        static_cast<int>(trace.program.tasks.size()), 64);
  } else if (!then_name.empty()) {
    throw Usage("--then takes random or pct, not '" + then_name + "'");
  }
  const std::string strategy = trace.strategy + (then ? " then " + then->describe() : "");
  const auto result = lockstep::check::replay(trace, lockstep::check::make_production_lock, std::move(then));
  if (result.diverged) {
    std::cout << result.divergence << "\n";
    return 1;
  }
  const auto rerun = lockstep::check::make_trace(trace.program, strategy, result.run);
  if (!result.run.passed()) {
    std::cout << "replayed " << result.run.steps.size() << " steps: the failure reproduces\n";
    return report_failure(self, rerun, args.text("out", "lockstep-failure.trace"));
  }
  std::cout << "replayed " << result.run.steps.size() << " steps: " << lockstep::check::verdict_line(result.run) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Args args = parse_args(argc, argv);
    if (args.command == "random" || args.command == "pct") return explore(argv[0], args);
    if (args.command == "replay") return replay(argv[0], args);
    throw Usage("unknown command '" + args.command + "'");
  } catch (const Usage& e) {
    std::cerr << "lockstep: " << e.what() << "\n"
              << "usage: lockstep random PROGRAM [--runs N] [--seed S] [--out FILE]\n"
              << "       lockstep pct PROGRAM [--runs N] [--depth D] [--seed S] [--out FILE]\n"
              << "       lockstep replay TRACE [--then random|pct] [--seed S] [--depth D]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lockstep: " << e.what() << "\n";
    return 2;
  }
}
