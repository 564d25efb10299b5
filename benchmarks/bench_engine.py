"""Engine speed: micro-steps per second, and a 10,000-customer, 8-cashier day.

Run: python benchmarks/bench_engine.py
Targets: >= 300,000 micro-steps per second; the big day in under 1 second.
Prints measurements only; nothing here is a test.
"""

from __future__ import annotations

import statistics
import time

from bankgame.engine import Branch, DayConfig


def big_day(mode: str = "shared", tickets: str = "accounts") -> DayConfig:
    """The benchmark's day: 10,000 customers at 8 desks."""
    return DayConfig(
        mode=mode, cashiers=8, accounts=16, clerks=4, customers=10_000, tickets=tickets,
        arrival_gap=0.5, patience=10_000, deposit=3, withdraw=2, transfer=1, quote=1,
    )


def measure(day: DayConfig, repeats: int = 5) -> tuple[float, float, int]:
    """Return (best seconds, median seconds, micro-steps) of running ``day``."""
    times = []
    steps = 0
    for seed in range(repeats):
        branch = Branch(day, seed=seed)
        start = time.perf_counter()
        while not branch.over:
            branch.step_tick()
            branch.events.clear()  # a consumer drains events each tick, as the UI does
        times.append(time.perf_counter() - start)
        steps = branch.steps_run
    return min(times), statistics.median(times), steps


def main() -> None:
    for label, day in (
        ("shared, per-account tickets", big_day()),
        ("shared, no tickets", big_day(tickets="none")),
        ("message passing", big_day(mode="message")),
    ):
        best, median, steps = measure(day)
        print(f"{label:30s} 10,000 customers, 8 desks: best {best:.3f} s, median {median:.3f} s, "
              f"{steps:,} micro-steps, {steps / median:,.0f} micro-steps/s")


if __name__ == "__main__":
    main()
