"""What a teacher sees: the scrubber after stepping back, the seed in the status bar, a replay at tick 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bankgame.app import BankApp
from bankgame.campaign import campaign_levels
from bankgame.day import open_day
from bankgame.replays import make_replay, read_replay, write_replay
from bankgame.store import Store
from branch_support import branch_app

SIZE = (120, 36)


def stepped_back(forward: int, back: int, keys: tuple[str, ...] = ()) -> Any:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.advance(forward)
        screen.goto(forward - back)
        await pilot.pause()
        pilot.app.clear_notifications()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()

    return run_before


def test_the_scrubber_after_stepping_back(snap_compare) -> None:
    # Rush Hour with no ticket, seed 4: its first lost update (tick 40) marked ✗ ahead of the tick shown (34).
    assert snap_compare(branch_app("rush-hour", seed=4), terminal_size=SIZE, run_before=stepped_back(48, 14))


def test_the_scrubber_focused_at_80x24(snap_compare) -> None:
    assert snap_compare(branch_app("rush-hour", seed=4), terminal_size=(80, 24), run_before=stepped_back(40, 10, ("g",)))


def test_a_replay_opened_at_tick_zero(snap_compare, tmp_path: Path) -> None:
    _, day = open_day("rush-hour", 4, None, "inline")
    for _ in range(20):
        day.step_tick()
    day.place_ticket("A")
    file = write_replay(tmp_path / "day.toml", make_replay(day, campaign_levels()[1]))
    app = BankApp(replay=read_replay(file), replay_file=str(file), backend="inline", store=Store.memory())
    app.animation_level = "none"

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
