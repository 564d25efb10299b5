"""The checker's speed: distinct states per second, as a ratio to a bare Python loop, and the largest puzzle.

Run: python benchmarks/bench_checker.py
Target: the largest puzzle of the book (most distinct states) fully checked in under 1 second,
so hints and proofs answer at once in the UI. Also checks a small day of a level, the
biggest ``bankgame check --level`` allows in a few seconds.
Prints measurements only; nothing here is a test.
"""

from __future__ import annotations

import statistics
import time
from collections import deque

from bankgame.engine.checker import check
from bankgame.engine.day_check import day_machine
from bankgame.engine.puzzles import load_book


def bare_loop(n: int) -> float:
    """Seconds for ``n`` rounds of the checker's skeleton with nothing inside: a deque pop, a dict look-up, a tuple."""
    seen: dict[tuple[int, int], int] = {}
    queue = deque([(0, 0)])
    start = time.perf_counter()
    for i in range(n):
        state = queue.popleft() if queue else (i, 0)
        key = (state[0] + 1, i)
        if key not in seen:
            seen[key] = i
            queue.append(key)
    return time.perf_counter() - start


def best_of(repeats: int, run) -> tuple[float, float, object]:
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main() -> None:
    book = load_book()
    reports = {p.id: p.report() for p in book.puzzles}
    largest = max(book.puzzles, key=lambda p: reports[p.id].states)
    best, median, report = best_of(7, lambda: check(largest.machine))
    states = report.states
    loop_seconds = min(bare_loop(states) for _ in range(7))
    per_second = states / median
    loop_per_second = states / loop_seconds
    print(f"largest puzzle: {largest.id} ({len(largest.machine.desks)} desks), {states:,} distinct states, "
          f"{report.orders:,} orders, verdict {report.verdict}")
    print(f"  full check: best {best * 1000:.1f} ms, median {median * 1000:.1f} ms (target < 1000 ms)")
    print(f"  checker: {per_second:,.0f} states/s; bare Python loop of as many rounds: {loop_per_second:,.0f} rounds/s; "
          f"ratio {per_second / loop_per_second:.4f} (the checker costs {loop_per_second / per_second:,.0f}x a bare round per state)")
    total_best, total_median, _ = best_of(3, lambda: [check(p.machine) for p in book.puzzles])
    print(f"whole book ({len(book.puzzles)} puzzles): best {total_best * 1000:.0f} ms, median {total_median * 1000:.0f} ms")
    machine = day_machine("check-then-withdraw", 6, {"cashiers": 4})
    best, median, report = best_of(3, lambda: check(machine))
    print(f"a day: check-then-withdraw, 6 customers, 4 cashiers: {report.states:,} states, median {median:.2f} s, "
          f"{report.states / median:,.0f} states/s, verdict {report.verdict}")


if __name__ == "__main__":
    main()
