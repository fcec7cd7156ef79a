// Turns program_schedule inputs (crash files, minimised crashes) into harness
// traces: writes <input>.trace next to each, shrunk to the minimal trace when
// the input fails. Exit status 1 if any input fails.
//
//   crash_to_trace INPUT...
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "decode.hpp"
#include "lockstep/check/shrink.hpp"
#include "lockstep/check/trace.hpp"

int main(int argc, char** argv) {
  int failures = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto decoded = lockstep::fuzz::decode(bytes.data(), bytes.size());
    lockstep::check::BytesSource schedule(bytes.data() + decoded.schedule_offset,
                                          bytes.size() - decoded.schedule_offset);
    const auto run = lockstep::check::run_program(decoded.program, schedule);
    auto trace = lockstep::check::make_trace(decoded.program, "fuzz bytes", run);
    std::string note = "passes";
    if (!run.passed()) {
      ++failures;
      const auto shrunk = lockstep::check::shrink(trace);
      note = std::string(lockstep::check::name_of(run.failure)) + "; " + shrunk.summary();
      trace = shrunk.minimal;
    }
    const std::string out = std::string(argv[i]) + ".trace";
    std::ofstream(out) << lockstep::check::to_text(trace);
    std::printf("%s: %s -> %s\n", argv[i], note.c_str(), out.c_str());
  }
  return failures == 0 ? 0 : 1;
}
