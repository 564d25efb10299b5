"""A storm of random keys and clicks on each screen around the branch: nothing raised, a stack that makes sense.

The checks run every 50 events, and at the end (see ``storm_support.send_storm``).
"""

from __future__ import annotations

import pytest

from bankgame.engine import load_level
from bankgame.screens.briefing import BriefingScreen
from bankgame.screens.lab import LabScreen
from bankgame.screens.level_select import LevelSelectScreen
from bankgame.screens.results import ResultsScreen
from bankgame.screens.title import TitleScreen
from screens_support import ScreensApp, played_day, storm


def results() -> ResultsScreen:
    level, branch, report = played_day("rush-hour")
    return ResultsScreen(report, level, branch.errors)


SCREENS = {
    "title": TitleScreen,
    "level_select": LevelSelectScreen,
    "briefing": lambda: BriefingScreen(load_level("transfer-desk")),
    "results": results,
    "lab": LabScreen,
}


@pytest.mark.parametrize("name", list(SCREENS))
async def test_a_storm_raises_nothing(name: str) -> None:
    app = ScreensApp(SCREENS[name], home=name != "title")
    app.keep_open = True
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # Storms wander: Start, Retry and Next leave the first screen; each
        # way back is part of the storm.
        await storm(pilot, seed=sum(map(ord, name)), count=300)
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The app is alive (run_test re-raises any error) and never stranded on an empty screen.
        assert len(app.screen_stack) > 1
