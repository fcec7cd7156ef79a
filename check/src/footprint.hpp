// What a step touched, read off its StepRecord: the explorer's sleep sets
// need to know which steps commute. Conservative: anything uncertain counts as
// touching everything.
#pragma once

#include <string>
#include <vector>

#include "lockstep/model/step_record.hpp"

namespace lockstep::check {

struct Footprint {
  int task = 0;             // the task that ran
  bool lock = false;        // read or wrote the lock (including queueing on it)
  bool everything = false;  // armed a timer: firing it later can change anything
  std::vector<int> tasks;   // other tasks it cancelled or spawned

  friend bool operator==(const Footprint&, const Footprint&) = default;
};

Footprint footprint_of(const model::StepRecord& step);
// Two steps of different tasks commute: running them in either order from the
// same state gives the same state.
bool independent(const Footprint& a, const Footprint& b);

std::string to_string(const Footprint& footprint);
Footprint parse_footprint(const std::string& text);  // throws std::invalid_argument

}  // namespace lockstep::check
