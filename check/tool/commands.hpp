// The lockstep command's pieces, shared by main.cpp and campaign.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "lockstep/check/explore.hpp"
#include "lockstep/check/trace.hpp"

namespace lockstep::tool {

struct Usage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::string command;
  std::string path;  // the program or trace file, if the command takes one
  std::map<std::string, std::string> options;

  [[nodiscard]] bool has(const std::string& name) const { return options.count(name) != 0; }
  [[nodiscard]] std::uint64_t number(const std::string& name, std::uint64_t fallback) const;
  [[nodiscard]] double seconds(const std::string& name, double fallback) const;
  [[nodiscard]] std::string text(const std::string& name, const std::string& fallback) const;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// Shrinks a failure, writes the minimal trace to `out` (the original beside it
// as out + ".original"), prints both and the command that reproduces it.
// Returns 1, the exit status of a failure.
int report_failure(const std::string& self, const check::Trace& failure, const std::string& out);

// Runs `runs` random (or PCT) schedules; returns the first failure, if any.
struct SampleResult {
  std::size_t runs = 0;
  std::size_t steps = 0;
  std::size_t predicted_deadlocks = 0;
  std::size_t k = 1;  // PCT's decision-count estimate, as it ended
  std::optional<check::Trace> failure;
};
SampleResult sample(const model::Program& program, bool pct, std::uint64_t runs, std::uint64_t seed, int depth,
                    double budget_seconds, const std::string& progress_label);

int campaign(const std::string& self, const Args& args);

}  // namespace lockstep::tool
