"""A day on the player's own code against the branch's own day: the cost of running edited programs.

Both days have the same desks, accounts, customers and seed, in-process; the
branch's day compiles each customer's program from its ticket board, the day
on code runs the desk's edited lines. The ratio is steps run per second, code
day over branch day, measured side by side (A B A B) in one run.

Run: python benchmarks/bench_program_day.py [--customers N] [--rounds R]
Target: a ratio of at least 1 (the day on code is no slower per step than the branch's own).
Prints measurements only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from bankgame.engine.branch import Branch
from bankgame.engine.fix_search import smallest_fix
from bankgame.engine.fixits import load_fixits
from bankgame.engine.program_day import program_level


def steps_per_second(make: object) -> float:
    branch = make()  # type: ignore[operator]
    start = time.perf_counter()
    branch.run()
    return branch.steps_run / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    fix = load_fixits().fixit("fix-big-ticket")
    found = smallest_fix(fix)
    assert found is not None
    level, code = program_level(fix, found.programs, args.customers)
    # The branch's own day on the same desks and accounts, a ticket per account as the fix has.
    own = dataclasses.replace(level.day, tickets="accounts", transfer=0.5, deposit=0.5)
    ratios = []
    for _ in range(args.rounds):
        mine = steps_per_second(lambda: Branch(level.day, seed=3, code=code))
        base = steps_per_second(lambda: Branch(own, seed=3))
        ratios.append(mine / base)
        print(f"day on code {mine:>10,.0f} steps/s · branch's own day {base:>10,.0f} steps/s · ratio {mine / base:.2f}")
    print(f"median ratio {statistics.median(ratios):.2f} over {args.rounds} rounds "
          f"(python benchmarks/bench_program_day.py --customers {args.customers} --rounds {args.rounds})")


if __name__ == "__main__":
    main()
