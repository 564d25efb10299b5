"""The branch screen's controls change the engine's state (not just the text)."""

from __future__ import annotations

from bankgame.constants import SPEEDS
from bankgame.screens.help import HelpScreen
from bankgame.screens.results import ResultsScreen
from bankgame.screens.settings import SettingsScreen
from bankgame.screens.timeline import TimelineScreen
from bankgame.screens.too_small import TooSmallScreen
from bankgame.widgets.ticket_board import TicketBoard
from branch_support import branch_app, branch_screen, run_until

SIZE = (120, 36)


async def test_one_tick_advances_the_engine_by_one_and_pauses() -> None:
    app = branch_app(paused=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        await pilot.press("space")
        assert screen.paused
        start = app.branch.tick
        await pilot.press("full_stop")
        assert app.branch.tick == start + 1
        await pilot.press("full_stop", "full_stop")
        assert app.branch.tick == start + 3
        assert screen.paused


async def test_space_pauses_and_resumes_the_day() -> None:
    app = branch_app(paused=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        await pilot.pause(0.3)
        assert app.branch.tick == 0, "a paused day does not move"
        await pilot.press("space")
        assert not screen.paused
        # However slowly a busy machine fires the frames, a running day ticks
        # (the bound only ends a day that never moves).
        for _ in range(300):
            if app.branch.tick > 0:
                break
            await pilot.pause(0.05)
        assert app.branch.tick > 0, "a running day ticks"
        await pilot.press("space")
        stopped = app.branch.tick
        await pilot.pause(0.3)
        assert app.branch.tick == stopped


async def test_speed_goes_up_and_down_within_its_range() -> None:
    app = branch_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        assert screen.speed == 1.0
        await pilot.press("plus")
        assert screen.speed == 2.0
        await pilot.press(*["plus"] * 6)
        assert screen.speed == SPEEDS[-1] == 8.0
        await pilot.press(*["minus"] * 10)
        assert screen.speed == SPEEDS[0] == 0.1
        await pilot.press("plus")
        assert screen.speed == 0.25


async def test_ticket_board_places_and_removes_a_ticket_on_an_account() -> None:
    app = branch_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        board = app.screen.query_one(TicketBoard)
        assert board.has_focus
        await pilot.press("down", "down", "enter")  # vault, rate board, then account A
        assert app.branch.layout.accounts == frozenset({0})
        await pilot.press("enter")
        assert app.branch.layout.accounts == frozenset()
        await pilot.press("home", "enter")
        assert app.branch.layout.vault


async def test_ticket_board_scope_and_order_rows() -> None:
    app = branch_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", "end")  # the last row: lock order
        await pilot.press("enter")
        assert app.branch.layout.order == "account"
        await pilot.press("up", "enter")  # scope
        assert app.branch.layout.scope == "write"


async def test_clicking_a_ticket_row_places_a_ticket() -> None:
    app = branch_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        board = app.screen.query_one(TicketBoard)
        # Row 3 of the board's content (border and padding first): account B.
        clicked = await pilot.click(TicketBoard, offset=(4, 1 + 3))
        assert clicked
        assert app.branch.layout.accounts == frozenset({1})
        assert board.has_focus


async def test_m_asks_for_message_mode_and_it_happens_once_the_desks_are_free() -> None:
    app = branch_app(ticks=5)
    async with app.run_test(size=SIZE) as pilot:
        branch = app.branch
        assert branch.mode == "shared"
        await pilot.press("m")
        assert branch.pending_mode == "message" or branch.mode == "message"
        for _ in range(200):
            if branch.mode == "message":
                break
            await pilot.press("full_stop")
        assert branch.mode == "message" and branch.pending_mode == ""
        assert not app.screen.query_one(TicketBoard).display
        await pilot.press("m")
        assert branch.pending_mode == "shared"


async def test_k_kills_a_clerk_who_is_then_recovered() -> None:
    app = branch_app(options={"mode": "message", "cashiers": 4}, ticks=12)
    async with app.run_test(size=SIZE) as pilot:
        branch = app.branch
        await pilot.press("k")
        assert any(clerk.down for clerk in branch.clerks)
        for _ in range(100):
            if branch.recovered_clerks:
                break
            await pilot.press("full_stop")
        assert branch.recovered_clerks == 1
        assert not any(clerk.down for clerk in branch.clerks)


async def test_k_in_shared_mode_kills_nobody() -> None:
    app = branch_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("k")
        assert not any(clerk.down for clerk in app.branch.clerks)


async def test_selecting_an_integrity_error_opens_its_timeline() -> None:
    app = branch_app("rush-hour", seed=2)
    run_until(app.handed_day[1], lambda b: b.errors)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", "enter")
        assert isinstance(app.screen, TimelineScreen)
        assert app.screen.error is app.branch.errors[0]
        await pilot.press("escape")
        assert branch_screen(app)


async def test_help_and_settings_open_and_close() -> None:
    app = branch_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("o")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape")
        assert branch_screen(app)


async def test_help_is_built_once_and_opens_at_the_top_each_time() -> None:
    from textual.containers import VerticalScroll

    app = branch_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        first = app.screen
        box = first.query_one("#help-box", VerticalScroll)
        await pilot.press("end")
        await pilot.pause()
        assert box.scroll_y > 0
        await pilot.press("escape")
        assert branch_screen(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is first and box.scroll_y == 0
        await pilot.press("escape")
        assert branch_screen(app)


async def test_settings_change_the_theme_and_the_speed() -> None:
    app = branch_app()
    async with app.run_test(size=SIZE) as pilot:
        from bankgame.screens.settings import Settings

        app.apply_settings(Settings("high-contrast", 4.0, False))
        await pilot.pause()
        assert app.theme == "high-contrast"
        assert branch_screen(app).speed == 4.0
        assert app.animation_level == "none"
        assert app.store.settings()["speed"] == 4.0


async def test_a_small_terminal_shows_the_minimum_and_recovers_on_resize() -> None:
    app = branch_app()
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert branch_screen(app)


async def test_the_end_of_the_day_shows_how_it_went() -> None:
    app = branch_app(options={"customers": 3})
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):
            if app.branch.over:
                break
            await pilot.press("full_stop")
        await pilot.pause()
        assert app.branch.over
        assert isinstance(app.screen, ResultsScreen), app.screen
        assert app.screen.report.served == 3
        await pilot.press("r")
        await pilot.pause()
        assert branch_screen(app).branch.tick == 0, "play again opens a fresh day"


async def test_a_finished_day_is_saved_with_its_stars() -> None:
    app = branch_app("opening-day", seed=1)
    run_until(app.handed_day[1], lambda branch: branch.tick >= 1)
    async with app.run_test(size=SIZE) as pilot:
        screen = branch_screen(app)
        while not app.branch.over:
            screen.advance(50)
        await pilot.pause()
        (record,) = app.store.history("opening-day")
        assert record.stars == app.store.stars("opening-day")
        assert isinstance(app.screen, ResultsScreen), app.screen
        assert app.screen.report.stars == record.stars


async def test_every_control_is_in_the_command_palette() -> None:
    app = branch_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for wanted in ("Pause / resume", "One tick", "Faster", "Slower", "Switch mode", "Ticket board",
                       "Kill a clerk", "Help", "Settings", "High contrast", "Quit", "Place ticket on account A"):
            assert wanted in titles, wanted
        place = next(c for c in app.get_system_commands(app.screen) if c.title == "Place ticket on account A")
        place.callback()
        assert 0 in app.branch.layout.accounts


async def test_an_unavailable_backend_falls_back_to_in_process_with_a_notice() -> None:
    from bankgame.app import BankApp
    from bankgame.store import Store

    app = BankApp(start="sandbox", backend="no-such-backend", paused=True, store=Store.memory())  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()  # real processes are started off the UI thread
        await pilot.pause()
        assert app.branch is not None and app.branch.backend.name == "inline"
        assert any("in-process" in n.message for n in app._notifications)


def test_the_help_page_names_every_binding_of_the_branch() -> None:
    from bankgame.screens.branch import BranchScreen
    from bankgame.screens.help import help_text

    text = help_text()
    for binding in BranchScreen.BINDINGS:
        shown = binding.key_display or binding.key.split(",")[0]
        assert f"`{shown}`" in text, shown


async def test_leaving_the_branch_closes_the_day() -> None:
    from bankgame.app import BankApp
    from bankgame.store import Store

    app = BankApp(backend="inline", store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.open_level("rush-hour")
        await pilot.pause()
        branch = app.branch
        closed: list[bool] = []
        branch.close = lambda: closed.append(True)  # type: ignore[method-assign]
        await pilot.press("escape")
        await pilot.pause()
        assert closed == [True] and app.branch is None
        assert app.screen.__class__.__name__ == "TitleScreen"
