// Counts global operator new calls while `counting` is set
// (allocation_counter.cpp replaces operator new and delete).
#pragma once

#include <cstddef>

namespace bench {
extern std::size_t allocations;
extern bool counting;
}  // namespace bench
