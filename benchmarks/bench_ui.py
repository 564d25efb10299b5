"""The UI's speed and size, each against what it is compared with, side by side in one run.

Run: python benchmarks/bench_ui.py [--baseline REV] [--rounds N]

Three ratios, each with its target and PASS or FAIL:

- first frame: launch to the title's first frame, against a minimal Textual app
  (Header, Static, Footer) launched the same way, both in each round; both
  hooked at the same place, the first whole screen Textual hands to its driver.
  Target <= 1.2x (the median of the rounds' ratios).
- 8x: a sandbox day with 8 desks and ~740 queued customers at 8x (80 ticks a
  second) on the branch screen, drawn by its own frame timer for a few
  seconds: ticks the day ran per second against the nominal 80. Target >= 0.95.
- memory: peak resident memory (VmHWM) of a process that plays a whole 8x day
  on the branch screen (8 desks, 600 customers; three ticks a frame, each
  frame drawn, the same frames on both sides), against the same day played
  by revision REV's code (``--baseline``, checked out in a temporary git
  worktree and imported from there), alternating. Target: the median no higher
  than the baseline's (within 1%, the spread of repeated runs of one revision,
  which is printed too). Without ``--baseline`` it is measured against HEAD.

Also printed: a tick's refresh with 8 desks and 370 queued (engine, widgets,
whole tick through Textual) and the UI process's size. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from bankgame.screens.branch import BranchScreen

ROOT = Path(__file__).resolve().parent.parent

FIRST_PAINT = """
import time
from textual.app import App

_display = App._display
_painted = []


def _first_paint(self, screen, renderable):
    # The first frame: the first whole screen handed to the driver.
    _display(self, screen, renderable)
    if renderable is not None and not self._batch_count and not _painted:
        _painted.append(screen)
        print("frame", type(screen).__name__, flush=True)
        self.exit()


App._display = _first_paint
"""

MINIMAL = FIRST_PAINT + """
from textual.widgets import Footer, Header, Static


class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("a minimal Textual app")
        yield Footer()


Minimal().run(headless=True, size=(120, 36))
"""

GAME = FIRST_PAINT + """
from bankgame.app import BankApp

BankApp(backend="inline").run(headless=True, size=(120, 36))
"""

MEMORY_DAY = """
import asyncio

from bankgame.app import BankApp
from bankgame.day import open_day
from bankgame.store import Store

OPTIONS = {"cashiers": 8, "accounts": 8, "customers": 600, "arrival_gap": 0, "patience": 100_000,
           "tickets": "accounts"}


