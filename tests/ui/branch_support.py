"""Helpers for the branch screen's tests: a day on the inline backend, played by hand."""

from __future__ import annotations

from typing import Any

from bankgame.app import BankApp
from bankgame.day import open_day
from bankgame.engine import Branch
from bankgame.screens.branch import BranchScreen
from bankgame.store import Store
from storm_support import assert_app_sane, send_storm


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


def assert_day_sane(branch: Branch) -> None:
    """Assert the day's invariants: every customer accounted for, ticket holders agreed, the audit adding up."""
    at_desks = sum(1 for desk in branch.desks if desk.customer is not None)
    # Sent home: the line the watch phase built, when the player's change starts the judged day.
    accounted = branch.served + branch.left + branch.sent_home + len(branch.queue) + at_desks
    assert accounted == branch.arrived, f"a customer was lost at tick {branch.tick}: {accounted} of {branch.arrived}"
    for ticket, holder in branch.ticket_holder.items():
        assert holder < 0 or ticket in branch.desks[holder].held, f"the board says {ticket} is held, its desk does not"
    for desk in branch.desks:
        for ticket in desk.held:
            assert branch.ticket_holder.get(ticket) == desk.index, f"{desk.name} holds {ticket}, the board does not say so"
    in_flight = any(desk.busy for desk in branch.desks) or any(clerk.mailbox for clerk in branch.clerks)
    if not in_flight:
        # The vault is off by exactly what the lost updates lost (or made): nothing else moves money.
        assert sum(branch.ledger[:branch.day.accounts]) - branch.expected_total == branch.money_wrong, "the audit does not add up"


def assert_branch_app_sane(app: BankApp) -> None:
    """Assert what must hold of the game however it was played: see ``assert_app_sane`` and ``assert_day_sane``."""
    assert_app_sane(app)
    days = [screen for screen in app.screen_stack if isinstance(screen, BranchScreen)]
    assert len(days) <= 1, f"two days on the stack: {app.screen_stack}"
    if app.branch is not None:
        assert_day_sane(app.branch)
        assert not days or days[0].branch is app.branch, "the branch screen shows another day than the app's"


STORM_EVENTS = 300
"""Events in a storm: six checks of the game (one every ``CHECK_EVERY``), each key tried ~8 times."""

STORM_KEYS = (
    "space", "full_stop", "plus", "minus", "m", "t", "k", "i", "s", "question_mark", "escape", "enter",
    "up", "down", "left", "right", "tab", "shift+tab", "home", "end", "pageup", "pagedown",
    "a", "r", "x", "q", "1", "0",
)


async def fast_storm(pilot: Any, seed: int, count: int = STORM_EVENTS, keys: tuple[str, ...] = STORM_KEYS) -> None:
    """Send ``count`` random keys and clicks (seeded) to the branch's app; see ``send_storm``.

    A storm may reach a Quit: the app counts it in ``quit_requested`` instead
    of ending the test. The first and last rows are left alone.
    """
    app = pilot.app
    app.quit_requested = 0
    app.exit = lambda *args, **kwargs: setattr(app, "quit_requested", app.quit_requested + 1)
    await send_storm(pilot, seed, count, keys, clicks=0.3, spare_edges=True, check=assert_branch_app_sane)

