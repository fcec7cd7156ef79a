#include "lockstep/wait_for.hpp"

namespace lockstep::detail {

std::string describe_timeout(Duration timeout) {
  const auto ns = timeout.count();
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + " s of virtual time";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + " ms of virtual time";
  return std::to_string(ns) + " ns of virtual time";
}

}  // namespace lockstep::detail
