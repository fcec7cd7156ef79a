// The seed example: three workers take turns on one lock, as in the asyncio
// original:
//
//   async def worker(lock, n):
//       print(f"Worker {n} is waiting for the lock")
//       async with lock:
//           print(f"Worker {n} acquired the lock")
//           await asyncio.sleep(2)
//           print(f"Worker {n} is releasing the lock")
//
//   async def main():
//       lock = asyncio.Lock()
//       await asyncio.gather(*(worker(lock, n) for n in (1, 2, 3)))
//
// Time is virtual: the run takes microseconds and reports 6 s.
#include <chrono>
#include <cstdio>
#include <vector>

#include "lockstep/lockstep.hpp"

using namespace std::chrono_literals;
using lockstep::Task;

namespace {

Task<> worker(lockstep::Lock& lock, int n) {
  std::printf("Worker %d is waiting for the lock\n", n);
  auto guard = co_await lock.scoped();
  std::printf("Worker %d acquired the lock\n", n);
  co_await lockstep::sleep(2s);
  std::printf("Worker %d is releasing the lock\n", n);
}

Task<> main_task(lockstep::Lock& lock) {
  std::vector<Task<>> workers;
  for (int n = 1; n <= 3; ++n) workers.push_back(worker(lock, n));
  co_await lockstep::gather(std::move(workers));
}

}  // namespace

int main() {
  lockstep::Lock lock;  // before the loop: it must outlive the tasks waiting on it
  lockstep::EventLoop loop;
  loop.run(main_task(lock));
  const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(loop.now());
  std::printf("Total virtual time: %lld s\n", static_cast<long long>(elapsed.count()));
  return 0;
}
