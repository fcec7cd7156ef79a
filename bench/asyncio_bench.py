#!/usr/bin/env python3
"""The lock benchmarks' workloads in Python's asyncio, timed on this machine.

Prints one JSON object: workload -> nanoseconds per item, with the same
workload names as lock_bench (Google Benchmark). Each is the best of 3 runs.
Times are CPU time of this process (time.process_time_ns), as Google
Benchmark's cpu_time is: on a shared machine, wall time would charge asyncio
for other processes' turns.
"""
import asyncio
import json
import time


def best_of(runs, fn):
    return min(fn() for _ in range(runs))


async def uncontended(n):
    lock = asyncio.Lock()
    start = time.process_time_ns()
    for _ in range(n):
        await lock.acquire()
        lock.release()
    return (time.process_time_ns() - start) / n


async def scoped(n):
    lock = asyncio.Lock()
    start = time.process_time_ns()
    for _ in range(n):
        async with lock:
            pass
    return (time.process_time_ns() - start) / n


async def try_acquire(n):
    # asyncio has no try_acquire: the idiom is "if not locked: acquire", which
    # takes the lock without suspending.
    lock = asyncio.Lock()
    start = time.process_time_ns()
    for _ in range(n):
        if not lock.locked():
            await lock.acquire()
        lock.release()
    return (time.process_time_ns() - start) / n


async def ping_pong(switches):
    async def yielder(k):
        for _ in range(k):
            await asyncio.sleep(0)

    start = time.process_time_ns()
    await asyncio.gather(yielder(switches // 2), yielder(switches // 2))
    return (time.process_time_ns() - start) / switches


async def handoff(tasks, total=10_000):
    lock = asyncio.Lock()
    rounds = max(1, total // tasks)

    async def take_turn():
        for _ in range(rounds):
            await lock.acquire()
            await asyncio.sleep(0)
            lock.release()

    start = time.process_time_ns()
    await asyncio.gather(*(take_turn() for _ in range(tasks)))
    return (time.process_time_ns() - start) / (tasks * rounds)


async def cancellation_storm(waiters):
    lock = asyncio.Lock()
    start = time.process_time_ns()
    await lock.acquire()
    tasks = [asyncio.ensure_future(lock.acquire()) for _ in range(waiters)]
    await asyncio.sleep(0)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    lock.release()
    return (time.process_time_ns() - start) / waiters


def run(coro_fn, *args):
    return best_of(3, lambda: asyncio.run(coro_fn(*args)))


results = {
    "BM_UncontendedAcquireRelease": run(uncontended, 200_000),
    "BM_ScopedGuard": run(scoped, 200_000),
    "BM_TryAcquireRelease": run(try_acquire, 200_000),
    "BM_YieldPingPong": run(ping_pong, 20_000),
    "BM_ContendedHandoff/2": run(handoff, 2),
    "BM_ContendedHandoff/8": run(handoff, 8),
    "BM_ContendedHandoff/64": run(handoff, 64),
    "BM_CancellationStorm/100": run(cancellation_storm, 100),
    "BM_CancellationStorm/10000": run(cancellation_storm, 10_000),
}
print(json.dumps(results))
