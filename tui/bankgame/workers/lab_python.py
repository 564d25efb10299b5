"""The Lab's Python runs: threads and the GIL, ``Value``'s lock, and what each way costs.

Every run happens in worker processes of the game's forkserver (threads too:
they race inside one child, never beside the game's own threads), and each
returns a ``Measured``: what should be there, what is there, how long it took.

- ``threads-augmented``: threads on one shared object doing ``counter.value += 1``.
  On CPython 3.10+ with the GIL, a thread is switched only at a call or a
  backward jump, never inside that line: it almost never loses an update.
- ``threads-call``: ``counter.value = counter.value + one()``: a call between
  the read and the write, where a switch lands: about half the updates lost.
- ``threads-locked``: the same inside ``with lock:`` (a ``threading.Lock``): none lost.
- ``value-default-lock``: processes doing ``v.value += 1`` on a
  ``multiprocessing.Value``. Its lock guards the read and the write *separately*,
  not the pair: updates are lost.
- ``value-get-lock``: ``with v.get_lock(): v.value += 1``: none lost.
- ``cost-queue`` / ``cost-pipe`` / ``cost-shared-memory``: one deposit handed
  from one process to another by a ``Queue``, a ``Pipe``, or written into a
  shared-memory block under a lock: the cost of one operation.
- ``speedup-threads`` / ``speedup-processes``: the same pure-Python work split
  over N threads or N processes, against one doing it all.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory
from typing import Any

from .helpers import CONTEXT, stop_processes, worker_setup
from .leftovers import block_prefix, int64s

THREAD_METHODS = ("threads-augmented", "threads-call", "threads-locked")
VALUE_METHODS = ("value-default-lock", "value-get-lock")
COST_METHODS = ("cost-queue", "cost-pipe", "cost-shared-memory")
SPEEDUP_METHODS = ("speedup-threads", "speedup-processes")
PYTHON_METHODS = THREAD_METHODS + VALUE_METHODS + COST_METHODS + SPEEDUP_METHODS
WORK = 200
"""Rounds of arithmetic per operation in the speed-up runs (pure Python, holds the GIL)."""

COST_SHARE = 4
"""The cost runs hand over ``ops // COST_SHARE`` deposits, one message each."""
SPEEDUP_SHARE = 10
"""The speed-up runs do ``ops // SPEEDUP_SHARE`` operations of ``WORK`` rounds, ``REPEATS`` times each way."""
REPEATS = 3
THREAD_SCALE = 10
"""The thread races do ``ops × THREAD_SCALE`` increments (at least ``THREAD_MIN``): a thread is
switched every 5 ms (``sys.getswitchinterval()``), and the race needs many switches to show."""
THREAD_MIN = 1_000_000
SPEEDUP_MIN = 20_000
"""Fewer operations than this and the speed-up is noise."""


def thread_ops(ops: int) -> int:
    """Return the increments of a thread race for a Lab of ``ops``."""
    return max(ops * THREAD_SCALE, THREAD_MIN)


