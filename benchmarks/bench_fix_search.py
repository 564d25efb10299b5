"""The smallest-fix search: time per fix-it, as a ratio to one check of its shipped program, and
what replaying earlier breaking schedules saves (the same search with no schedules kept).

Run: python benchmarks/bench_fix_search.py
Target: every fix-it's par found in under 2 seconds, so the editor shows par at once.
Prints measurements only; nothing here is a test.
"""

from __future__ import annotations

import time

from bankgame.engine import fix_search
from bankgame.engine.checker import check
from bankgame.engine.fixits import _report, load_fixits


def timed(run) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> None:
    fixits = load_fixits().fixits
    print(f"{'fix-it':<24} {'one check':>10} {'search':>9} {'ratio':>7} {'checked':>8} {'no replay':>10} {'saved':>6}")
    for fix in fixits:
        one, _ = timed(lambda fix=fix: check(fix.machine(fix.shipped)))
        fix_search.smallest_fix.cache_clear()
        _report.cache_clear()
        search, found = timed(lambda fix=fix: fix_search.smallest_fix(fix))
        keep = fix_search.WITNESSES
        fix_search.WITNESSES = 0
        fix_search.smallest_fix.cache_clear()
        _report.cache_clear()
        bare, plain = timed(lambda fix=fix: fix_search.smallest_fix(fix))
        fix_search.WITNESSES = keep
        fix_search.smallest_fix.cache_clear()
        assert plain.cost == found.cost  # the replay only skips programs already known to break
        print(f"{fix.id:<24} {one * 1000:>8.1f}ms {search:>8.2f}s {search / one:>6.0f}x {found.checked:>8} "
              f"{bare:>9.2f}s {bare / search:>5.1f}x")


if __name__ == "__main__":
    main()
