// The state of an exploration between two executions: what a checkpoint
// holds (ARCHITECTURE.md "Checkpoints"), and the text form's writer and
// reader (explore_checkpoint.cpp). Internal to check/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "lockstep/check/explore.hpp"
#include "strategies/dfs.hpp"

namespace lockstep::check {

// Distinct traces or classes: 64-bit fingerprints, kept exactly up to a cap.
struct Fingerprints {
  std::unordered_set<std::uint64_t> seen;
  bool capped = false;  // a fingerprint past the cap was not kept

  void add(std::uint64_t f);
  void merge(const Fingerprints& other);
};

// One subtree still to explore: its decision prefix and, once begun, the
// depth-first stack from the root (its first prefix.size() levels frozen).
// A dpor subtree is never begun in a checkpoint (DporSource::remaining_prefixes).
struct Subtree {
  std::vector<std::uint32_t> prefix;
  std::vector<DfsSource::Level> stack;
  std::size_t line = 0;  // where a checkpoint read it from (0: made here)
};

struct State {
  model::Program program;
  std::string scope = "all";
  std::optional<int> bound;
  Reduction reduction = Reduction::dpor;  // as run: never dpor with a bound
  std::uint64_t executions = 0;
  std::uint64_t pruned = 0;
  Fingerprints traces;
  Fingerprints classes;
  std::vector<Subtree> pending;  // explored front first
};

inline constexpr int kMaxBound = 64;
inline constexpr std::uint64_t kMaxCount = std::uint64_t{1} << 62;

// FNV-1a, 64 bits: the same on every machine and standard library.
std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 1469598103934665603ULL);
std::string join(const std::vector<std::uint32_t>& values);
// The delays decision `index` costs at `level`.
int cost(const DfsSource::Level& level, std::uint32_t index);

std::string write_checkpoint(const State& s);
// Throws TraceError ("checkpoint line N: ...").
State read_checkpoint(std::string_view text);
std::string program_line(const model::Program& program);
std::string seal_text(const std::string& checkpoint);

}  // namespace lockstep::check
