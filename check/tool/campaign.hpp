// The campaign's pieces: a row of its table, what it carries between
// programs, and the generated-programs phase (campaign_generated.cpp).
#pragma once

#include <optional>
#include <string>

#include "commands.hpp"

namespace lockstep::tool {

struct CampaignRow {
  std::string program;
  std::size_t explored = 0;
  std::string bound;
  bool complete = false;
  std::size_t random_runs = 0;
  std::size_t pct_runs = 0;
  std::string failure;  // "" or the failure kind and where
  bool generated = false;
};

struct CampaignState {
  Clock::time_point started = Clock::now();
  bool interrupted = false;
  std::optional<check::Trace> first_failure;
  std::string failing_program;       // the row's name, or "generated seed S"
  std::string technique;             // explore, pct or random
  double first_failure_seconds = 0;  // since the start: a measure for the kill matrix, never a result
  std::size_t generated_programs = 0;

  // Marks the row failed and keeps the campaign's first failure.
  void note_failure(CampaignRow& row, const std::optional<check::Trace>& failure, const char* how,
                    const std::string& program);
};

// Programs generated from seed, seed + 1, ...: each explored up to one delay
// (at most 300 executions), then 30 random schedules, until `budget` seconds
// are spent or one fails. Prints its line and returns its row.
CampaignRow generated_row(std::uint64_t seed, double budget, int bound, CampaignState& state);

}  // namespace lockstep::tool
