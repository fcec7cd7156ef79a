#include "artifacts.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "lockstep/check/shrink.hpp"
#include "lockstep/check/trace.hpp"

// libFuzzer reads counters from this section when it links; otherwise it is an
// ordinary array.
__attribute__((section("__libfuzzer_extra_counters"))) static std::uint8_t interleaving_counters[1 << 12];

namespace lockstep::fuzz {
namespace {

void bump(std::uint32_t feature) {
  std::uint8_t& counter = interleaving_counters[feature % sizeof(interleaving_counters)];
  if (counter != 255) ++counter;
}

}  // namespace

void count_interleaving_features(const check::RunResult& run) {
  std::uint32_t previous = 0;
  for (const auto& step : run.steps) {
    const model::LockView& lock = step.locks.front();
    const std::uint32_t queue = lock.waiters.size() > 3 ? 3 : static_cast<std::uint32_t>(lock.waiters.size());
    const auto entry = static_cast<std::uint32_t>(step.ran().kind);
    for (const model::Event& event : step.events) {
      const std::uint32_t kind = static_cast<std::uint32_t>(event.kind) * 16 + static_cast<std::uint32_t>(event.result);
      bump(kind * 31 + queue * 7 + (lock.locked ? 1 : 0) + entry * 3);
      bump(previous * 131 + kind);
      previous = kind;
    }
  }
}

void report_and_abort(const model::Program& program, const check::RunResult& run, const std::uint8_t* data,
                      std::size_t size) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (std::size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * 1099511628211ULL;
  const char* dir = std::getenv("LOCKSTEP_FUZZ_ARTIFACTS");
  char name[64];
  std::snprintf(name, sizeof(name), "/failure-%016llx.trace", static_cast<unsigned long long>(hash));
  const std::string path = std::string(dir != nullptr ? dir : ".") + name;
  const auto trace = check::make_trace(program, "fuzz bytes", run);
  std::ofstream(path + ".original") << check::to_text(trace);
  const auto shrunk = check::shrink(trace);  // the same lock this binary links
  std::ofstream(path) << check::to_text(shrunk.minimal);
  std::fprintf(stderr, "lockstep: %s\nlockstep: shrunk: %s\nlockstep: trace written to %s (unshrunk: %s.original)\n",
               check::verdict_line(run).c_str(), shrunk.summary().c_str(), path.c_str(), path.c_str());
  std::abort();
}

}  // namespace lockstep::fuzz
