"""Memory of a long day: after 1k, 10k and 100k ticks, headless and on the branch screen.

Run: python benchmarks/bench_memory.py            (inline backend: engine both modes, and the UI)
     python benchmarks/bench_memory.py --process  (adds the real process backend, both modes, and its workers)
Target: memory after 100k ticks within 10 MB of memory after 10k ticks, in every row.

Each row runs in a fresh process. The day is the sandbox with 100,000
customers arriving about two every three ticks, four desks and no tickets: the queue is
always full, customers leave, and integrity errors happen every few ticks,
which is what a day keeps the most of. Two numbers per checkpoint: the
Python heap (tracemalloc, what the game's objects hold) and the resident set
size (what the operating system sees, allocator slack included); on real
processes a third, ``workers``: the resident sets of the day's desk and clerk
processes added up. The 1k checkpoint includes the 100,000 customers
generated at the start of the day, whose records (a few ints each once
served) are all the day keeps that grows with it, up to its last customer.
Prints measurements only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import tracemalloc

CHECKPOINTS = (1_000, 10_000, 100_000)
OPTIONS = {"customers": 100_000, "cashiers": 4, "accounts": 4, "tickets": "none", "arrival_gap": 1.6}


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of process ``pid`` (this one by default), in MB."""
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def workers_mb(branch) -> float:
    """Resident set size of the day's worker processes together (desks and clerks), in MB; 0 in-process."""
    pids = getattr(branch.backend, "pids", None)
    if pids is None:
        return 0.0
    return sum(rss_mb(pid) for group in pids().values() for pid in group if pid)


def heap_mb() -> float:
    """The Python heap, in MB (0 when tracemalloc is off)."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0] / 1e6


def open_long_day(mode: str, backend: str):
    from bankgame.day import open_day

    return open_day("sandbox", 7, {**OPTIONS, "mode": mode}, backend)


def headless(mode: str, backend: str) -> list[tuple[int, float, float]]:
    """Run the long day as ``simulate`` does (nobody drains the events)."""
    level, branch = open_long_day(mode, backend)
    out = []
    with branch:
        for checkpoint in CHECKPOINTS:
            while branch.tick < checkpoint and not branch.over:
                branch.step_tick()
            out.append((branch.tick, heap_mb(), workers_mb(branch) if WORKERS else rss_mb()))
    return out


WORKERS = False
"""Whether ``rss`` measures the worker processes instead of this one (``workers`` rows)."""


def on_screen(mode: str, backend: str) -> list[tuple[int, float, float]]:
    """Run the long day on the branch screen (Pilot), eight ticks a frame as at 8× speed."""
    from bankgame.app import BankApp
    from bankgame.store import Store

    out: list[tuple[int, float, float]] = []

    async def play() -> None:
        day = open_long_day(mode, backend)
        branch = day[1]
        app = BankApp(day=day, backend=backend, paused=True, store=Store.memory())
        app.animation_level = "none"
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            screen = app.screen
            for checkpoint in CHECKPOINTS:
                while branch.tick < checkpoint and not branch.over:
                    screen.advance(8)
                    if branch.tick % 400 == 0:
                        await pilot.pause()
                await pilot.pause()
                out.append((branch.tick, heap_mb(), rss_mb()))

    asyncio.run(play())
    return out


def row(kind: str, mode: str, backend: str, what: str) -> None:
    """Measure one row (in this process) and print it: ``rss``, or ``heap`` (tracemalloc, whose own traces would swell the RSS)."""
    global WORKERS
    WORKERS = what == "workers"
    if what == "heap":
        tracemalloc.start()
    points = (headless if kind == "headless" else on_screen)(mode, backend)
    values = [(tick, heap if what == "heap" else rss) for tick, heap, rss in points]
    cells = "  ".join(f"{tick / 1000:>5.1f}k ticks {value:6.1f} MB" for tick, value in values)
    print(f"{kind:8s} {mode:7s} {backend:7s} {what:7s}  {cells}   100k−10k: {values[2][1] - values[1][1]:+5.1f} MB",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--process", action="store_true", help="also measure the real process backend")
    parser.add_argument("--row", nargs=4, metavar=("KIND", "MODE", "BACKEND", "WHAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.row:
        row(*args.row)
        return
    rows = [("headless", "shared", "inline"), ("headless", "message", "inline"),
            ("screen", "shared", "inline"), ("screen", "message", "inline")]
    if args.process:
        rows += [("headless", "shared", "process"), ("headless", "message", "process")]
    for kind, mode, backend in rows:
        for what in ("rss", "heap", *(("workers",) if backend == "process" and kind == "headless" else ())):
            subprocess.run([sys.executable, __file__, "--row", kind, mode, backend, what], check=True)


if __name__ == "__main__":
    main()
