"""A small app that hosts the title, level select, briefing, results and lab screens in tests.

It is a ``BankApp`` whose ways into a day (``open_level`` and friends) record
what the screens ask instead of opening a branch, so the tests stay fast and
deterministic; every other way between screens is the game's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.screen import Screen

from bankgame.app import BankApp
from bankgame.campaign import MemoryProgress
from bankgame.day import open_day
from bankgame.engine import Branch, Level, Report, make_report
from bankgame.store import Store
from bankgame.workers.lab import LabResult, LabRun
from storm_support import send_storm

SOME_STARS = {"opening-day": 3, "rush-hour": 2, "vault": 1, "check-then-withdraw": 0}
"""Progress of a player part-way through: levels 1–3 passed, 4 open, 5–10 locked."""


class ScreensApp(BankApp, inherit_bindings=False):
    """Hosts one screen; records the app calls the screens make."""

    # The screens alone, as their snapshots were taken: none of the game's stylesheets or keys.
    TITLE = "ScreensApp"
    CSS_PATH = None
    BINDINGS = App.BINDINGS

    # The command palette is the app's, not these screens'; a storm that opens
    # it and pages down while it fills trips a KeyError inside Textual's
    # OptionList (textual 8.2.8), which is not what these tests look at.
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, make_screen: Callable[[], Screen], progress: MemoryProgress | None = None, *, home: bool = False) -> None:
        stars = progress if progress is not None else MemoryProgress(SOME_STARS)
        store = Store.memory()
        for level_id, earned in stars._stars.items():
            if earned:
                store.record_day(level_id, stars=earned, score=0)
        super().__init__(backend="inline", store=store, lab_runner=fake_lab)
        self.make_screen = make_screen
        self.home = home
        """Put the title under the screen, as the game does."""
        self.calls: list[tuple[str, tuple, dict]] = []
        """``(method, args, kwargs)`` of each app call a screen made."""
        self.quit_requested = 0
        self.keep_open = False
        """Count Quit instead of quitting."""

    def get_default_screen(self) -> Screen:
        return Screen(id="_default")  # the screens under test are pushed on a blank one

    def on_mount(self) -> None:
        self.animation_level = "none"
        if self.home:
            from bankgame.screens.title import TitleScreen

            self.push_screen(TitleScreen())
        self.push_screen(self.make_screen())

    def open_level(self, level_id: str, seed: int | None = None, options: dict[str, Any] | None = None) -> bool:
        self.calls.append(("open_level", (level_id,), {"seed": seed, "options": options}))
        return True

    def open_sandbox(self, seed: int | None = None, options: dict[str, Any] | None = None) -> bool:
        self.calls.append(("open_sandbox", (), {"seed": seed, "options": options}))
        return True

    def open_tutorial(self) -> None:
        self.calls.append(("open_tutorial", (), {}))

    def action_settings(self) -> None:
        self.calls.append(("open_settings", (), {}))

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Quit, unless a test keeps the app open (a storm may well choose Quit)."""
        if self.keep_open:
            self.quit_requested += 1
        else:
            super().exit(*args, **kwargs)


def played_day(level_id: str = "rush-hour", seed: int | None = None, options: dict | None = None) -> tuple[Level, Branch, Report]:
    """Return a level, its finished day on the inline backend, and the day's report."""
    level, branch = open_day(level_id, seed, options, "inline")
    with branch:
        branch.run()
    return level, branch, make_report(branch, level.id, level.goals)


def fake_lab(processes: int | None, ops: int, progress: Callable[..., None] | None = None) -> LabResult:
    """A lab that measures nothing: fixed numbers, in the real lab's own result type."""
    if progress is not None:
        for done in range(1, 4):
            progress(done * ops, 3 * ops)
    lost = ops * 37 // 100
    return LabResult(processes or 2, ops, (
        LabRun("shared-unlocked", ops, ops - lost, lost, 0.412, ops / 0.412),
        LabRun("shared-locked", ops, ops, 0, 1.905, ops / 1.905),
        LabRun("message-passing", ops, ops, 0, 0.730, ops / 0.730),
    ))


STORM_KEYS = (
    "up", "down", "left", "right", "enter", "space", "tab", "shift+tab", "escape", "home", "end",
    "pageup", "pagedown", "r", "n", "l", "b", "s", "c", "t", "p", "o", "plus", "minus", "question_mark", "a", "z", "1",
)


async def storm(pilot: Any, seed: int, count: int = 300) -> None:
    """Send ``count`` random keys and clicks (seeded) anywhere on the screen; see ``send_storm``."""
    await send_storm(pilot, seed, count, STORM_KEYS, clicks=0.25, spare_edges=False)
