"""Step back: what one step back costs, against one tick forward, measured in the same run.

A step back rebuilds the day from its seed and stamped actions (on a fresh
backend), so it costs about as much as playing the day so far again. This
prints, for each backend and a few ticks into a sandbox day of 6 desks, the
time of one step back as a ratio to one tick forward, and to opening the same
day afresh and playing it to the tick before (what a rebuild cannot beat).

Run: python benchmarks/bench_rewind.py
Prints measurements only; nothing here is a test.
"""

from __future__ import annotations

import statistics
import time

from bankgame.day import open_day
from bankgame.engine.rewind import Tape
from bankgame.workers import make_backend, start_process_helpers

OPTIONS = {"cashiers": 6, "customers": 2000, "tickets": "accounts", "arrival_gap": 0.5}


def measure(backend: str, tick: int, repeats: int = 3) -> tuple[float, float, float]:
    """Return median seconds of one tick forward, of one step back at ``tick``, and of a fresh day to ``tick - 1``."""
    forward, back, fresh = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        _, branch = open_day("sandbox", 1, OPTIONS, backend)
        Tape(branch).forward(tick - 1)
        fresh.append(time.perf_counter() - start)
        branch.close()
        _, branch = open_day("sandbox", 1, OPTIONS, backend)
        tape = Tape(branch, lambda: make_backend(backend))
        tape.forward(tick - 1)
        start = time.perf_counter()
        tape.forward(1)
        forward.append(time.perf_counter() - start)
        start = time.perf_counter()
        tape.back(1)
        back.append(time.perf_counter() - start)
        tape.close()
    return statistics.median(forward), statistics.median(back), statistics.median(fresh)


def main() -> None:
    start_process_helpers()
    for backend in ("inline", "process"):
        for tick in (50, 200, 800):
            one, back, fresh = measure(backend, tick)
            print(f"{backend:8s} at tick {tick:4d}: one step back = {back / one:6.0f}× a tick forward "
                  f"= {back / fresh:4.2f}× a fresh day played to tick {tick - 1}")


if __name__ == "__main__":
    main()
