"""For teachers, on screen: step back, the scrubber, replays, level files, pictures, every level open."""

from __future__ import annotations

import os
from pathlib import Path

from bankgame.app import BankApp
from bankgame.campaign import campaign_levels
from bankgame.day import open_day
from bankgame.engine.rewind import state_of
from bankgame.replays import make_replay, read_replay, write_replay
from bankgame.screens.branch import BranchScreen
from bankgame.screens.level_select import LevelSelectScreen
from bankgame.screens.results import ResultsScreen
from bankgame.store import Store
from bankgame.widgets.scrubber import Scrubber
from bankgame.widgets.status_bar import StatusBar
from branch_support import branch_app, branch_screen

SIZE = (120, 36)
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example-level.toml"


def reference(level: str, seed: int, ticks: int, actions: list[tuple[int, str]]) -> dict:
    """The state of a day played straight to ``ticks``, with ``actions`` (tick, account) as tickets."""
    _, branch = open_day(level, seed, None, "inline")
    for tick in range(ticks + 1):
        for at, account in actions:
            if at == tick:
                branch.place_ticket(account)
        if tick < ticks:
            branch.step_tick()
    branch.drain_events()
    return state_of(branch)


async def test_step_back_returns_the_screen_to_the_earlier_tick() -> None:
    app = branch_app("rush-hour", seed=4)
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        await pilot.press(*["full_stop"] * 12)
        screen.toggle_ticket("A")  # at tick 12, as a click on the board does
        await pilot.press(*["full_stop"] * 18)
        assert app.branch.tick == 30
        first = app.branch
        await pilot.press(*["comma"] * 5)
        assert screen.paused and app.branch.tick == 25 and app.branch is screen.branch
        assert first not in app._branches and app.branch in app._branches
        assert state_of(app.branch) == reference("rush-hour", 4, 25, [(12, "A")])
        # Every panel draws the rebuilt day.
        assert all(getattr(w, "branch", app.branch) is app.branch for w in screen.query("*"))
        assert "tick   25" in str(screen.query_one(StatusBar).render())
        await pilot.press(*["comma"] * 20)
        assert app.branch.tick == 5 and not app.branch.has_ticket("A")
        # Forward again: the ticket placed at tick 12 is placed again.
        await pilot.press(*["full_stop"] * 10)
        assert app.branch.has_ticket("A")
        assert state_of(app.branch) == reference("rush-hour", 4, 15, [(12, "A")])


async def test_step_back_at_tick_zero_stays_there() -> None:
    app = branch_app("rush-hour", seed=4)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("comma")
        assert app.branch.tick == 0


