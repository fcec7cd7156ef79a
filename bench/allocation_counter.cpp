// The replaced global allocation functions, in their own translation unit so
// that the compiler cannot pair an inlined new with a free().
#include <cstdlib>
#include <new>

#include "allocation_counter.hpp"

namespace bench {
std::size_t allocations = 0;
bool counting = false;
}  // namespace bench

void* operator new(std::size_t size) {
  if (bench::counting) ++bench::allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
