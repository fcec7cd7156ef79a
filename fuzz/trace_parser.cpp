// Fuzz target 2: the trace parser and replayer on arbitrary bytes. A clear
// error (TraceError, ParseError) is the only acceptable failure; anything
// else escapes and libFuzzer reports it.
#include <cstdint>
#include <string_view>

#include "lockstep/check/trace.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lockstep::check::Trace trace;
  try {
    trace = lockstep::check::parse_trace(text);
  } catch (const lockstep::check::TraceError&) {
    return 0;
  }
  lockstep::check::RunOptions options;
  options.step_budget = 2000;
  (void)lockstep::check::replay(trace, lockstep::check::make_production_lock, nullptr, options);
  return 0;
}
