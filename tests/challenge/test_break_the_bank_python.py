"""Break the Bank shows its programs as Python, and exports a challenge as a script."""

from __future__ import annotations

from pathlib import Path

from test_break_the_bank_screen import SIZE, SchedulerApp, screen_of, synced

from bankgame.store import Store
from bankgame.widgets.python_view import PythonView


def test_snapshot_the_lost_update_as_python(snap_compare) -> None:
    assert snap_compare(SchedulerApp(Store.memory()), terminal_size=SIZE, press=["a", "b", "a", "y"])


@synced
async def test_y_shows_each_program_with_its_next_line_marked() -> None:
    app = SchedulerApp(Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        views = list(screen.query(PythonView))
        assert not any(view.display for view in views)
        await pilot.press("y")
        assert screen.python and all(view.display for view in views)
        await pilot.press("a")
        for view in views:
            assert view.code is not None
        ann = views[0]
        # Ann has taken one step (r = read A): her mark is on the next one, r = r + 5000.
        assert ann.code.lines[ann.current].code == "r = r + 5000"
        assert views[1].code.lines[views[1].current].code == "r = ledger[A]"
        await pilot.press("y")
        assert not screen.python and not any(view.display for view in views)


@synced
async def test_x_writes_the_challenge_and_the_palette_offers_both() -> None:
    app = SchedulerApp(Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = screen_of(app)
        titles = [command.title for command in screen.palette_commands()]
        assert "Show the programs as Python" in titles and "Export this challenge as a Python script" in titles
        await pilot.press("x")
        await pilot.pause()
        message = next(n.message for n in app._notifications if n.message.startswith("Wrote "))
        path = Path(message.split("\n")[0].removeprefix("Wrote "))
        assert path.is_file() and path.name == "break-the-bank-lose-a-deposit.py"
        assert "bankgame export --challenge lost-update" in path.read_text()
