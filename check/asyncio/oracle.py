#!/usr/bin/env python3
"""CPython's asyncio as a second oracle for lockstep.

Translates a program of lockstep's language (model/include/lockstep/model/
program.hpp) into real asyncio calls, runs it on a virtual-clock event loop
one ready handle at a time under the schedule decisions given on the command
line, and prints every step in lockstep's step-record text format (to_string
in model/src/step_record.cpp), so the output can be diffed byte for byte
against the production run and the model.

    python3 check/asyncio/oracle.py PROGRAM_FILE [--decisions 0,1,0]

PROGRAM_FILE may be '-' for standard input. Exit status: 0 after a run (its
last line is `end: ok`, `end: deadlock 1,3` or `end: step-budget`), 2 for a
bad program, 3 when the run needs something this oracle cannot map onto a
step record honestly (the reason goes to stderr), 1 for a bug of the oracle.

Rule ids in comments (LP-*, TM-*, WF-*, ...) are docs/SEMANTICS.md's. How
every asyncio handle is mapped, what is emulated on which version and the
known limitations: check/asyncio/README.md.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
import os
import sys
from asyncio import futures as _futures
from asyncio import tasks as _tasks

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import language  # noqa: E402  (check/asyncio/language.py)
from language import BadProgram, Op  # noqa: E402

STEP_BUDGET = 10000
CancelledError = asyncio.CancelledError


class Unmappable(Exception):
    """The run did something that has no honest step-record counterpart."""


class ProgramError(Exception):
    """What `throw` raises (lockstep's TaskError)."""

    def __init__(self, task: int):
        super().__init__(f"task {task} throws")
        self.task = task


NOT_ACQUIRED = "Lock is not acquired."  # asyncio's Lock.release() message

# --------------------------------------------------------------------------
# Tasks and futures: the pure-Python implementations, so that every handle
# the loop queues is a plain bound method or function we can identify, on
# every version (the C Task queues opaque wrapper objects).

_PyTask = _tasks._PyTask
_PyFuture = _futures._PyFuture


def _probe(coro_fn):
    """Runs coro_fn() as a pure-Python task on a fresh standard loop."""
    loop = asyncio.new_event_loop()
    try:
        loop.set_task_factory(lambda loop, coro, **kw: NativeTask(coro, loop=loop, **kw))
        return loop.run_until_complete(coro_fn())
    finally:
        loop.close()


async def _uncancel_withdraws():
    # VR-UNCANCEL, probed rather than assumed from the version number.
    task = asyncio.current_task()
    task.cancel()
    task.uncancel()
    try:
        await asyncio.sleep(0)
    except CancelledError:
        return False
    return True


async def _timeout_counts_from_entry():
    # WF-EXIT: does Timeout.__aexit__ compare uncancel() with the count at
    # __aenter__ (3.12.1, 3.13.0, 3.11.7: checked) or with 0 (Debian's
    # 3.11.2: checked; fixed within 3.11, gh-102780)?
    task = asyncio.current_task()
    task.cancel()
    try:
        await asyncio.sleep(0)
    except CancelledError:
        pass  # count 1 from here on
    try:
        async with asyncio.timeout(0):
            await asyncio.sleep(1)
    except TimeoutError:
        return True
    except CancelledError:
        return False
    return None


class NativeTask(_PyTask):
    """This Python's own pure-Python Task, unchanged."""


class Uncancel313Task(_PyTask):
    # VR-UNCANCEL: 3.11 and 3.12 only decrement the count; 3.13
    # (gh-116720) also clears _must_cancel when it reaches 0. This is
    # 3.13's method body, on the pure-Python Task whose attributes it
    # names (_num_cancels_requested, _must_cancel exist in 3.11-3.13).
    def uncancel(self):
        if self._num_cancels_requested > 0:
            self._num_cancels_requested -= 1
            if self._num_cancels_requested == 0:
                self._must_cancel = False
        return self._num_cancels_requested


NATIVE_UNCANCEL_CLEARS = _probe(_uncancel_withdraws)
NATIVE_TIMEOUT_COUNTS = _probe(_timeout_counts_from_entry)
if NATIVE_TIMEOUT_COUNTS is None:
    raise SystemExit("oracle: asyncio.timeout(0) did not expire on this Python; cannot run")

if not NATIVE_TIMEOUT_COUNTS:
    from asyncio.timeouts import _State as _TimeoutState

    class Timeout312(asyncio.Timeout):
        # Early 3.11 (3.11.2 checked) Timeout.__aexit__ converts the
        # CancelledError only when uncancel() returns 0; 3.12, 3.13 and
        # later 3.11 (3.11.7 checked; gh-102780) remember the count at
        # __aenter__ (c0) and convert when uncancel() <= c0 (WF-EXIT). They differ for a task whose count is
        # already > 0 when it enters the timeout (a cancellation caught
        # earlier). 3.12's two methods, on 3.11's Timeout (whose _state,
        # _task and _timeout_handler they use).
        async def __aenter__(self):
            result = await super().__aenter__()
            self._cancelling = self._task.cancelling()
            return result

        async def __aexit__(self, exc_type, exc_val, exc_tb):
            assert self._state in (_TimeoutState.ENTERED, _TimeoutState.EXPIRING)
            if self._timeout_handler is not None:
                self._timeout_handler.cancel()
                self._timeout_handler = None
            if self._state is _TimeoutState.EXPIRING:
                self._state = _TimeoutState.EXPIRED
                if self._task.uncancel() <= self._cancelling and exc_type is not None:
                    if issubclass(exc_type, CancelledError):
                        raise TimeoutError from exc_val
            elif self._state is _TimeoutState.ENTERED:
                self._state = _TimeoutState.EXITED
            return None


class Flavour:
    """Which behaviour of the version-dependent parts a run uses: lockstep's
    (3.13's uncancel, 3.12's Timeout exit; emulated where this Python lacks
    them) or, with native=True, this Python's own."""

    def __init__(self, native: bool = False):
        self.task_class = NativeTask if native or NATIVE_UNCANCEL_CLEARS else Uncancel313Task
        self.emulate_timeout = not native and not NATIVE_TIMEOUT_COUNTS
        self.emulated = []
        if self.task_class is Uncancel313Task:
            self.emulated.append("3.13 uncancel")
        if self.emulate_timeout:
            self.emulated.append("3.12 timeout")

    def timeout(self, loop, delay):
        if self.emulate_timeout:
            return Timeout312(loop.time() + delay)  # what asyncio.timeout(delay) builds
        return asyncio.timeout(delay)


def _release_waiter(waiter, *args):
    # tasks._release_waiter, 3.11-3.13 (a private name there, so copied).
    if not waiter.done():
        waiter.set_result(None)


_SET_RESULT_UNLESS_CANCELLED = getattr(_futures, "_set_result_unless_cancelled", None)


def _is_sleep_callback(callback) -> bool:
    if _SET_RESULT_UNLESS_CANCELLED is not None:
        return callback is _SET_RESULT_UNLESS_CANCELLED
    return getattr(callback, "__name__", "") == "_set_result_unless_cancelled"


# --------------------------------------------------------------------------
# The loop: a BaseEventLoop with a virtual clock whose _run_once runs exactly
# one ready handle (one step). run_forever() drives it, so get_running_loop(),
# current_task() and everything asyncio looks up work as in a real run.


class VirtualLoop(asyncio.BaseEventLoop):
    def __init__(self, oracle: "Oracle"):
        super().__init__()
        self.set_debug(False)
        self._oracle = oracle
        self._now = 0
        self._timer_seq: dict[int, tuple[int, object]] = {}  # id(TimerHandle) -> (seq, handle)
        self._seq = itertools.count()
        task_class = oracle.flavour.task_class
        self.set_task_factory(lambda loop, coro, **kw: task_class(coro, loop=loop, **kw))
        self.set_exception_handler(oracle.exception_handler)

    def time(self):
        return self._now

    def create_future(self):
        future = _PyFuture(loop=self)
        self._oracle.future_created(future)
        return future

    def call_at(self, when, callback, *args, context=None):
        timer = super().call_at(when, callback, *args, context=context)
        self._timer_seq[id(timer)] = (next(self._seq), timer)
        return timer

    def timer_key(self, timer):
        return (timer._when, self._timer_seq[id(timer)][0])

    def armed_timers(self):
        """TM-ORDER: live timers by (deadline, arming sequence)."""
        return sorted((t for t in self._scheduled if not t.cancelled()), key=self.timer_key)

    def _run_once(self):
        self._oracle.one_step()

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass


# --------------------------------------------------------------------------


class Guard:
    __slots__ = ("lock", "engaged")

    def __init__(self, lock: int):
        self.lock = lock
        self.engaged = True


class Oracle:
    def __init__(self, program: list[list[Op]], decisions: list[int], flavour: Flavour | None = None):
        self.flavour = flavour or Flavour()
        self.program = program
        self.n = len(program)
        self.decisions = decisions
        self.next_decision = 0
        self.lock_count = language.lock_count(program)
        self.loop = VirtualLoop(self)
        self.locks = [asyncio.Lock() for _ in range(self.lock_count)]
        self.holder: list[int | None] = [None] * self.lock_count  # DV-HOLDER
        self.tasks: dict[int, _PyTask] = {}
        self.number_of: dict[_PyTask, int] = {}  # program task -> K
        self.inner_of: dict[_PyTask, int] = {}  # wait_for(T <= 0) inner task -> K
        self.gather_callbacks: dict[object, int] = {}  # gather _done_callback -> P
        self.release_callbacks: dict[object, int] = {}  # partial(_release_waiter, w) -> K
        self.future_owner: dict[int, tuple[object, int | None]] = {}  # id(future) -> (future, K)
        self.timeout_owner: dict[int, tuple[object, int]] = {}  # id(Timeout) -> (Timeout, K)
        self.waits_at: dict[int, str] = {}
        self.guards: dict[int, list[Guard]] = {k: [] for k in range(1, self.n + 1)}
        self.events: list[str] = []
        self.lines: list[str] = []
        self.steps = 0
        self.outcome: str | None = None
        self.fatal: list[BaseException] = []
        self.running = False

    # ---- bookkeeping called by asyncio through the loop ------------------

    def future_created(self, future):
        task = _tasks.current_task(self.loop) if self.running else None
        self.future_owner[id(future)] = (future, self.number_of.get(task))

    # What asyncio reports from __del__ (garbage collection, mostly after the
    # run: the pending tasks of a deadlock, failed tasks nobody awaited).
    GC_MESSAGES = ("Task was destroyed but it is pending!", "Task exception was never retrieved",
                   "Future exception was never retrieved")

    def exception_handler(self, loop, context):
        if not self.running or context.get("message") in self.GC_MESSAGES:
            return
        self.fatal.append(RuntimeError(f"asyncio reported: {context.get('message')!r} "
                                       f"{context.get('exception')!r}"))

    # ---- the program, as real asyncio calls -----------------------------

    def log(self, kind: str, result: str, lock: int = -1, target: int = 0, value: int | None = None):
        # Event's to_string: NAME[ L][ K][ =V] RESULT
        text = kind
        if lock >= 0:
            text += " " + language.lock_name(lock)
        if target != 0:
            text += f" {target}"
        if kind == "uncancel" or value:  # TK-VALUE, GA-VALUES, TK-ERR-ORIGIN: printed when not 0
            text += f" ={value}"
        self.events.append(text + " " + result)

    def start_task(self, k: int) -> _PyTask:
        """LP-START / TK-SPAWN: create task k; asyncio appends its first __step."""
        task = self.loop.create_task(self.task_main(k))
        self.tasks[k] = task
        self.number_of[task] = k
        return task

    def current(self, k: int) -> _PyTask:
        task = asyncio.current_task()
        if task is not self.tasks.get(k):
            raise Unmappable("asyncio.current_task() does not return the running pure-Python task "
                             f"on Python {sys.version.split()[0]}")
        return task

    async def task_main(self, k: int):
        try:
            self.current(k)
            await self.run_ops(k, self.program[k - 1])
        except ProgramError as error:
            self.log("end", "error", value=error.task)
            raise
        except CancelledError:
            self.log("end", "cancelled")
            raise
        except GeneratorExit:
            raise
        except BaseException as error:  # a bug of the oracle, or Unmappable
            self.fatal.append(error)
            raise
        self.log("end", "ok")
        return k  # TK-VALUE: a task's value is its number

    async def run_ops(self, k: int, ops: list[Op]):
        for op in ops:
            await self.run_op(k, op)

    def release(self, l: int) -> bool:
        """lock.release(); False for LockNotAcquired (asyncio's RuntimeError), caught."""
        try:
            self.locks[l].release()
        except RuntimeError as error:
            if str(error) != NOT_ACQUIRED:
                raise
            return False
        self.holder[l] = None
        return True

    def try_acquire(self, l: int) -> bool:
        """LK-TRY (DV-TRY): asyncio has no try_acquire. Take the lock iff
        Lock.acquire() would take it without suspending, i.e. exactly the
        condition of its fast path, by running the real acquire() coroutine,
        which then returns at once."""
        lock = self.locks[l]
        waiters = lock._waiters
        if lock.locked() or (waiters is not None and not all(w.cancelled() for w in waiters)):
            return False
        coro = lock.acquire()
        try:
            coro.send(None)
        except StopIteration as stop:
            assert stop.value is True and lock.locked()
            return True
        coro.close()
        raise Unmappable("try_acquire: Lock.acquire() suspended although its fast-path condition held")

    async def wait_for_nonpositive(self, k: int, coro):
        """WF-NONPOS: 3.12/3.13 wait_for(fut, timeout) for timeout <= 0, on
        every version (3.11's is the same): wrap the awaitable in a task,
        cancel it before it starts and wait for it with _cancel_and_wait."""
        fut = asyncio.ensure_future(coro)
        self.inner_of[fut] = k
        if fut.done():
            return fut.result()
        await self.cancel_and_wait(k, fut)
        try:
            return fut.result()
        except CancelledError as exc:
            raise TimeoutError from exc

    async def cancel_and_wait(self, k: int, fut):
        # tasks._cancel_and_wait of 3.12/3.13.
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        cb = functools.partial(_release_waiter, waiter)
        self.release_callbacks[cb] = k
        fut.add_done_callback(cb)
        try:
            fut.cancel()
            # We cannot wait on *fut* directly to make
            # sure _cancel_and_wait itself is reliably cancellable.
            await waiter
        finally:
            fut.remove_done_callback(cb)

    async def run_timeout(self, k: int, op: Op):
        """WF-SCOPE: 3.12/3.13 wait_for(BODY, T) on every version, as for
        acquire_timeout: `async with timeout(T)` around the body for T > 0,
        the T <= 0 special case (the body never runs) otherwise."""
        self.waits_at[k] = "timeout"
        self.log("timeout", "ok")
        try:
            if op.arg > 0:
                timeout = self.flavour.timeout(self.loop, op.arg)
                self.timeout_owner[id(timeout)] = (timeout, k)
                async with timeout:
                    await self.run_ops(k, op.body)
            else:
                await self.wait_for_nonpositive(k, self.run_ops(k, op.body))
        except TimeoutError:
            self.log("/timeout", "timeout")
            return
        except ProgramError as error:
            self.log("/timeout", "error", value=error.task)
            raise
        except CancelledError:
            self.log("/timeout", "cancelled")
            raise
        self.log("/timeout", "ok")

    async def run_op(self, k: int, op: Op):
        kind = op.kind
        l = op.lock
        if kind == "acquire":  # LK-ACQ
            self.waits_at[k] = "acquire"
            try:
                await self.locks[l].acquire()
            except CancelledError:
                self.log("acquire", "cancelled", lock=l)
                raise
            self.holder[l] = k
            self.log("acquire", "ok", lock=l)
        elif kind == "release":  # LK-REL
            self.log("release", "ok" if self.release(l) else "not-acquired", lock=l)
        elif kind == "try_acquire":  # LK-TRY
            if self.try_acquire(l):
                self.holder[l] = None
                self.log("try_acquire", "yes", lock=l)
            else:
                self.log("try_acquire", "no", lock=l)
        elif kind == "acquire_timeout":  # WF-*
            self.waits_at[k] = "acquire_timeout"
            try:
                if op.arg > 0:
                    timeout = self.flavour.timeout(self.loop, op.arg)
                    self.timeout_owner[id(timeout)] = (timeout, k)
                    async with timeout:
                        await self.locks[l].acquire()
                else:
                    await self.wait_for_nonpositive(k, self.locks[l].acquire())
            except TimeoutError:
                self.log("acquire_timeout", "timeout", lock=l)
                return
            except CancelledError:
                self.log("acquire_timeout", "cancelled", lock=l)
                raise
            self.holder[l] = k
            self.log("acquire_timeout", "ok", lock=l)
        elif kind == "scoped":  # SC-*
            await self.run_scoped(k, op)
        elif kind == "guard_release":  # SC-EARLY
            guard = self.guards[k][-1]
            if guard.engaged:
                guard.engaged = False
                released = self.release(guard.lock)
            else:
                released = False  # lockstep's guard: released twice -> LockNotAcquired
            self.log("guard_release", "ok" if released else "not-acquired", lock=guard.lock)
        elif kind in ("yield", "sleep"):  # LP-YIELD, LP-SLEEP
            self.waits_at[k] = kind
            try:
                await asyncio.sleep(op.arg if kind == "sleep" else 0)
            except CancelledError:
                self.log(kind, "cancelled")
                raise
            self.log(kind, "ok")
        elif kind == "throw":  # TK-ERR
            self.log("throw", "error")
            raise ProgramError(k)
        elif kind == "raise_cancelled":  # TK-RAISE-CANCELLED
            self.log("throw", "cancelled")
            raise CancelledError()
        elif kind == "cancel":  # CN-REQ
            target = self.tasks.get(op.arg)
            yes = target is not None and target.cancel()  # DV-UNSPAWNED: no task, no
            self.log("cancel", "yes" if yes else "no", target=op.arg)
        elif kind == "uncancel":  # CN-UNCANCEL: task K's, or (no K) the running task's
            if op.arg == 0:
                value = self.current(k).uncancel()
            else:
                target = self.tasks.get(op.arg)
                value = target.uncancel() if target is not None else 0  # DV-UNSPAWNED: no task, 0
            self.log("uncancel", "ok", target=op.arg, value=value)
        elif kind == "spawn":  # TK-SPAWN
            self.start_task(op.arg)
            self.log("spawn", "ok", target=op.arg)
        elif kind == "await":  # TK-JOIN
            target = self.tasks.get(op.arg)
            if target is None:
                self.log("await", "not-started", target=op.arg)  # DV-UNSPAWNED
                return
            self.waits_at[k] = "await"
            try:
                value = await target
            except ProgramError as error:
                self.log("await", "error", target=op.arg, value=error.task)
                raise
            except CancelledError:
                self.log("await", "cancelled", target=op.arg)
                raise
            self.log("await", "ok", target=op.arg, value=value)
        elif kind == "gather":  # GA-*
            children = [self.start_task(child) for child in op.tasks]
            outer = asyncio.gather(*children)
            for child in children:
                callback = child._callbacks[-1][0]  # the one gather just added
                if getattr(callback, "__name__", "") != "_done_callback":
                    raise Unmappable(f"gather registered {callback!r}, not its _done_callback")
                self.gather_callbacks[callback] = k
            self.waits_at[k] = "gather"
            try:
                values = await outer
            except ProgramError as error:
                self.log("gather", "error", target=op.tasks[0], value=error.task)
                raise
            except CancelledError:
                self.log("gather", "cancelled", target=op.tasks[0])
                raise
            # GA-VALUES: the values in the order given, as decimal digits
            self.log("gather", "ok", target=op.tasks[0], value=int("".join(map(str, values))))
        elif kind == "try":  # TK-CATCH
            try:
                await self.run_ops(k, op.body)
            except ProgramError as error:
                self.log("/try", "caught-error", value=error.task)
            except CancelledError:
                self.log("/try", "caught-cancelled")
            else:
                self.log("/try", "ok")
        elif kind == "timeout":  # WF-SCOPE: wait_for(BODY, T), BODY a coroutine
            await self.run_timeout(k, op)
        else:
            raise Unmappable(f"no translation for op {kind!r}")

    async def run_scoped(self, k: int, op: Op):
        """`async with lock: BODY`, spelled out: asyncio's own __aenter__ and
        __aexit__ (the _ContextManagerMixin: acquire(), release()), except in
        the two places where lockstep's guard differs from `async with`:
        after guard_release the exit does nothing (a guard concept), and
        while an exception unwinds with the lock free the exit does nothing
        (DV-UNWIND; asyncio's __aexit__ would raise RuntimeError over the
        body's exception)."""
        l = op.lock
        lock = self.locks[l]
        self.waits_at[k] = "scoped"
        try:
            await lock.__aenter__()
        except CancelledError:
            self.log("scoped", "cancelled", lock=l)
            raise
        self.holder[l] = k
        self.log("scoped", "ok", lock=l)
        guard = Guard(l)
        self.guards[k].append(guard)
        try:
            await self.run_ops(k, op.body)
        except (ProgramError, CancelledError) as unwinding:
            self.guards[k].pop()
            if guard.engaged and lock.locked():
                await lock.__aexit__(type(unwinding), unwinding, unwinding.__traceback__)
                self.holder[l] = None
                self.log("/scoped", "released", lock=l)  # SC-UNWIND
            else:
                self.log("/scoped", "skipped", lock=l)  # SC-UNWIND / SC-EXIT-FREE (DV-UNWIND)
            raise
        self.guards[k].pop()
        if not guard.engaged:
            self.log("/scoped", "skipped", lock=l)
            return
        try:
            await lock.__aexit__(None, None, None)
        except RuntimeError as error:
            if str(error) != NOT_ACQUIRED:
                raise
            self.log("/scoped", "not-acquired", lock=l)  # SC-EXIT, caught
            return
        self.holder[l] = None
        self.log("/scoped", "released", lock=l)

    # ---- mapping handles to entries ---------------------------------------

    def entry_of(self, handle) -> str:
        """The step-record entry (tK, gK, iK, rK) a ready handle is."""
        callback = handle._callback
        owner = getattr(callback, "__self__", None)
        func = getattr(callback, "__func__", None)
        if isinstance(owner, _PyTask) and func is not None and func.__name__ in ("__step", "__wakeup"):
            if owner in self.number_of:
                return f"t{self.number_of[owner]}"  # the task's next step
            if owner in self.inner_of:
                return f"i{self.inner_of[owner]}"  # wait_for(T <= 0)'s inner task
        else:
            try:
                if callback in self.gather_callbacks:
                    return f"g{self.gather_callbacks[callback]}"  # gather's _done_callback
                if callback in self.release_callbacks:
                    return f"r{self.release_callbacks[callback]}"  # _release_waiter
            except TypeError:  # unhashable callback
                pass
        raise Unmappable(f"unmapped handle {handle!r}")

    def timer_task(self, timer) -> int:
        """The task a TimerHandle belongs to: the owner of a sleep's future,
        or the task that entered a Timeout."""
        callback = timer._callback
        if _is_sleep_callback(callback):
            owner = self.future_owner.get(id(timer._args[0]))
            if owner is not None and owner[0] is timer._args[0] and owner[1] is not None:
                return owner[1]
        elif getattr(getattr(callback, "__func__", None), "__name__", "") == "_on_timeout":
            owner = self.timeout_owner.get(id(callback.__self__))
            if owner is not None and owner[0] is callback.__self__:
                return owner[1]
        raise Unmappable(f"unmapped timer {timer!r}")

    # ---- the step -----------------------------------------------------

    def fire_due_timers(self):
        """TM-FIRE. As _run_once would, due timers leave the heap in deadline
        order (equal deadlines in arming order, TM-ORDER / DV-HEAP). asyncio
        then queues each TimerHandle and runs it as a turn of its own; its
        callback (sleep's _set_result_unless_cancelled, Timeout._on_timeout)
        only completes a future or cancels a task, appending that task's
        entry. We run each callback right here instead (DV-TIMER-TURN). That
        cannot change any order because timers fall due only when the ready
        queue is empty (the clock moves only then and every deadline is
        > the arming time): the handles the callbacks append end up in the
        same order as after asyncio running the timer handles FIFO (a
        callback that wakes several tasks, a deadline over a gather, appends
        them together, in the order it wakes them, in both). Asserted:
        a due timer with a non-empty ready queue is reported as unmappable."""
        loop = self.loop
        now = loop._now
        due = [t for t in loop.armed_timers() if t._when <= now]
        if not due:
            return
        if loop._ready:
            raise Unmappable(f"timer {due[0]!r} fell due at {now} while the ready queue was not empty")
        for timer in due:
            self.timer_task(timer)  # every due timer must be one we can name
        keep = [t for t in loop._scheduled if not t.cancelled() and t._when > now]
        kept = {id(t) for t in keep}
        for t in loop._scheduled:
            if id(t) not in kept:
                t._scheduled = False
                del loop._timer_seq[id(t)]
        loop._scheduled[:] = keep
        heapq.heapify(loop._scheduled)
        loop._timer_cancelled_count = 0
        for timer in due:
            timer._run()

    def one_step(self):
        loop = self.loop
        if not loop._ready and not loop.armed_timers():
            self.finish("end")
            return
        if self.steps >= STEP_BUDGET:
            self.finish("step-budget")
            return
        if not loop._ready:
            # TM-CLOCK: jump to the earliest armed deadline.
            loop._now = loop.armed_timers()[0]._when
        self.fire_due_timers()
        self.check_fatal()
        if not loop._ready:
            return  # the timers queued nothing; the next call jumps again or ends
        ready = [self.entry_of(h) for h in loop._ready]
        pick = 0
        if len(ready) >= 2 and self.next_decision < len(self.decisions):
            pick = self.decisions[self.next_decision] % len(ready)
            self.next_decision += 1
        handle = loop._ready[pick]
        del loop._ready[pick]
        if handle.cancelled():
            raise Unmappable(f"cancelled handle {handle!r} in the ready queue")
        now = loop._now
        self.events = []
        handle._run()
        self.steps += 1
        self.check_fatal()
        self.lines.append(self.record(now, ready, pick))

    def finish(self, outcome: str):
        self.outcome = outcome
        self.loop.stop()

    def check_fatal(self):
        if self.fatal:
            raise self.fatal[0]

    # ---- observation (OB-*) and the record's text -------------------------

    def record(self, now: int, ready: list[str], pick: int) -> str:
        loop = self.loop
        queue = [self.entry_of(h) for h in loop._ready]
        tasks = []
        for k in range(1, self.n + 1):
            task = self.tasks.get(k)
            if task is None:
                tasks.append(f"{k}=new")
                continue
            if task.done():
                status = "cancelled" if task.cancelled() else "error" if task.exception() is not None else "ok"
            else:
                status = "ready" if f"t{k}" in queue else "parked"
                if k in self.waits_at:
                    status += ":" + self.waits_at[k]
            count = task.cancelling()
            tasks.append(f"{k}={status}" + (f" c{count}" if count else ""))
        locks = []
        for l, lock in enumerate(self.locks):
            if lock.locked():
                holder = self.holder[l]
                state = f"held({holder if holder is not None else '-'})"
            else:
                state = "free"
            waiters = []
            for fut in lock._waiters or ():
                owner = self.future_owner.get(id(fut))
                if owner is None or owner[0] is not fut or owner[1] is None:
                    raise Unmappable(f"lock waiter {fut!r} of no program task")
                mark = "" if not fut.done() else "x" if fut.cancelled() else "w"
                waiters.append(f"{owner[1]}{mark}")
            locks.append(f"{language.lock_name(l)}={state}[{','.join(waiters)}]")
        timers = [f"{int(t._when)}:t{self.timer_task(t)}" for t in loop.armed_timers()]

        def dash(items, sep=","):
            return sep.join(items) if items else "-"

        return (f"@{now} {dash(ready)} #{pick}: {dash(self.events, ', ')} => {dash(queue)} | "
                f"{dash(tasks)} | {dash(locks, ' ')} | {dash(timers)}")

    # ---- the run --------------------------------------------------------

    def run(self) -> list[str]:
        starts = language.starts_at_once(self.program)
        for k in range(1, self.n + 1):
            if starts[k - 1]:
                self.start_task(k)  # LP-START, in task-number order
        self.running = True
        try:
            self.loop.run_forever()
        finally:
            self.running = False
            self.loop.close()
        if self.outcome == "step-budget":
            self.lines.append("end: step-budget")
        else:
            stuck = [k for k, t in sorted(self.tasks.items()) if not t.done()]
            self.lines.append("end: deadlock " + ",".join(map(str, stuck)) if stuck else "end: ok")
        return self.lines


def parse_decisions(text: str) -> list[int]:
    parts = [p for p in text.replace(",", " ").split() if p]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise BadProgram(f"--decisions: expected numbers separated by commas, got {text!r}")
    if any(v < 0 for v in values):
        raise BadProgram(f"--decisions: decisions are indices >= 0, got {text!r}")
    return values


def run_text(text: str, decisions: list[int]) -> list[str]:
    return Oracle(language.parse_program(text), decisions).run()


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("program", help="program file in lockstep's language ('-' for stdin)")
    parser.add_argument("--decisions", default="", help="schedule decisions, e.g. 0,1,0")
    parser.add_argument("--native", action="store_true",
                        help="this Python's own uncancel() and Timeout exit instead of lockstep's (3.13 / 3.12) "
                             "emulated ones; for comparing versions, not for comparing with lockstep")
    args = parser.parse_args(argv)
    try:
        if args.program == "-":
            text = sys.stdin.read()
        else:
            with open(args.program, encoding="utf-8") as f:
                text = f.read()
    except OSError as error:
        print(f"oracle: {error}", file=sys.stderr)
        return 2
    try:
        decisions = parse_decisions(args.decisions)
        program = language.parse_program(text)
    except BadProgram as error:
        print(f"oracle: bad program: {error}", file=sys.stderr)
        return 2
    flavour = Flavour(native=args.native)
    for what in flavour.emulated:
        print(f"# emulated: {what}", file=sys.stderr)
    oracle = Oracle(program, decisions, flavour)
    try:
        lines = oracle.run()
    except Unmappable as error:
        sys.stdout.write("".join(line + "\n" for line in oracle.lines))
        print(f"oracle: cannot map: {error}", file=sys.stderr)
        return 3
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