def speedup_ops(ops: int) -> int:
    """Return the operations of a speed-up run for a Lab of ``ops``."""
    return max(ops // SPEEDUP_SHARE, SPEEDUP_MIN)

_names = itertools.count()


def block_name(tag: str) -> str:
    """Return a name for a shared-memory block of this Lab, named after the game as every block is (swept if left behind)."""
    return f"{block_prefix()}lab_{tag}_{next(_names)}"


Wait = Callable[[list], None]
"""Waits for processes to end (the Lab's own, with progress and cancel)."""


@dataclass(frozen=True, slots=True)
class Measured:
    """What a run measured."""

    expected: int
    actual: int
    wall_s: float
    workers: int
    speedup: float | None = None
    """Only for ``speedup-*``: one worker's time over N workers' time."""


def python_version() -> str:
    """Return which Python runs the Lab, e.g. ``CPython 3.11.7``."""
    import platform

    return f"{platform.python_implementation()} {platform.python_version()}"


def gil_enabled() -> bool:
    """Return whether the GIL is on (``sys._is_gil_enabled()`` where it exists, 3.13+)."""
    probe = getattr(sys, "_is_gil_enabled", None)
    return bool(probe()) if probe is not None else True


def run_python(method: str, workers: int, ops: int, log: str, wait: Wait) -> Measured:
    """Run one of ``PYTHON_METHODS`` with ``workers`` threads or processes and ``ops`` operations in all."""
    if method in THREAD_METHODS:
        return _in_child(_threads_child, (method, workers, thread_ops(ops)), log, wait)
    if method == "speedup-threads":
        return _in_child(_threads_child, (method, workers, speedup_ops(ops)), log, wait)
    if method in VALUE_METHODS:
        return _values(method, workers, ops, log, wait)
    if method in COST_METHODS:
        return _cost(method, max(1, ops // COST_SHARE), log, wait)
    if method == "speedup-processes":
        return _speedup_processes(workers, speedup_ops(ops), log, wait)
    raise ValueError(f"unknown Lab method {method!r}")


def _shares(ops: int, workers: int) -> list[int]:
    return [ops // workers + (1 if i < ops % workers else 0) for i in range(workers)]


def _in_child(target: Callable[..., None], args: tuple, log: str, wait: Wait) -> Measured:
    """Run ``target(*args, conn, log)`` in one worker process; return what it sends back."""
    here, there = CONTEXT.Pipe(duplex=False)
    process = CONTEXT.Process(target=target, args=(*args, there, log), daemon=True, name=f"bankgame-lab-{args[0]}")
    try:
        process.start()
        there.close()
        wait([process])
        return Measured(**here.recv())
    finally:
        here.close()
        stop_processes([process])


# ------------------------------------------------------------- threads
class Counter:
    """One object shared by every thread."""

    value = 0


def _one() -> int:
    return 1


def _augmented(counter: Counter, n: int, lock: Any) -> None:
    for _ in range(n):
        counter.value += 1  # no call, no backward jump inside: the GIL is not let go here


def _with_call(counter: Counter, n: int, lock: Any) -> None:
    one = _one
    for _ in range(n):
        counter.value = counter.value + one()  # a switch can land at the call, between read and write


def _locked(counter: Counter, n: int, lock: Any) -> None:
    one = _one
    for _ in range(n):
        with lock:
            counter.value = counter.value + one()


def _busy(counter: Counter, n: int, lock: Any) -> None:
    x = 0
    for i in range(n):
        for _ in range(WORK):
            x = (x * 31 + i) % 9973
    counter.value += 0 * x


THREAD_BODIES = {"threads-augmented": _augmented, "threads-call": _with_call, "threads-locked": _locked,
                 "speedup-threads": _busy}


def _race_threads(body: Callable[[Counter, int, Any], None], threads: int, ops: int) -> tuple[int, float]:
    counter, lock = Counter(), threading.Lock()
    start = threading.Barrier(threads + 1)

    def run(n: int) -> None:
        start.wait()
        body(counter, n, lock)

    pool = [threading.Thread(target=run, args=(n,)) for n in _shares(ops, threads)]
    for thread in pool:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in pool:
        thread.join()
    return counter.value, time.perf_counter() - began


def _threads_child(method: str, threads: int, ops: int, conn: Connection, log: str) -> None:
    worker_setup(log)
    body = THREAD_BODIES[method]
    if method == "speedup-threads":
        # Best of a few each way: the machine is shared with whatever else runs on it.
        alone = min(_race_threads(body, 1, ops)[1] for _ in range(REPEATS))
        wall = min(_race_threads(body, threads, ops)[1] for _ in range(REPEATS))
        result: dict[str, Any] = {"expected": ops, "actual": ops, "wall_s": wall, "workers": threads,
                                  "speedup": alone / max(wall, 1e-9)}
    else:
        actual, wall = _race_threads(body, threads, ops)
        result = {"expected": ops, "actual": actual, "wall_s": wall, "workers": threads}
    conn.send(result)
    conn.close()


# -------------------------------------------------------------- Value
def _value_worker(value: Any, n: int, get_lock: bool, start: Any, log: str) -> None:
    worker_setup(log)
    start.wait()
    if get_lock:
        for _ in range(n):
            with value.get_lock():  # one lock around the read *and* the write
                value.value += 1
    else:
        for _ in range(n):
            value.value += 1  # the read takes the lock, lets go, then the write takes it again


def _values(method: str, workers: int, ops: int, log: str, wait: Wait) -> Measured:
    value = CONTEXT.Value("q", 0)  # a Value comes with a lock of its own
    start = CONTEXT.Barrier(workers + 1)
    processes = [
        CONTEXT.Process(target=_value_worker, args=(value, n, method == "value-get-lock", start, log), daemon=True,
                        name=f"bankgame-lab-{method}-{i}")
        for i, n in enumerate(_shares(ops, workers))
    ]
    try:
        for process in processes:
            process.start()
        start.wait(timeout=60)
        began = time.perf_counter()
        wait(processes)
        return Measured(ops, value.value, time.perf_counter() - began, workers)
    finally:
        stop_processes(processes)


# -------------------------------------------------------------- costs
def _queue_sender(queue: Any, n: int, log: str) -> None:
    worker_setup(log)
    for i in range(n):
        queue.put((i & 1, 1))  # a deposit of 1 into account 0 or 1: pickled, copied
    queue.put(None)


def _pipe_sender(conn: Connection, n: int, log: str) -> None:
    worker_setup(log)
    for i in range(n):
        conn.send((i & 1, 1))
    conn.send(None)
    conn.close()


def _cost(method: str, ops: int, log: str, wait: Wait) -> Measured:
    """Hand ``ops`` deposits from a sender process to this one, one at a time; time it."""
    balances = [0, 0]
    block = SharedMemory(block_name("cost"), create=True, size=16) if method == "cost-shared-memory" else None
    processes: list = []
    try:
        began = time.perf_counter()
        if block is not None:
            lock = CONTEXT.Lock()  # kept here until the sender has it: a lock nobody holds is unlinked
            processes = [CONTEXT.Process(target=_shm_sender, args=(block.name, lock, ops, log), daemon=True,
                                         name="bankgame-lab-shm-sender")]
            processes[0].start()
            wait(processes)
            view = int64s(block)
            balances = [view[0], view[1]]
            view.release()
        elif method == "cost-queue":
            queue = CONTEXT.Queue()
            processes = [CONTEXT.Process(target=_queue_sender, args=(queue, ops, log), daemon=True,
                                         name="bankgame-lab-queue-sender")]
            processes[0].start()
            while (item := queue.get(timeout=60)) is not None:
                balances[item[0]] += item[1]
            wait(processes)
            queue.close()
        else:
            here, there = CONTEXT.Pipe(duplex=False)
            processes = [CONTEXT.Process(target=_pipe_sender, args=(there, ops, log), daemon=True,
                                         name="bankgame-lab-pipe-sender")]
            processes[0].start()
            there.close()
            try:
                while (item := here.recv()) is not None:
                    balances[item[0]] += item[1]
            finally:
                here.close()
            wait(processes)
        return Measured(ops, sum(balances), time.perf_counter() - began, 2)
    finally:
        stop_processes(processes)
        if block is not None:
            block.close()
            block.unlink()


def _shm_sender(name: str, lock: Any, n: int, log: str) -> None:
    worker_setup(log)
    block = SharedMemory(name=name)
    view = int64s(block)
    try:
        for i in range(n):
            with lock:
                view[i & 1] += 1  # the deposit lands in the shared block itself: nothing copied
    finally:
        view.release()
        block.close()


# ----------------------------------------------------------- speed-up
def _busy_worker(n: int, start: Any, log: str) -> None:
    worker_setup(log)
    start.wait()
    _busy(Counter(), n, None)


def _time_processes(workers: int, ops: int, log: str, wait: Wait) -> float:
    start = CONTEXT.Barrier(workers + 1)
    processes = [CONTEXT.Process(target=_busy_worker, args=(n, start, log), daemon=True, name=f"bankgame-lab-busy-{i}")
                 for i, n in enumerate(_shares(ops, workers))]
    try:
        for process in processes:
            process.start()
        start.wait(timeout=60)
        began = time.perf_counter()
        wait(processes)
        return time.perf_counter() - began
    finally:
        stop_processes(processes)


def _speedup_processes(workers: int, ops: int, log: str, wait: Wait) -> Measured:
    alone = min(_time_processes(1, ops, log, wait) for _ in range(REPEATS))
    together = min(_time_processes(workers, ops, log, wait) for _ in range(REPEATS))
    return Measured(ops, ops, together, workers, alone / max(together, 1e-9))
