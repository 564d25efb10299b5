"""How long opening a day on real processes keeps the UI thread from answering.

Run: python benchmarks/bench_open_day.py
A heartbeat on the app's event loop every 5 ms records the longest gap between
two beats: first while the title sits idle (the baseline of this run, this
machine), then while ``open_level`` starts a day's worker processes, until the
branch screen is up. Printed as milliseconds and as a ratio to the idle gap.
Target: the UI answers while processes start (the gap near the idle one), where
starting them on the UI thread kept it deaf for the whole start.
Prints measurements only; nothing here is a test.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from functools import partial

ROUNDS = 5


async def longest_gap(app, pilot, action=None) -> float:
    """Seconds of the longest gap between 5 ms heartbeats, while ``action`` runs (or for 0.5 s)."""
    from bankgame.screens.branch import BranchScreen

    gaps: list[float] = []
    last = time.perf_counter()

    def beat() -> None:
        nonlocal last
        now = time.perf_counter()
        gaps.append(now - last)
        last = now

    timer = app.set_interval(0.005, beat)
    last = time.perf_counter()
    if action is None:
        await asyncio.sleep(0.5)
    else:
        action()
        while not isinstance(app.screen, BranchScreen):
            await asyncio.sleep(0.005)
        await pilot.pause()
    timer.stop()
    return max(gaps) if gaps else 0.0


async def measure() -> tuple[list[float], list[float]]:
    from bankgame.app import BankApp
    from bankgame.store import Store

    idle, opening = [], []
    for _ in range(ROUNDS):
        app = BankApp(backend="process", store=Store.memory())
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            idle.append(await longest_gap(app, pilot))
            opening.append(await longest_gap(app, pilot, partial(app.open_level, "rush-hour")))
            app.close_branches()
    return idle, opening


def main() -> None:
    from bankgame.workers import start_process_helpers

    os.environ.setdefault("BANKGAME_HOME", tempfile.mkdtemp(prefix="bench-open-"))
    start_process_helpers()  # before any app runs, as the game does
    idle, opening = asyncio.run(measure())
    base, open_ = statistics.median(idle), statistics.median(opening)
    print(f"longest UI gap, idle title      : {1000 * base:7.1f} ms (median of {ROUNDS})")
    print(f"longest UI gap, opening a day   : {1000 * open_:7.1f} ms (median of {ROUNDS})")
    print(f"ratio opening / idle            : {open_ / base:7.2f}x")


if __name__ == "__main__":
    main()
