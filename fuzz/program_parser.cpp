// Fuzz target 3: the program-text parser. Bad text must end in a ParseError;
// anything it accepts must print and parse back to the same program.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lockstep/model/program.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lockstep::model::Program program;
  try {
    program = lockstep::model::parse_program(text);
  } catch (const lockstep::model::ParseError&) {
    return 0;
  }
  if (lockstep::model::parse_program(lockstep::model::to_text(program)) != program) std::abort();
  if (lockstep::model::parse_program(lockstep::model::to_compact(program)) != program) std::abort();
  return 0;
}