async def test_the_scrubber_jumps_with_keys_and_the_mouse() -> None:
    app = branch_app("rush-hour", seed=4)
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        screen.advance(40)
        await pilot.press("g")
        scrubber = screen.query_one(Scrubber)
        assert scrubber.has_focus
        await pilot.press("home")
        await pilot.pause()
        assert app.branch.tick == 0
        await pilot.press("end")
        await pilot.pause()
        assert app.branch.tick == 40
        await pilot.press("left", "left", "pageup")
        await pilot.pause()
        assert app.branch.tick == 28
        # Keys faster than the rebuilds: each counts from the tick asked for before it.
        scrubber.action_move(-1)
        scrubber.action_move(-1)
        scrubber.action_move(-1)
        await pilot.pause()
        assert app.branch.tick == 25
        scrubber.action_move(3)
        await pilot.press("pagedown", "right")
        await pilot.pause()
        assert app.branch.tick == 39
        # A click in the middle of the bar: about half way through the day.
        start, width = scrubber._bar()
        await pilot.click(Scrubber, offset=(start + width // 2, 0))
        await pilot.pause()
        assert abs(app.branch.tick - 20) <= 1
        assert state_of(app.branch) == reference("rush-hour", 4, app.branch.tick, [])
        await pilot.press("enter")
        assert not scrubber.has_focus


async def test_step_back_on_real_processes_rebuilds_on_fresh_workers() -> None:
    from bankgame.workers import start_process_helpers

    start_process_helpers()
    day = open_day("rush-hour", 4, {"customers": 10}, "process")
    app = BankApp(day=day, backend="process", paused=True, store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        await pilot.press(*["full_stop"] * 10)
        old = app.branch
        pids = list(old.backend.cashiers.pids)
        await pilot.press("comma", "comma", "comma")
        assert app.branch.tick == 7 and app.branch.backend.name == "process"
        assert old.backend.cashiers is None  # closed
        for pid in pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            raise AssertionError(f"cashier {pid} outlived its day")
        _, straight = open_day("rush-hour", 4, {"customers": 10}, "inline")
        for _ in range(7):
            straight.step_tick()
        straight.drain_events()
        assert state_of(app.branch) == state_of(straight)
        assert screen.branch is app.branch
    app.close_branches()


async def test_w_saves_a_replay_that_plays_the_same_day(tmp_path: Path) -> None:
    app = branch_app("rush-hour", seed=4)
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        screen.toggle_ticket("A")
        await pilot.press(*["full_stop"] * 9)
        await pilot.press("w")
        saved = Path(os.environ["BANKGAME_HOME"]) / "replays" / "rush-hour-seed4-tick0009.toml"
        assert saved.is_file()
        assert any(str(saved) in n.message for n in app._notifications)
        replay = read_replay(saved)
        assert (replay.level, replay.seed, replay.actions) == ("rush-hour", 4, ((0, "ticket_on", "A"),))


async def test_a_replay_opens_paused_at_tick_zero_and_steps_both_ways(tmp_path: Path) -> None:
    _, day = open_day("rush-hour", 4, None, "inline")
    day.place_ticket("B")
    for _ in range(6):
        day.step_tick()
    day.place_ticket("A")
    level = campaign_levels()[1]
    file = write_replay(tmp_path / "day.toml", make_replay(day, level))
    replay = read_replay(file)
    app = BankApp(replay=replay, replay_file=str(file), backend="inline", store=Store.memory())
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = branch_screen(app)
        assert screen.paused and app.branch.tick == 0 and app.branch.has_ticket("B") and not app.branch.has_ticket("A")
        scrubber = screen.query_one(Scrubber)
        assert scrubber.last > 6  # the whole day, not only the ticks played
        await pilot.press(*["full_stop"] * 8)
        assert app.branch.has_ticket("A") and app.branch.tick == 8
        await pilot.press(*["comma"] * 3)
        assert app.branch.tick == 5 and not app.branch.has_ticket("A")
        assert screen.tape.recorded == [(0, "ticket_on", "B"), (6, "ticket_on", "A")]


async def test_a_second_branch_replay_on_real_processes_has_its_clerk_across_tcp(tmp_path: Path) -> None:
    from bankgame.workers import start_process_helpers

    start_process_helpers()
    level, day = open_day("second-branch", 5, {"customers": 8}, "inline")
    file = write_replay(tmp_path / "day.toml", make_replay(day, level))
    app = BankApp(replay=read_replay(file), replay_file=str(file), backend="process", store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(600):  # real processes start in a worker thread: the screen comes once they are up
            if isinstance(app.screen, BranchScreen):
                break
            await pilot.pause(0.05)
        assert app.branch is not None and app.branch.backend.name == "process+tcp"
        await pilot.press(*["full_stop"] * 5)
        assert app.branch.tick == 5
        assert "clerk over TCP" in app.screen.query_one(StatusBar).render().plain
    app.close_branches()


async def test_a_broken_replay_on_screen_says_why() -> None:
    from bankgame.replays import Replay

    app = BankApp(replay=Replay(seed=1, level="nope"), replay_file="x.toml", backend="inline", store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("there is no level 'nope'" in n.message for n in app._notifications)


async def test_a_level_file_plays_on_screen_to_its_results() -> None:
    app = BankApp(level_file=str(EXAMPLE), backend="inline", paused=True, store=Store.memory())
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = branch_screen(app)
        assert screen.level.title == "Payday" and len(app.branch.desks) == 4
        screen.advance(500)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.screen.report.level == "payday"
        await pilot.press("r")  # Retry opens the file again, not a built-in level
        await pilot.pause()
        assert isinstance(app.screen, BranchScreen) and app.screen.level.title == "Payday"


async def test_a_broken_level_file_on_screen_names_file_key_and_reason(tmp_path: Path) -> None:
    file = tmp_path / "bad.toml"
    file.write_text('id = "x"\ntitle = "X"\n[day]\naccounts = 0\n')
    app = BankApp(level_file=str(file), backend="inline", store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any(f"{file}: key 'day.accounts': must be between 1 and 52" in n.message for n in app._notifications)


async def test_ctrl_s_saves_a_picture_named_by_level_seed_and_tick() -> None:
    app = branch_app("rush-hour", seed=4)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["full_stop"] * 3)
        await pilot.press("ctrl+s")
        picture = Path(os.environ["BANKGAME_HOME"]) / "pictures" / "rush-hour-seed4-tick0003.svg"
        assert picture.is_file() and picture.read_text().lstrip().startswith("<svg")
        assert any(str(picture) in n.message for n in app._notifications)


async def test_unlock_all_opens_every_level() -> None:
    store = Store.memory()
    app = BankApp(start="levels", store=store, unlock_all=True, backend="inline")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LevelSelectScreen)
        assert screen.states and not any(state.locked for state in screen.states)
    store = Store.memory()
    app = BankApp(start="levels", store=store, backend="inline")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any(state.locked for state in app.screen.states)
        store.set_setting("unlock_all", True)
        app.screen.refresh_levels()
        assert not any(state.locked for state in app.screen.states)


async def test_the_unlock_all_setting_is_saved_from_the_settings_screen() -> None:
    app = branch_app()
    store = app.store  # branch_app's in-memory save
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        await pilot.click("#unlock-all")
        await pilot.press("escape")
        await pilot.pause()
        assert store.setting("unlock_all") is True and app.unlock_all


async def test_a_storm_of_teacher_keys_raises_nothing_and_leaves_one_day() -> None:
    from branch_support import fast_storm

    keys = ("comma", "full_stop", "g", "left", "right", "home", "end", "pageup", "pagedown", "enter", "escape",
            "space", "minus", "plus", "t", "m", "w", "ctrl+s", "a", "1")
    app = branch_app("sandbox", seed=5, options={"customers": 60}, paused=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await fast_storm(pilot, seed=21, keys=keys)
        await pilot.pause()
        assert app.is_running
        screen = app.screen
        if isinstance(screen, BranchScreen):
            assert screen.branch is app.branch and app._branches == [app.branch]
            assert screen.tape.branch is screen.branch


async def test_a_tutorial_chapter_saves_a_replay_of_its_own_day() -> None:
    from bankgame.replays import play_replay
    from bankgame.screens.tutorial import TutorialScreen

    app = BankApp(start="tutorial", backend="inline", paused=True, store=Store.memory())
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TutorialScreen)
        screen.advance(15)
        await pilot.press("w")
        saved = sorted((Path(os.environ["BANKGAME_HOME"]) / "replays").glob("*.toml"))
        assert len(saved) == 1
        _, replayed = play_replay(read_replay(saved[0]))
        assert replayed.day == screen.branch.day and replayed.seed == screen.branch.seed


async def test_the_results_go_back_into_the_day_one_tick_before_its_end() -> None:
    app = branch_app("rush-hour", seed=4, options={"customers": 12})
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        screen.paused = False
        screen.speed = 8.0
        for _ in range(400):
            await pilot.pause(0.05)
            if isinstance(app.screen, ResultsScreen):
                break
        assert isinstance(app.screen, ResultsScreen), "the day did not reach its results"
        end = app.branch.tick
        await pilot.press("comma")
        await pilot.pause()
        assert app.screen is screen and screen.paused
        assert app.branch.tick == end - 1 and not app.branch.over
        # Forward to the end again: the results come back.
        await pilot.press("full_stop")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, ResultsScreen):
                break
        assert isinstance(app.screen, ResultsScreen)


async def finish(app: BankApp, pilot) -> ResultsScreen:
    """Play the day on screen to its results."""
    screen = branch_screen(app)
    screen.advance(2000)
    await pilot.pause()
    await pilot.pause()
    assert isinstance(app.screen, ResultsScreen), app.screen
    return app.screen


async def test_w_on_the_results_saves_a_replay_whose_report_is_the_one_shown(capsys) -> None:
    from bankgame.cli import main

    app = branch_app("rush-hour", seed=4, options={"customers": 12})
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        screen.toggle_ticket("A")
        screen.advance(9)
        screen.toggle_ticket("B")
        results = await finish(app, pilot)
        await pilot.press("w")
        saved = sorted((Path(os.environ["BANKGAME_HOME"]) / "replays").glob("*.toml"))
        assert len(saved) == 1 and any(str(saved[0]) in n.message for n in app._notifications)
        shown = results.report.to_json()
    assert read_replay(saved[0]).actions == ((0, "ticket_on", "A"), (9, "ticket_on", "B"))
    assert main(["replay", str(saved[0]), "--json"]) == 0
    assert capsys.readouterr().out == shown + "\n"


async def test_w_on_the_results_of_a_day_on_own_code_says_not_yet() -> None:
    from bankgame.engine.fixits import load_fixits

    fix = load_fixits().fixit("fix-lost-update")
    app = BankApp(backend="inline", paused=True, store=Store.memory())
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.open_program_day(fix, fix.shipped, seed=3)
        await pilot.pause()
        await finish(app, pilot)
        await pilot.press("w")
        await pilot.pause()
        assert not (Path(os.environ["BANKGAME_HOME"]) / "replays").exists()
        assert any("Not yet: a replay file of a day on your own code" in n.message for n in app._notifications)
