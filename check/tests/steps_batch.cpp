// For the CPython differential: reads "PROGRAM<TAB>DECISIONS" lines (compact
// program, decisions separated by spaces) and, for each, runs the program on
// the production loop and lock against the model and prints "=== N", one
// step record per line, and "end: ok", "end: deadlock 1,3" (the model
// predicted it too), or "end: FAIL <verdict>" when production and the model
// disagree or a check fails. Same format as check/asyncio/oracle.py.
// A line "GEN SEED<TAB>DECISIONS" runs check::generate_program(SEED) instead
// and prints "program: <compact>" before its steps.
#include <iostream>
#include <sstream>
#include <string>

#include "lockstep/check/generate.hpp"
#include "lockstep/check/runner.hpp"
#include "lockstep/check/trace.hpp"

int main() {
  std::string line;
  for (std::size_t n = 1; std::getline(std::cin, line); ++n) {
    const std::size_t tab = line.find('\t');
    std::cout << "=== " << n << "\n";
    try {
      const std::string head = line.substr(0, tab);
      const bool generated = head.rfind("GEN ", 0) == 0;
      const auto program = generated ? lockstep::check::generate_program(std::stoull(head.substr(4)))
                                     : lockstep::model::parse_program(head);
      if (generated) std::cout << "program: " << lockstep::model::to_compact(program) << "\n";
      std::vector<std::uint32_t> decisions;
      if (tab != std::string::npos) {
        std::istringstream in(line.substr(tab + 1));
        for (std::uint32_t d = 0; in >> d;) decisions.push_back(d);
      }
      lockstep::check::VectorSource source(decisions);
      const auto run = lockstep::check::run_program(program, source);
      for (const auto& step : run.steps) std::cout << lockstep::model::to_string(step) << "\n";
      if (!run.passed()) {
        std::cout << "end: FAIL " << lockstep::check::verdict_line(run) << "\n";
      } else if (!run.predicted_deadlock.empty()) {
        std::string tasks;
        for (int t : run.predicted_deadlock) tasks += (tasks.empty() ? "" : ",") + std::to_string(t);
        std::cout << "end: deadlock " << tasks << "\n";
      } else {
        std::cout << "end: ok\n";
      }
    } catch (const std::exception& e) {
      std::cout << "end: FAIL bad program: " << e.what() << "\n";
    }
  }
}
