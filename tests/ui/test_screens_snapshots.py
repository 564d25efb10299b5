"""How the screens around the branch look: title, level select, briefing, results, lab.

Each picture was looked at before it was committed. Fixed seeds, the inline
backend, a fake lab, animations off, no wall-clock text.
"""

from __future__ import annotations

import pytest

from bankgame.campaign import MemoryProgress
from bankgame.engine import load_level
from bankgame.screens.briefing import BriefingScreen
from bankgame.screens.lab import LabScreen
from bankgame.screens.level_select import LevelSelectScreen
from bankgame.screens.results import ResultsScreen
from bankgame.screens.title import TitleScreen
from screens_support import ScreensApp, played_day

BIG = (120, 36)
SMALL = (80, 24)


@pytest.fixture(autouse=True)
def _colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x36", "80x24"])
def test_title(snap_compare, size) -> None:
    assert snap_compare(ScreensApp(TitleScreen), terminal_size=size, run_before=settle)


def test_title_for_a_new_player(snap_compare) -> None:
    app = ScreensApp(TitleScreen, progress=MemoryProgress())
    assert snap_compare(app, terminal_size=BIG, press=["down", "down"], run_before=settle)


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x36", "80x24"])
def test_level_select_with_stars_and_locks(snap_compare, size) -> None:
    assert snap_compare(ScreensApp(LevelSelectScreen), terminal_size=size, run_before=settle)


def test_level_select_on_a_locked_level(snap_compare) -> None:
    assert snap_compare(ScreensApp(LevelSelectScreen), terminal_size=BIG, press=["down", "down"], run_before=settle)


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x36", "80x24"])
def test_briefing(snap_compare, size) -> None:
    app = ScreensApp(lambda: BriefingScreen(load_level("rush-hour")))
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x36", "80x24"])
def test_results_with_a_lost_update_replayed(snap_compare, size) -> None:
    level, branch, report = played_day("rush-hour")
    app = ScreensApp(lambda: ResultsScreen(report, level, branch.errors))
    assert snap_compare(app, terminal_size=size, run_before=settle)


def test_results_of_a_clean_day(snap_compare) -> None:
    level, branch, report = played_day("opening-day")
    app = ScreensApp(lambda: ResultsScreen(report, level, branch.errors))
    assert snap_compare(app, terminal_size=BIG, run_before=settle)


@pytest.mark.parametrize("level_id", ["check-then-withdraw", "transfer-desk"], ids=["overdraft", "deadlock"])
def test_results_with_an_overdraft_or_a_deadlock(snap_compare, level_id) -> None:
    level, branch, report = played_day(level_id)
    app = ScreensApp(lambda: ResultsScreen(report, level, branch.errors))
    assert snap_compare(app, terminal_size=BIG, run_before=settle)


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x36", "80x24"])
def test_lab_with_a_result(snap_compare, size) -> None:
    assert snap_compare(ScreensApp(LabScreen), terminal_size=size, run_before=settle)
