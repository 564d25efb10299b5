"""Helpers for the branch screen's tests: a day on the inline backend, played by hand."""

from __future__ import annotations

from typing import Any

from bankgame.app import BankApp
from bankgame.day import open_day
from bankgame.screens.branch import BranchScreen
from bankgame.store import Store


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
    """Send ``count`` random keys and clicks (seeded), as the terminal driver would.

    ``Pilot.press`` waits for the app to be idle after every key (~40 ms here);
    this sends each event the way the driver does and lets the app catch up
    every few events, so that 2,000 events take seconds, not minutes. The first
    and last rows are left alone: the Header's icon opens Textual's command
    palette (not a screen of ours) and the Footer's ``^q`` would quit.
    """
    import asyncio
    import random

    from textual import events
    from textual.pilot import _get_mouse_message_arguments

    app = pilot.app
    # A storm may reach a Quit (the title's q): count it instead of ending the test.
    app.quit_requested = 0
    app.exit = lambda *args, **kwargs: setattr(app, "quit_requested", app.quit_requested + 1)
    rng = random.Random(seed)
    for index in range(count):
        width, height = app.size
        if rng.random() < 0.3:
            offset = (rng.randrange(width), rng.randrange(1, max(2, height - 1)))
            screen = app.screen
            arguments = _get_mouse_message_arguments(screen, offset)
            app.mouse_position = offset
            for event_class in (events.MouseDown, events.MouseUp):
                screen._forward_event(event_class(**arguments))
            screen._forward_event(events.Click(**arguments, chain=1))
        else:
            key = rng.choice(keys)
            char = {"space": " ", "full_stop": ".", "plus": "+", "minus": "-", "question_mark": "?"}.get(
                key, key if len(key) == 1 else None)
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)
        # Let the app work through what came so far, as a fast typist would.
        await asyncio.sleep(0.002 if index % 5 == 4 else 0)
    await pilot.pause()


def synced(test: Any) -> Any:
    """Run an ``async def`` test in its own event loop (no asyncio plugin needed)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run
