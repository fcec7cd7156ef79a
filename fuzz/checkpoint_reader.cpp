// Fuzz target 4: the explorer's checkpoint reader, and resuming from what it
// accepts. Half the inputs (the even-sized ones) are first sealed (their
// program hash and checksum recomputed) so that the reader's checks past the
// checksum are reached too. A clear TraceError is the only acceptable failure;
// what it accepts must resume, split and merge, and every checkpoint it writes
// must read back.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lockstep/check/explore.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (size % 2 == 0) text = lockstep::check::seal_checkpoint(text);
  lockstep::check::CheckpointSummary before;
  try {
    before = lockstep::check::summarize_checkpoint(text);
  } catch (const lockstep::check::TraceError&) {
    return 0;
  }
  // Accepted: it must deal over workers and merge back to the same counts...
  const auto shares = lockstep::check::split_checkpoint(text, 3);
  const auto merged = lockstep::check::summarize_checkpoint(lockstep::check::merge_checkpoints(shares));
  if (merged.executions != before.executions || merged.pruned != before.pruned ||
      merged.distinct_traces != before.distinct_traces || merged.subtrees < before.subtrees) {
    std::abort();
  }
  // ...and resume for a few executions (a stack that does not fit its program
  // is found only by running it), writing a checkpoint that reads back.
  lockstep::check::ExploreOptions options;
  options.max_executions = 8;
  options.checkpoint_always = true;
  options.run.step_budget = 500;
  try {
    const auto result = lockstep::check::resume_exploration(text, options);
    if (!result.checkpoint.empty()) (void)lockstep::check::summarize_checkpoint(result.checkpoint);
  } catch (const lockstep::check::TraceError&) {
    return 0;  // refused with a precise message: what the reader must do
  }
  return 0;
}
