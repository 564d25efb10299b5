"""A seeded storm of random keys and clicks on each screen of the branch.

Every 50 events, and at the end, the storm checks what must always hold:
nothing raised, a screen stack that makes sense (one day at most, the one the
app plays), and the day's invariants (customers accounted for, ticket holders
agreed between the board and the desks, the audit adding up).
"""

from __future__ import annotations

import pytest

from bankgame.screens.help import HelpScreen
from bankgame.screens.settings import SettingsScreen
from bankgame.screens.timeline import TimelineScreen
from bankgame.screens.too_small import TooSmallScreen
from branch_support import branch_app, branch_screen, fast_storm

SIZE = (120, 36)


async def test_storm_on_the_branch_screen_in_both_modes() -> None:
    app = branch_app("sandbox", seed=3, options={"customers": 400, "arrival_gap": 0.5}, paused=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        branch = app.branch
        await fast_storm(pilot, seed=11)
        assert app.is_running
        assert branch is not None and branch.tick > 0, "the day ran (the storm may then have left it)"


async def test_storm_on_a_message_mode_branch() -> None:
    app = branch_app("sandbox", seed=4, options={"mode": "message", "customers": 400}, paused=False)
    async with app.run_test(size=SIZE) as pilot:
        await fast_storm(pilot, seed=12)
        assert app.is_running


# Each storm is as long as it needs to reach all it can reach on its screen (measured: every
# action and line the 300-event storm reached, the timeline's after 10 events, the help's after
# ~100); the settings storm wanders back onto the day through Done and keeps finding more there.
@pytest.mark.parametrize("key, screen_type, count", [
    ("question_mark", HelpScreen, 150), ("o", SettingsScreen, 300), ("i,enter", TimelineScreen, 100),
])
async def test_storm_on_the_screens_over_the_branch(key: str, screen_type: type, count: int) -> None:
    app = branch_app("rush-hour", seed=2, ticks=20)  # past the first lost update, at tick 16
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*key.split(","))
        assert isinstance(app.screen, screen_type)
        # Keys that would leave this screen are left out: the storm stays on it.
        keys = ("up", "down", "left", "right", "tab", "shift+tab", "home", "end", "pageup", "pagedown",
                "a", "x", "1", "full_stop", "plus", "minus", "space")
        await fast_storm(pilot, seed=13, count=count, keys=keys)
        assert app.is_running


async def test_storm_on_the_small_terminal_message_and_recovery() -> None:
    app = branch_app()
    async with app.run_test(size=(60, 18)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await fast_storm(pilot, seed=14, count=150)  # all the message screen does is reached in the first ~70
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert app.is_running
        assert not any(isinstance(screen, TooSmallScreen) for screen in app.screen_stack), app.screen_stack
        assert branch_screen(app).branch is app.branch, "the branch screen is back once the terminal fits"
