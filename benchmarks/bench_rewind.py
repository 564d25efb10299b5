"""Step back: what one step back costs, against one tick forward, measured in the same run.

A step back rebuilds the day from its seed and stamped actions (on a fresh
backend), so it costs about as much as playing the day so far again. This
prints, for each backend and a few ticks into a sandbox day of 6 desks, the
time of one step back as a ratio to the time of one tick forward.

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


def measure(backend: str, tick: int, repeats: int = 3) -> tuple[float, float]:
    """Return (median seconds of one tick forward, median seconds of one step back) at ``tick``."""
    forward, back = [], []
    for _ in range(repeats):
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
    return statistics.median(forward), statistics.median(back)


def main() -> None:
    start_process_helpers()
    for backend in ("inline", "process"):
        for tick in (50, 200, 800):
            one, back = measure(backend, tick)
            print(f"{backend:8s} at tick {tick:4d}: one tick forward {one * 1e3:7.3f} ms, "
                  f"one step back {back * 1e3:8.1f} ms = {back / one:7.0f}× a tick forward")


if __name__ == "__main__":
    main()
