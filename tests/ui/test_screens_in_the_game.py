"""The screens around the branch inside the real game (``BankApp``, inline backend, a store in memory)."""

from __future__ import annotations

import pytest

from bankgame.app import BankApp
from bankgame.screens.branch import BranchScreen
from bankgame.screens.briefing import BriefingScreen
from bankgame.screens.level_select import LevelSelectScreen
from bankgame.screens.results import ResultsScreen
from bankgame.screens.title import TitleScreen
from bankgame.store import Store

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANKGAME_HOME", str(tmp_path))
    monkeypatch.delenv("NO_COLOR", raising=False)


async def finish_day(pilot) -> None:
    """Play the day on the branch screen to its end and let the results come up."""
    app = pilot.app
    level = app.screen.level
    app.branch.run()
    app.show_results(level, app.branch, app.screen.origin)
    await pilot.pause()


async def test_a_campaign_day_from_the_title_to_the_debrief_and_back() -> None:
    store = Store.memory()
    app = BankApp(backend="inline", paused=True, store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, LevelSelectScreen)
        assert [state.locked for state in app.screen.states] == [False] + [True] * 9
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen) and app.screen.level.id == "opening-day"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BranchScreen) and app.screen.level.id == "opening-day"
        await finish_day(pilot)
        results = app.screen
        assert isinstance(results, ResultsScreen) and results.report.stars == 3
        assert store.stars("opening-day") == 3
        await pilot.press("l")
        await pilot.pause()
        levels = app.screen
        assert isinstance(levels, LevelSelectScreen)
        assert levels.state_of("opening-day").stars == 3 and not levels.state_of("rush-hour").locked
        assert [type(screen) for screen in app.screen_stack] == [TitleScreen, LevelSelectScreen]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and isinstance(app.screen, TitleScreen)


async def test_retry_restarts_the_same_level_on_a_new_day() -> None:
    app = BankApp(level="rush-hour", seed=5, backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.branch
        await finish_day(pilot)
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, BranchScreen) and app.screen.level.id == "rush-hour"
        assert app.branch is not first and app.branch.seed == first.seed == 5 and app.branch.tick == 0
        assert not any(isinstance(screen, ResultsScreen) for screen in app.screen_stack)


async def test_next_goes_to_the_next_levels_briefing() -> None:
    app = BankApp(level="opening-day", backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await finish_day(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen) and app.screen.level.id == "rush-hour"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LevelSelectScreen)
        await pilot.press("escape")  # nothing under it but an empty screen: the title takes its place
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
