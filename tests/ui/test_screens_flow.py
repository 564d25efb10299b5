"""The screens around the branch: locks, briefings, results, the lab, driven with Pilot."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Button, DataTable, OptionList, ProgressBar, Static

from bankgame.campaign import MemoryProgress, campaign_levels, level_after, level_states, next_to_play
from bankgame.engine import IntegrityError, TrailStep, load_level
from bankgame.screens.briefing import BriefingScreen
from bankgame.screens.lab import LabScreen, lab_rows, method_text
from bankgame.screens.level_select import LevelSelectScreen
from bankgame.screens.results import ResultsScreen, worst_error
from bankgame.screens.title import TitleScreen
from bankgame.widgets.timeline import Interleaving, Timeline, culprit_step, interleaving
from screens_support import SOME_STARS, ScreensApp, fake_lab, played_day

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def _colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


# ------------------------------------------------------------------ campaign
def test_a_new_player_has_only_the_first_level_open() -> None:
    states = level_states(MemoryProgress())
    assert [s.level.id for s in states][:2] == ["opening-day", "rush-hour"]
    assert len(states) == 10 and "sandbox" not in {s.level.id for s in states}
    assert [s.locked for s in states] == [False] + [True] * 9
    assert next_to_play(MemoryProgress()).level.id == "opening-day"


def test_locks_follow_passed_levels() -> None:
    states = level_states(MemoryProgress(SOME_STARS))
    assert [s.locked for s in states] == [False] * 4 + [True] * 6
    assert [s.stars for s in states][:4] == [3, 2, 1, 0]
    assert states[4].after == "Check, then Withdraw"
    # One star is a pass; a level beyond a locked one stays locked even with stars saved.
    states = level_states(MemoryProgress({"opening-day": 1, "vault": 3}))
    assert [s.locked for s in states][:4] == [False, False, True, True]
    assert next_to_play(MemoryProgress({level.id: 1 for level in campaign_levels()})) is None


# -------------------------------------------------------------- level select
async def test_level_select_shows_stars_and_refuses_locked_levels() -> None:
    app = ScreensApp(lambda: LevelSelectScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LevelSelectScreen)
        menu = screen.query_one("#levels-list", OptionList)
        assert menu.option_count == 10
        assert menu.highlighted == 3  # the next level to play
        lines = [str(menu.get_option_at_index(i).prompt) for i in range(10)]
        assert "★★★" in lines[0] and "★★☆" in lines[1] and "★☆☆" in lines[2] and "☆☆☆" in lines[3]
        assert all("locked" in line for line in lines[4:]) and not any("locked" in line for line in lines[:4])
        assert screen.sub_title == "6 of 30 stars"

        await pilot.press("down", "enter")  # level 5 is locked
        await pilot.pause()
        assert app.screen is screen
        assert not screen.open_briefing("hot-account")

        await pilot.press("up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen) and app.screen.level.id == "check-then-withdraw"


async def test_level_select_redraws_when_a_level_is_passed() -> None:
    progress = MemoryProgress(SOME_STARS)
    app = ScreensApp(lambda: LevelSelectScreen(), progress=progress)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter")
        await pilot.pause()
        app.store.record_day("check-then-withdraw", stars=2, score=0)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert screen.state_of("check-then-withdraw").stars == 2
        assert not screen.state_of("transfer-desk").locked
        assert screen.state_of("rate-board").locked


# ------------------------------------------------------------------ briefing
async def test_briefing_shows_goals_and_starts_the_level() -> None:
    level = load_level("rush-hour")
    app = ScreensApp(lambda: LevelSelectScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(BriefingScreen(level))
        await pilot.pause()
        goals = str(app.screen.query_one("#briefing-goals", Static).render())
        for goal in level.goals:
            assert goal.text in goals
        await pilot.click("#back")
        await pilot.pause()
        assert isinstance(app.screen, LevelSelectScreen) and app.calls == []
        app.push_screen(BriefingScreen(level))
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert app.calls == [("open_level", ("rush-hour",), {"seed": None, "options": None})]
        assert isinstance(app.screen, LevelSelectScreen)


# ------------------------------------------------------------------- results
def results_app(level_id: str = "rush-hour", progress: MemoryProgress | None = None,
                options: dict | None = None) -> tuple[ScreensApp, object]:
    level, branch, report = played_day(level_id, options=options)
    app = ScreensApp(lambda: LevelSelectScreen(), progress=progress)
    app.day = (level, branch, report)
    return app, report


async def test_results_show_the_reports_stars_goals_and_worst_error() -> None:
    app, report = results_app()
    level, branch, _ = app.day
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.push_screen(ResultsScreen(report, level, branch.errors))
        await pilot.pause()
        screen = app.screen
        stars = str(screen.query_one("#results-stars", Static).render())
        # Rush Hour without tickets: lost updates and a wrong audit; the short wait is met, out of order.
        assert stars.count("★") == report.stars == 0 and stars.count("☆") == 3
        goals = str(screen.query_one("#results-goals", Static).render())
        assert goals.count("✓") == 1 and goals.count("✗") == 2 and "stars come in order" in goals
        assert f"lost updates {sum(e.kind == 'lost_update' for e in report.errors)}" in goals
        timeline = screen.query_one("#results-timeline", Timeline)
        worst = screen.worst
        assert worst is not None and worst.kind == "lost_update"
        assert worst == max((e for e in report.errors if e.steps), key=lambda e: abs(e.expected - e.actual))
        assert timeline.columns[:2] == worst.cashiers
        assert timeline.rows()[-1][2] == worst.cashiers[0]  # the write that broke it closes the replay
        assert "Lost updates: " in str(screen.query_one("#results-debrief", Static).render())


async def test_retry_restarts_the_same_level_with_the_same_seed() -> None:
    app, report = results_app()
    level, branch, _ = app.day
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ResultsScreen(report, level, branch=branch, options={"cashiers": 3}))
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert app.calls == [("open_level", ("rush-hour",), {"seed": report.seed, "options": {"cashiers": 3}})]
        assert isinstance(app.screen, LevelSelectScreen)


async def test_next_opens_the_next_briefing_only_after_a_pass() -> None:
    app, report = results_app("rush-hour", MemoryProgress({"opening-day": 3}), {"tickets": "accounts"})
    level, branch, _ = app.day
    assert report.stars >= 1
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ResultsScreen(report, level))
        await pilot.pause()
        await pilot.click("#next")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen) and app.screen.level.id == level_after("rush-hour").id
        assert isinstance(app.screen_stack[-2], LevelSelectScreen)
        assert len(app.screen_stack) == 3

    failed = played_day("rush-hour")[2]
    import dataclasses

    failed = dataclasses.replace(failed, stars=0)
    app = ScreensApp(lambda: LevelSelectScreen(), progress=MemoryProgress({"opening-day": 3}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ResultsScreen(failed, level))
        await pilot.pause()
        assert app.screen.query_one("#next", Button).disabled
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LevelSelectScreen) and len(app.screen_stack) == 2


def test_worst_error_prefers_a_replayable_large_one() -> None:
    def error(kind: str, gap: int, steps: bool) -> IntegrityError:
        return IntegrityError(kind, 5, "A", 1000 + gap, 1000, ("Ann", "Ben"), "", (TrailStep(1, "Ann", "r = read A", "read", "A", 1000),) if steps else ())

    errors = [error("lost_update", 50, True), error("audit", 900, False), error("lost_update", 300, True), error("overdraft", 999, False)]
    assert worst_error(errors) is errors[2]
    assert worst_error([]) is None


# ------------------------------------------------------------------ timeline
def test_timeline_puts_each_tick_on_one_row_and_marks_the_culprit() -> None:
    error = IntegrityError(
        "lost_update", 4, "A", 105500, 101200, ("Ben", "Ann"), "",
        (TrailStep(2, "Ben", "r = read A", "read", "A", 100000), TrailStep(2, "Ann", "write A = r", "write", "A", 105500),
         TrailStep(3, "Ben", "r = r + 1200")),
    )
    timeline = Timeline(interleaving(error))
    assert timeline.columns == ("Ben", "Ann")
    rows = timeline.rows()
    assert rows[:2] == [(2, {"Ben": "r = read A", "Ann": "write A = r"}, ""), (3, {"Ben": "r = r + 1200"}, "")]
    assert rows[-1] == (4, {"Ben": "write A = $1,012.00  ✗ $43.00 lost"}, "Ben")
    # The culprit shares its tick's row with what the other cashier did then.
    timeline = Timeline(Interleaving(
        (TrailStep(3, "Ann", "r = read A", "read", "A", 100), TrailStep(4, "Ben", "b = read B", "read", "B", 5)),
        ("Ann", "Ben"), TrailStep(4, "Ann", "write A ✗", "write", "A", 90)))
    assert timeline.rows() == [(3, {"Ann": "r = read A"}, ""), (4, {"Ben": "b = read B", "Ann": "write A ✗"}, "Ann")]
    assert culprit_step(IntegrityError("audit", 9, "", 1, 2, (), "")) is None


# --------------------------------------------------------------------- title
@pytest.mark.parametrize(
    ("key", "expect"),
    [("p", LevelSelectScreen), ("c", BriefingScreen), ("l", LabScreen)],
)
async def test_title_menu_keys_open_their_screens(key: str, expect: type) -> None:
    app = ScreensApp(lambda: TitleScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, expect)
        if key == "c":
            assert app.screen.level.id == "check-then-withdraw"


async def test_title_asks_the_app_for_the_tutorial_sandbox_settings_and_quit() -> None:
    app = ScreensApp(lambda: TitleScreen())
    app.keep_open = True
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t", "s", "o")
        menu = app.screen.query_one("#title-menu", OptionList)
        await pilot.click(menu, offset=(4, 8))  # "Quit", the last line of the menu
        await pilot.pause()
        assert [call[0] for call in app.calls] == ["open_tutorial", "open_sandbox", "open_settings"]
        assert app.quit_requested == 1
        assert app.screen.chosen == ["tutorial", "sandbox", "settings", "quit"]


# ----------------------------------------------------------------------- lab
async def test_lab_runs_off_the_ui_thread_and_fills_table_and_charts() -> None:
    release = threading.Event()
    threads: list[str] = []

    def slow_lab(processes: int, ops: int, progress=None, cancel=None) -> object:
        threads.append(threading.current_thread().name)
        cancels.append(cancel)
        progress(1, 3)
        assert release.wait(10)
        return fake_lab(processes, ops, progress)

    cancels: list[threading.Event] = []
    app = ScreensApp(lambda: LabScreen(runner=slow_lab, processes=2, ops=20_000))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.running
        # The UI answers while the lab runs: keys change the next run's size.
        await pilot.press("plus")
        await pilot.pause()
        assert screen.ops == 50_000 and screen.running
        assert threads and threads[0] != threading.current_thread().name
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.running
        assert [row.method for row in screen.rows] == ["shared-unlocked", "shared-locked", "message-passing"]
        assert screen.query_one("#lab-table", DataTable).row_count == 3
        assert screen.query_one("#lab-progress", ProgressBar).percentage == 1
        assert screen.rows[0].lost == 20_000 * 37 // 100
        assert cancels[0] is not None and not cancels[0].is_set()
        button = screen.query_one("#lab-run-button", Button)
        assert str(button.label) == "▶ Run again" and not button.disabled
        await pilot.click(button)  # the mouse runs it again, with the size chosen meanwhile
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(threads) == 2 and screen.rows[0].expected == 50_000
        await pilot.press("escape")
        await pilot.pause()
        assert cancels[0].is_set()  # leaving the lab stops a run under way


async def test_a_failing_lab_says_so_and_the_screen_lives_on() -> None:
    def broken(processes: int, ops: int, progress=None) -> dict:
        raise OSError("no processes here")

    app = ScreensApp(lambda: LabScreen(runner=broken))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "no processes here" in str(app.screen.query_one("#lab-status", Static).render())
        assert not app.screen.running


def test_lab_rows_are_the_runs_of_a_lab_result() -> None:
    rows = lab_rows(fake_lab(1, 100))
    assert [r.method for r in rows] == ["shared-unlocked", "shared-locked", "message-passing"]
    assert [r.lost for r in rows] == [37, 0, 0] and rows[1].wall == 1.905 and rows[1].ops_per_s == 100 / 1.905
    assert [method_text(r.method) for r in rows] == ["shared, no lock", "shared + lock", "message passing"]