async def play():
    day = open_day("sandbox", 1, OPTIONS, "inline")
    branch = day[1]
    app = BankApp(day=day, backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        while not branch.over and branch.tick < 3000:
            screen.advance(3)  # 80 ticks a second at 30 frames a second: 2 or 3 ticks a frame
            await pilot.pause()
        await pilot.pause()
        with open("/proc/self/status") as status:
            found = dict(line.split(":", 1) for line in status)
        print("memory", branch.tick, found["VmHWM"].split()[0], found["VmRSS"].split()[0], flush=True)


asyncio.run(play())
"""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


PYCACHE = tempfile.mkdtemp(prefix="bankgame-bench-pycache-")
"""Byte-code for the children, as an installed game has it (pip compiles a wheel's modules): a shell
that sets PYTHONDONTWRITEBYTECODE would otherwise have every launch compile the game's modules
while Textual's come compiled, which is not what a player launches."""


def child_env(tui: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, TEXTUAL_ANIMATIONS="none", PYTHONPYCACHEPREFIX=PYCACHE)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if tui is not None:  # this revision's package first on the path, ahead of the editable install
        env["PYTHONPATH"] = os.pathsep.join([str(tui), *filter(None, [env.get("PYTHONPATH")])])
    return env


def first_frame(code: str) -> tuple[float, list[str]]:
    """Return seconds from launching ``python -c code`` to its first frame, and what it printed."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=child_env())
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.wait(timeout=60)
    return elapsed, line.split()


def bench_first_frame(rounds: int) -> bool:
    minimal: list[float] = []
    game: list[float] = []
    shown = ""
    first_frame(MINIMAL), first_frame(GAME)  # not counted: writes the byte-code both launch with
    for round_ in range(rounds):
        # One round launches both, one after the other (which goes first alternates): a
        # round's two launches see the same machine, whatever others run on it meanwhile.
        if round_ % 2:
            seconds, words = first_frame(GAME)
            minimal.append(first_frame(MINIMAL)[0])
        else:
            minimal.append(first_frame(MINIMAL)[0])
            seconds, words = first_frame(GAME)
        game.append(seconds)
        shown = words[1] if len(words) > 1 else "nothing"
    ratios = sorted(b / a for a, b in zip(minimal, game, strict=True))
    ratio = statistics.median(ratios)
    m, g = statistics.median(minimal), statistics.median(game)
    print(f"(a) first frame, median of {rounds} rounds' ratios: {ratio:.2f}x (target <= 1.2x) {verdict(ratio <= 1.2)} "
          f"· medians: minimal app {m * 1000:.0f} ms, bankgame ({shown}) {g * 1000:.0f} ms")
    print(f"    each round's ratio: {' '.join(f'{r:.2f}' for r in ratios)} · best of {rounds}: minimal "
          f"{min(minimal) * 1000:.0f} ms, bankgame {min(game) * 1000:.0f} ms, {min(game) / min(minimal):.2f}x")
    return ratio <= 1.2


@contextlib.asynccontextmanager
async def branch_screen(customers: int) -> AsyncIterator[tuple[Pilot[None], BranchScreen]]:
    """A paused sandbox day with 8 desks and ``customers`` waiting, on the branch screen at 120x36."""
    from bankgame.app import BankApp
    from bankgame.day import open_day
    from bankgame.screens.branch import BranchScreen
    from bankgame.store import Store

    day = open_day("sandbox", 1, {"cashiers": 8, "accounts": 8, "customers": customers, "arrival_gap": 0,
                                  "patience": 100_000, "tickets": "accounts"}, "inline")
    app = BankApp(day=day, backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BranchScreen)
        yield pilot, screen


async def bench_speed(seconds: float = 5.0) -> bool:
    """At 8x, with the branch screen drawing: how many of the nominal ticks a second the day advances."""
    from bankgame.constants import TICKS_PER_SECOND

    async with branch_screen(750) as (pilot, screen):
        branch = screen.branch
        frames: list[tuple[float, int]] = []
        refresh_view = screen.refresh_view

        def counted() -> None:
            refresh_view()
            frames.append((time.perf_counter(), branch.tick))

        screen.refresh_view = counted  # type: ignore[method-assign]
        screen.set_speed(8.0)
        screen.advance(1)  # the doors open: everyone comes in at once
        queued = len(branch.queue)
        frames.clear()
        screen.paused = False
        await asyncio.sleep(seconds)
        screen.paused = True
        queued_after = len(branch.queue)
    # From the first frame drawn to the last: the ticks the day ran while the screen drew.
    (start, first), (end, last) = frames[0], frames[-1]
    rate = (last - first) / (end - start)
    nominal = TICKS_PER_SECOND * 8.0
    ratio = rate / nominal
    print(f"(b) at 8x, 8 desks, {queued}→{queued_after} queued: the day advanced {rate:.1f} ticks/s of a nominal "
          f"{nominal:g} · ratio {ratio:.2f} (target >= 0.95) {verdict(ratio >= 0.95)} · "
          f"{(len(frames) - 1) / (end - start):.0f} frames/s drawn (at most 30)")
    return ratio >= 0.95


def memory_of_a_day(tui: Path | None) -> tuple[int, int, int]:
    """Play the 8x day in a fresh process importing ``tui``'s package; return (ticks, peak kB, resident kB)."""
    with tempfile.TemporaryDirectory(prefix="bankgame-bench-") as home:
        env = child_env(tui)
        env["BANKGAME_HOME"] = home
        out = subprocess.run([sys.executable, "-c", MEMORY_DAY], capture_output=True, text=True, env=env,
                             cwd=home, timeout=600, check=True).stdout
    words = next(line for line in out.splitlines() if line.startswith("memory")).split()
    return int(words[1]), int(words[2]), int(words[3])


def bench_memory(baseline: str, repeats: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="bankgame-baseline-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), baseline],
                       check=True)
        try:
            base: list[tuple[int, int, int]] = []
            ours: list[tuple[int, int, int]] = []
            for _ in range(repeats):  # alternate, so that both see the same machine
                base.append(memory_of_a_day(tree / "tui"))
                ours.append(memory_of_a_day(None))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    b = statistics.median(peak for _, peak, _ in base)
    o = statistics.median(peak for _, peak, _ in ours)
    ratio = o / b
    ok = ratio <= 1.01
    mb = lambda kb: kb / 1024  # noqa: E731
    print(f"(c) peak memory after an 8x day ({ours[0][0]} ticks, 8 desks, 600 customers), median of {repeats}: "
          f"baseline {baseline} {mb(b):.1f} MB · this tree {mb(o):.1f} MB · ratio {ratio:.3f} "
          f"(target <= 1.00, within 1%) {verdict(ok)}")
    print(f"    each run, peak/resident MB: baseline {' '.join(f'{mb(p):.1f}/{mb(r):.1f}' for _, p, r in base)} · "
          f"this tree {' '.join(f'{mb(p):.1f}/{mb(r):.1f}' for _, p, r in ours)}")
    return ok


async def bench_tick(ticks: int = 60) -> None:
    from bankgame.widgets.panel import Panel
    from bankgame.widgets.stats_panel import StatsPanel

    async with branch_screen(450) as (pilot, screen):
        branch = screen.branch
        for _ in range(5):  # warm up
            screen.advance(1)
            await pilot.pause()
        assert len(branch.desks) == 8 and len(branch.queue) >= 300, len(branch.queue)
        idle, busy, engine, draw = [], [], [], []
        panels = list(screen.query(Panel))
        for _ in range(ticks):
            start = time.perf_counter()
            await pilot.pause()
            idle.append(time.perf_counter() - start)

            start = time.perf_counter()
            branch.step_tick()
            engine.append(time.perf_counter() - start)

            start = time.perf_counter()
            screen.panel(StatsPanel).sample()
            screen.refresh_view()
            for panel in panels:
                panel.render()
            draw.append(time.perf_counter() - start)

            start = time.perf_counter()
            screen.advance(1)
            await pilot.pause()
            busy.append(time.perf_counter() - start)
        queued = len(branch.queue)
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(f"a tick with 8 desks and {queued} queued customers, median of {ticks}: engine step {ms(engine):.2f} ms "
          f"· panels updated and drawn {ms(draw):.2f} ms")
    print(f"    whole tick through Textual (advance + repaint) {ms(busy):.1f} ms, of which an idle "
          f"Pilot round trip is {ms(idle):.1f} ms: refresh {ms(busy) - ms(idle):.1f} ms")
    with open("/proc/self/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    print(f"UI process after these benchmarks: RSS {rss / 1024:.0f} MB (target < 150 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="HEAD", help="the git revision memory is compared with (default HEAD)")
    parser.add_argument("--rounds", type=int, default=15, help="first-frame rounds (default 15)")
    parser.add_argument("--repeats", type=int, default=3, help="8x days played per side for memory (default 3)")
    args = parser.parse_args()
    if args.rounds < 1 or args.repeats < 1:
        parser.error("--rounds and --repeats must be at least 1")
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{args.baseline}^{{commit}}"],
                      capture_output=True).returncode:
        parser.error(f"--baseline {args.baseline}: not a git revision of {ROOT}")
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    print("python benchmarks/bench_ui.py " + " ".join(sys.argv[1:]))
    with tempfile.TemporaryDirectory(prefix="bankgame-bench-") as home:
        os.environ["BANKGAME_HOME"] = home  # the player's saves are left alone
        try:
            results = [bench_first_frame(args.rounds), asyncio.run(bench_speed()),
                       bench_memory(args.baseline, args.repeats)]
            asyncio.run(bench_tick())
        finally:
            shutil.rmtree(PYCACHE, ignore_errors=True)
    print(f"{sum(results)} of 3 targets met: {' '.join(verdict(ok) for ok in results)}")


if __name__ == "__main__":
    main()
