"""The Lab: one workload, free-running on real processes, three ways.

No scheduler here: the worker processes race each other on the player's own
machine. Every operation is a deposit of 1 into one of a few accounts, done as
*read the balance, a little work (the fee rules), write the balance back*:

- ``shared-unlocked``: the ledger is a ``multiprocessing.shared_memory`` block
  and nobody takes a ticket. Two processes read the same balance, both write:
  one deposit is lost. It happens constantly.
- ``shared-locked``: the same, with one ``multiprocessing`` lock around the
  read–work–write. Nothing is lost; the lock costs time.
- ``message-passing``: one clerk process owns the accounts; the workers do the
  same work and send their deposits as pickled messages (in batches) through
  pipes. Nothing is lost; the clerk's mailbox can become the bottleneck.

Beside them, the Python runs of ``bankgame.workers.lab_python``: threads and
the GIL, ``multiprocessing.Value``'s lock, the cost of a Queue, a Pipe and
shared memory per operation, and the speed-up of threads and of processes.

``run_lab`` is the whole API: the CLI (``bankgame lab``) and the Lab screen
both call it, with a progress callback.
"""

from __future__ import annotations

import json
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.shared_memory import SharedMemory
from typing import Any, cast

from ..engine.backend import apply_message
from .helpers import (
    CONTEXT,
    ensure_process_helpers,
    helper_pids,
    helpers_alive,
    stop_processes,
    worker_setup,
)
from .lab_python import (
    PYTHON_METHODS,
    gil_enabled,
    python_version,
    run_python,
)
from .leftovers import int64s, new_block

RACE_METHODS = ("shared-unlocked", "shared-locked", "message-passing")
"""The same deposits on real processes, three ways."""
METHODS = RACE_METHODS + PYTHON_METHODS
"""Every run, in the order the Lab makes them."""
ACCOUNTS = 2
"""Few accounts: a busy branch where everybody pays into the same drawers."""
WORK = 24
"""Rounds of fee arithmetic between the read and the write."""
BATCH = 256
"""Deposits per message in message-passing mode."""
PROGRESS_EVERY = 512
DEFAULT_OPS = 200_000

Progress = Callable[[int, int], None]
"""``progress(done, total)``: deposits made so far over all the runs, in order,
out of ``ops × len(methods)``; called from the caller's thread a few times a
second. Run ``i`` covers ``done`` from ``i × ops`` to ``(i + 1) × ops``."""

_RunProgress = Callable[[str, int, int], None]


class LabCancelled(Exception):
    """The Lab was asked to stop (its workers are stopped before this is raised)."""


@dataclass(frozen=True, slots=True)
class LabRun:
    """One method's outcome."""

    method: str
    expected: int
    """Deposits made: what the ledger should hold."""
    actual: int
    """What the ledger holds at the end."""
    lost: int
    wall_s: float
    ops_per_s: float
    workers: int = 0
    """Threads or processes doing the operations."""
    per_op_us: float = 0.0
    """Microseconds of wall time per operation."""
    speedup: float | None = None
    """``speedup-*`` runs only: one worker's time over ``workers`` workers' time."""

    @property
    def group(self) -> str:
        """``shared``, ``message``, ``threads``, ``value``, ``cost`` or ``speedup``."""
        return self.method.split("-")[0]


@dataclass(frozen=True, slots=True)
class LabResult:
    """The Lab's three runs on this machine."""

    processes: int
    ops: int
    runs: tuple[LabRun, ...]
    python: str = ""
    """Which Python ran it, e.g. ``CPython 3.11.7``."""
    gil: bool = True
    """Whether the GIL was on."""

    def as_dict(self) -> dict[str, Any]:
        """Return the ``--json`` object."""
        return {"processes": self.processes, "ops": self.ops, "python": self.python, "gil": self.gil,
                "runs": [asdict(run) for run in self.runs]}

    def to_json(self) -> str:
        """Return the result as one JSON object."""
        return json.dumps(self.as_dict())

    def __iter__(self) -> Iterator[LabRun]:
        """Iterate over the runs, in the order they ran."""
        return iter(self.runs)

    def run(self, method: str) -> LabRun:
        """Return the run of ``method``."""
        return next(run for run in self.runs if run.method == method)


