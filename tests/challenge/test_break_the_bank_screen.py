"""Break the Bank on screen: the keys pick who moves, undo, prove; wins are saved."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from bankgame.engine import load_level
from bankgame.screens.break_the_bank import BreakTheBankScreen
from bankgame.store import Store

SIZE = (120, 36)


def synced(test: Any) -> Any:
    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


class SchedulerApp(App[None]):
    """Just the Break the Bank screen, on a store of its own."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        self.push_screen(BreakTheBankScreen(load_level("break-the-bank")))


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANKGAME_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def screen_of(app: App) -> BreakTheBankScreen:
    assert isinstance(app.screen, BreakTheBankScreen)
    return app.screen


def verdict_text(app: App) -> str:
    return str(screen_of(app).query_one("#bb-verdict").render())


@synced
async def test_all_three_challenges_won_with_the_keys() -> None:
    store = Store.memory()
    app = SchedulerApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a", "b", "a", "a", "b", "b")
        assert screen_of(app).run.verdict().won and "Lost update in 6 steps" in verdict_text(app)
        await pilot.press("u")
        assert not screen_of(app).run.verdict().won and screen_of(app).run.picks == [0, 1, 0, 0, 1]
        await pilot.press("right", "a", "b", "a", "b")
        assert "Deadlock in 4 steps" in verdict_text(app)
        await pilot.press("right", "b", "a", "b", "b", "b", "b", "a", "a", "a", "a", "a")
        run = screen_of(app).run
        assert run.verdict().won and "cannot be broken" in verdict_text(app)
        await pilot.press("p")
        assert "every one of the 2 possible orders" in verdict_text(app)
    assert store.stars("break-the-bank") == 3
    assert store.history("break-the-bank")[0].details["challenges"] == ["deadlock", "lost-update", "unbreakable"]


@synced
async def test_proving_the_unsafe_program_shows_an_order_that_breaks_it() -> None:
    app = SchedulerApp(Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("p")
        assert "18 of the 20 possible orders break this program" in verdict_text(app)
        assert "Ann: r = read A" in verdict_text(app)


@synced
async def test_a_cashier_that_cannot_move_is_said_so() -> None:
    app = SchedulerApp(Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a", "a", "a", "a")
        assert screen_of(app).run.picks == [0, 0, 0]
        await pilot.press("r")
        assert screen_of(app).run.picks == []


@synced
async def test_wins_from_earlier_days_are_remembered() -> None:
    store = Store.memory()
    store.record_day("break-the-bank", stars=1, score=100, details={"challenges": ["deadlock"]})
    app = SchedulerApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert screen_of(app).won == {"deadlock"}
        await pilot.press("a", "b", "a", "a", "b", "b")
    assert store.stars("break-the-bank") == 2


def test_snapshot_the_lost_update(snap_compare) -> None:
    assert snap_compare(SchedulerApp(Store.memory()), terminal_size=SIZE, press=["a", "b", "a", "a", "b", "b"])


def test_snapshot_the_deadlock_at_80x24(snap_compare) -> None:
    assert snap_compare(SchedulerApp(Store.memory()), terminal_size=(80, 24), press=["right", "a", "b", "a", "b"])


def test_snapshot_the_unbreakable_proof(snap_compare) -> None:
    assert snap_compare(SchedulerApp(Store.memory()), terminal_size=SIZE, press=["left", "a", "b", "a", "p"])


@synced
async def test_the_app_opens_break_the_bank_on_its_own_screen() -> None:
    from bankgame.app import BankApp

    app = BankApp(start="level", level="break-the-bank", backend="inline", store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BreakTheBankScreen)
        assert app.branch is None  # no branch day (and no worker) behind it
        await pilot.press("a")
        assert app.screen.run.picks == [0]


@synced
async def test_the_last_win_brings_the_debrief() -> None:
    store = Store.memory()
    store.record_day("break-the-bank", stars=2, score=200, details={"challenges": ["deadlock", "lost-update"]})
    app = SchedulerApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("left", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b")
        assert "A race is a property of the interleavings" in verdict_text(app)
    assert store.stars("break-the-bank") == 3
