"""Helpers for the branch screen's tests: a day on the inline backend, played by hand."""

from __future__ import annotations

from typing import Any

from bankgame.app import BankApp
from bankgame.day import open_day
from bankgame.screens.branch import BranchScreen
from bankgame.store import Store
from storm_support import send_storm


def branch_app(level: str = "sandbox", seed: int | None = 1, options: dict[str, Any] | None = None,
               ticks: int = 0, paused: bool = True) -> BankApp:
    """Return an app playing ``level`` on the inline backend, ``ticks`` ticks into the day."""
    day = open_day(level, seed, options, "inline")
    for _ in range(ticks):
        day[1].step_tick()
    app = BankApp(day=day, backend="inline", paused=paused, store=Store.memory())
    app.animation_level = "none"
    return app


def branch_screen(app: BankApp) -> BranchScreen:
    """Return the branch screen being played."""
    screen = app.screen
    assert isinstance(screen, BranchScreen), screen
    return screen


def run_until(branch: Any, condition: Any, limit: int = 2000) -> None:
    """Tick ``branch`` until ``condition(branch)`` holds."""
    for _ in range(limit):
        if condition(branch):
            return
        branch.step_tick()
    raise AssertionError("condition never held")


STORM_KEYS = (
    "space", "full_stop", "plus", "minus", "m", "t", "k", "i", "s", "question_mark", "escape", "enter",
    "up", "down", "left", "right", "tab", "shift+tab", "home", "end", "pageup", "pagedown",
    "a", "r", "x", "q", "1", "0",
)


async def fast_storm(pilot: Any, seed: int, count: int = 2000, keys: tuple[str, ...] = STORM_KEYS) -> None:
    """Send ``count`` random keys and clicks (seeded) to the branch's app; see ``send_storm``.

    A storm may reach a Quit: the app counts it in ``quit_requested`` instead
    of ending the test. The first and last rows are left alone.
    """
    app = pilot.app
    app.quit_requested = 0
    app.exit = lambda *args, **kwargs: setattr(app, "quit_requested", app.quit_requested + 1)
    await send_storm(pilot, seed, count, keys, clicks=0.3, spare_edges=True)