def default_processes() -> int:
    """Return one worker per core, and at least two (a race needs two)."""
    return max(2, os.cpu_count() or 2)


def run_lab(
    processes: int | None = None,
    ops: int = DEFAULT_OPS,
    progress: Progress | None = None,
    methods: Sequence[str] = METHODS,
    cancel: threading.Event | None = None,
) -> LabResult:
    """Run the Lab's workload free-running on real processes, once per method.

    Args:
        processes: worker processes racing (default: one per core, at least 2).
        ops: deposits in all, shared among the workers.
        progress: called with ``(done, total)`` over all the runs (see ``Progress``).
        methods: which runs, in order (default: every one of ``METHODS``).
        cancel: set it (from any thread) to stop the Lab early.

    Returns:
        Expected and actual totals, lost deposits, wall time and throughput
        of each run.

    Raises:
        ValueError: fewer than 1 process or op, or an unknown method.
        LabCancelled: ``cancel`` was set; every worker is stopped first.

    A UI calls it from a thread worker, after ``start_process_helpers`` ran
    before the app started.
    """
    processes = default_processes() if processes is None else processes
    if processes < 1 or ops < 1:
        raise ValueError("the Lab needs at least 1 process and 1 op")
    for method in methods:
        if method not in METHODS:
            raise ValueError(f"unknown Lab method {method!r} (choose from {', '.join(METHODS)})")
    log = ensure_process_helpers()
    shares = [ops // processes + (1 if i < ops % processes else 0) for i in range(processes)]
    runs = []
    for index, method in enumerate(methods):
        step = None
        if progress is not None:
            def step(_method: str, done: int, _total: int, before: int = index * ops) -> None:
                progress(before + done, ops * len(methods))
        if cancel is not None and cancel.is_set():
            raise LabCancelled(method)
        if method in PYTHON_METHODS:
            runs.append(_run_python(method, processes, ops, log, step, cancel))
        else:
            runs.append(_run_again_if_a_helper_died(method, shares, log, step, cancel))
    return LabResult(processes, ops, tuple(runs), python_version(), gil_enabled())


def _run_python(
    method: str, workers: int, ops: int, log: str, progress: _RunProgress | None, cancel: threading.Event | None
) -> LabRun:
    if progress is not None:
        progress(method, 0, ops)

    def wait_for(processes: list) -> None:
        _watch(method, processes, lambda: 0, ops, None, cancel)

    measured = run_python(method, max(2, workers), ops, log, wait_for)
    if progress is not None:
        progress(method, ops, ops)
    wall = max(measured.wall_s, 1e-9)
    return LabRun(
        method, measured.expected, measured.actual, measured.expected - measured.actual, round(wall, 4),
        round(measured.expected / wall, 1), measured.workers, round(1e6 * wall / max(1, measured.expected), 3),
        None if measured.speedup is None else round(measured.speedup, 2),
    )


def _run_again_if_a_helper_died(
    method: str, shares: list[int], log: str, progress: _RunProgress | None, cancel: threading.Event | None
) -> LabRun:
    """Run one method; if its workers' forkserver was killed meanwhile, start it again and run it afresh.

    A dead forkserver makes every worker it started look dead (their handles
    fire), so the run cannot be trusted: it is done again, once, from the start.
    """
    for attempt in (1, 2):
        helpers = helper_pids()
        try:
            if method == "message-passing":
                return _run_messages(shares, log, progress, cancel)
            return _run_shared(method, shares, log, progress, cancel)
        except (RuntimeError, OSError, EOFError):
            if attempt == 2 or not _a_helper_died(helpers):
                raise
            ensure_process_helpers()
    raise AssertionError("unreachable")  # pragma: no cover


def _a_helper_died(seen: tuple[int | None, int | None], settle: float = 1.0) -> bool:
    """Whether a helper running when the run began (``seen``) is gone or replaced.

    A killed forkserver's workers look dead at once (their handles are its
    pipes, closed as it dies), a moment before the forkserver itself is
    reported dead: so a failed run looks again for up to ``settle`` seconds.
    """
    deadline = time.monotonic() + settle
    while helpers_alive() and helper_pids() == seen:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


# ----------------------------------------------------------------- workers
def _fee(value: int) -> int:
    """A little work between the read and the write: the fee rules (always 0)."""
    fee = 0
    for _ in range(WORK):
        fee = (fee * 31 + value) % 9973
    return fee * 0


def _line_up(stats: Any, workers: int) -> None:
    """Spin until every worker has passed the barrier, so that they truly start together.

    A barrier wakes its waiters one by one; a short run could end before the
    last one wakes, and then nothing races. Bounded, in case one never comes.
    """
    deadline = time.monotonic() + 1.0
    while 0 in stats[workers : 2 * workers] and time.monotonic() < deadline:
        pass


def _shared_worker(
    ledger_name: str, stats_name: str, index: int, workers: int, ops: int, lock: Any, start: Any, log: str
) -> None:
    worker_setup(log)
    ledger_block, stats_block = SharedMemory(name=ledger_name), SharedMemory(name=stats_name)
    ledger, stats = int64s(ledger_block), int64s(stats_block)
    fee, x = _fee, index * 7919 + 1
    try:
        start.wait()
        stats[workers + index] = time.monotonic_ns()
        _line_up(stats, workers)
        stats[workers + index] = time.monotonic_ns()  # the race starts now
        for i in range(ops):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            account = (x >> 16) % ACCOUNTS
            if lock is None:
                balance = ledger[account]
                balance += 1 - fee(balance)
                ledger[account] = balance
            else:
                with lock:
                    balance = ledger[account]
                    balance += 1 - fee(balance)
                    ledger[account] = balance
            if not i % PROGRESS_EVERY:
                stats[index] = i
        stats[index] = ops
        stats[2 * workers + index] = time.monotonic_ns()
    finally:
        ledger.release()
        stats.release()
        ledger_block.close()
        stats_block.close()


def _sender(conn: Connection, stats_name: str, index: int, workers: int, ops: int, start: Any, log: str) -> None:
    worker_setup(log)
    stats_block = SharedMemory(name=stats_name)
    stats = int64s(stats_block)
    fee, x, dumps, send = _fee, index * 7919 + 1, pickle.dumps, conn.send_bytes
    seq = index * ops
    try:
        start.wait()
        stats[workers + index] = time.monotonic_ns()
        batch = []
        for _ in range(ops):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            account = (x >> 16) % ACCOUNTS
            seq += 1
            batch.append((seq, "deposit", account, 1 - fee(x)))
            if len(batch) == BATCH:
                send(dumps(batch))
                batch = []
        if batch:
            send(dumps(batch))
    finally:
        conn.close()
        stats.release()
        stats_block.close()


def _clerk(inboxes: list[Connection], result: Connection, stats_name: str, workers: int, start: Any, log: str) -> None:
    worker_setup(log)
    stats_block = SharedMemory(name=stats_name)
    stats = int64s(stats_block)
    accounts = {a: 0 for a in range(ACCOUNTS)}
    closed: frozenset[int] = frozenset()
    applied = 0
    try:
        start.wait()
        pending = list(inboxes)
        while pending:
            for inbox in cast("list[Connection]", wait(pending)):  # only connections are waited on
                try:
                    data = inbox.recv_bytes()
                except EOFError:
                    pending.remove(inbox)
                    continue
                batch = pickle.loads(data)
                for _seq, op, account, amount in batch:
                    apply_message(accounts, closed, op, account, amount)
                applied += len(batch)
                stats[0] = applied
        stats[2 * workers] = time.monotonic_ns()
        result.send_bytes(pickle.dumps(accounts))
    finally:
        stats.release()
        stats_block.close()


# ------------------------------------------------------------------- runs
def _block(slots: int) -> tuple[SharedMemory, Any]:
    block = new_block(8 * max(1, slots))
    view = int64s(block)
    for slot in range(slots):
        view[slot] = 0
    return block, view


def _free(*pairs: tuple[SharedMemory, Any]) -> None:
    for block, view in pairs:
        view.release()
        block.close()
        block.unlink()


def _watch(
    method: str, processes: list, done: Callable[[], int], total: int, progress: _RunProgress | None,
    cancel: threading.Event | None,
) -> None:
    """Wait for every process to finish, reporting progress meanwhile."""
    sentinels = {p.sentinel for p in processes}
    while sentinels:
        if cancel is not None and cancel.is_set():
            raise LabCancelled(method)
        for sentinel in wait(list(sentinels), timeout=0.1):
            sentinels.discard(sentinel)
        if progress is not None:
            progress(method, min(done(), total), total)
    failed = [p.name for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"Lab worker(s) failed: {', '.join(failed)} (see the workers' log)")


def _wait_start(start: Any, processes: list) -> None:
    """Wait at the starting line with the workers (they all go at once)."""
    try:
        start.wait(timeout=60)
    except threading.BrokenBarrierError:
        failed = [p.name for p in processes if p.exitcode not in (None, 0)]
        raise RuntimeError(f"Lab workers did not reach the start: {', '.join(failed) or 'timeout'} (see the workers' log)") from None


def _timed_run(method: str, expected: int, actual: int, start_ns: list[int], end_ns: int) -> LabRun:
    wall = max(1, end_ns - min(start_ns)) / 1e9
    return LabRun(method, expected, actual, expected - actual, round(wall, 4), round(expected / wall, 1),
                  len(start_ns), round(1e6 * wall / max(1, expected), 3))


def _run_shared(
    method: str, shares: list[int], log: str, progress: _RunProgress | None, cancel: threading.Event | None
) -> LabRun:
    workers, total = len(shares), sum(shares)
    ledger, stats = _block(ACCOUNTS), _block(3 * workers)
    lock = CONTEXT.Lock() if method == "shared-locked" else None
    start = CONTEXT.Barrier(workers + 1)
    processes = [
        CONTEXT.Process(
            target=_shared_worker, name=f"bankgame-lab-{method}-{i}", daemon=True,
            args=(ledger[0].name, stats[0].name, i, workers, share, lock, start, log),
        )
        for i, share in enumerate(shares)
    ]
    try:
        for process in processes:
            process.start()
        if progress is not None:
            progress(method, 0, total)
        _wait_start(start, processes)
        view = stats[1]
        _watch(method, processes, lambda: sum(view[:workers]), total, progress, cancel)
        actual = sum(ledger[1][:ACCOUNTS])
        return _timed_run(method, total, actual, list(view[workers : 2 * workers]), max(view[2 * workers : 3 * workers]))
    finally:
        stop_processes(processes)
        _free(ledger, stats)


def _run_messages(shares: list[int], log: str, progress: _RunProgress | None, cancel: threading.Event | None) -> LabRun:
    method = "message-passing"
    workers, total = len(shares), sum(shares)
    stats = _block(3 * workers)
    start = CONTEXT.Barrier(workers + 2)
    pipes = [CONTEXT.Pipe(duplex=False) for _ in shares]
    result_r, result_w = CONTEXT.Pipe(duplex=False)
    clerk = CONTEXT.Process(
        target=_clerk, name="bankgame-lab-clerk", daemon=True,
        args=([r for r, _ in pipes], result_w, stats[0].name, workers, start, log),
    )
    senders = [
        CONTEXT.Process(
            target=_sender, name=f"bankgame-lab-sender-{i}", daemon=True,
            args=(pipes[i][1], stats[0].name, i, workers, share, start, log),
        )
        for i, share in enumerate(shares)
    ]
    processes = [clerk, *senders]
    try:
        for process in processes:
            process.start()
        # Only the workers may hold the pipes' ends, or EOF never comes.
        for r, w in pipes:
            r.close()
            w.close()
        result_w.close()
        if progress is not None:
            progress(method, 0, total)
        _wait_start(start, processes)
        view = stats[1]
        _watch(method, processes, lambda: view[0], total, progress, cancel)
        accounts = pickle.loads(result_r.recv_bytes())
        return _timed_run(method, total, sum(accounts.values()), list(view[workers : 2 * workers]), view[2 * workers])
    finally:
        stop_processes(processes)
        result_r.close()
        _free(stats)
