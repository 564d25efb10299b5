"""What a new player tripped on, each pinned: crashes, dead ends, words, layouts."""

from __future__ import annotations

from typing import Any

from branch_support import branch_app, branch_screen, run_until, synced
from textual import events


def send_keys(app: Any, *keys: str) -> None:
    """Queue ``keys`` the way the terminal driver does: no waiting between them."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


# ------------------------------------------------------------- the palette
@synced
async def test_page_keys_while_the_palette_opens_do_not_crash() -> None:
    app = branch_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(20):
            send_keys(app, "ctrl+p", "pagedown", "pageup", "pagedown")
            await pilot.pause()
            await pilot.press("escape")
        assert app._exception is None
        assert app.is_running


# ------------------------------------------------------- the sandbox's day
def sandbox_app(**options: Any) -> Any:
    from bankgame.app import BankApp
    from bankgame.store import Store

    app = BankApp(start="sandbox", options={"customers": 3, **options}, backend="inline", paused=True,
                  store=Store.memory())
    app.animation_level = "none"
    return app


async def end_the_day(pilot: Any) -> None:
    screen = branch_screen(pilot.app)
    while not screen.branch.over:
        screen.advance(20)
    await pilot.pause()
    await pilot.pause()


@synced
async def test_leaving_a_sandbox_day_s_results_lands_on_the_title_not_a_blank_screen() -> None:
    from textual.widgets import Footer

    from bankgame.screens.results import ResultsScreen
    from bankgame.screens.title import TitleScreen

    for key in ("l", "escape"):
        app = sandbox_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await end_the_day(pilot)
            assert isinstance(app.screen, ResultsScreen)
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, TitleScreen), (key, app.screen_stack)
            assert app.screen.query(Footer), "the title keeps its footer"
            # and the title works: escape there is not a dead end either
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen_stack and app._exception is None


@synced
async def test_a_sandbox_day_offers_no_next_level_and_goes_back_to_the_title() -> None:
    from textual.widgets import Button

    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await end_the_day(pilot)
        screen = app.screen
        ids = [button.id for button in screen.query(Button)]
        assert "next" not in ids
        assert str(screen.query_one("#levels", Button).label) == "Title"
        keys = {active.binding.key for active in app.active_bindings.values() if active.binding.show}
        assert "n" not in keys and "r" in keys
        descriptions = {active.binding.description for active in app.active_bindings.values() if active.binding.show}
        assert "Title" in descriptions and "Levels" not in descriptions


def test_the_sandbox_day_lasts_minutes_not_seconds() -> None:
    from bankgame.day import open_day

    _, branch = open_day("sandbox", 1, None, "inline")
    with branch:
        branch.run()
        # 10 ticks a second at 1×: two minutes at least.
        assert branch.tick >= 1200


# ------------------------------------------------- escape, settings and "s"
@synced
async def test_escape_racing_settings_done_pauses_the_day_instead_of_closing_it() -> None:
    from textual.widgets import Button

    from bankgame.screens.settings import SettingsScreen

    app = branch_app(ticks=5)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = branch_screen(app)
        await pilot.press("o")
        assert isinstance(app.screen, SettingsScreen)
        app.screen.query_one("#settings-done", Button).press()
        send_keys(app, "escape")  # meant for the settings, arrives once they are gone
        await pilot.pause()
        await pilot.pause()
        assert app.screen is screen and app.branch is screen.branch, "the day is still there"
        assert screen.paused and "escape again leaves" in screen.note
        await pilot.press("space")  # playing on forgets the pending leave
        assert not screen.paused and screen.note == ""
        left: list[object] = []
        app.leave_branch = left.append  # type: ignore[method-assign]
        await pilot.press("escape")
        assert left == [] and screen.paused
        await pilot.press("escape")
        assert left == [screen], "the second escape leaves a day under way"


@synced
async def test_a_modal_dismissed_twice_closes_only_itself() -> None:
    from bankgame.screens.help import HelpScreen

    app = branch_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = branch_screen(app)
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        help_screen.dismiss()
        help_screen.dismiss()
        await pilot.pause()
        assert app.screen is screen


@synced
async def test_s_on_the_day_does_not_open_settings_but_o_does_and_says_so() -> None:
    from textual.widgets import Footer

    from bankgame.screens.settings import SettingsScreen

    app = branch_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = branch_screen(app)
        theme = app.theme
        await pilot.press("s", "right", "enter", "s")
        assert app.screen is screen and app.theme == theme
        shown = {active.binding.key: active.binding.description for active in app.active_bindings.values()
                 if active.binding.show}
        assert shown.get("o") == "Settings"
        assert screen.query(Footer)
        await pilot.press("o")
        assert isinstance(app.screen, SettingsScreen)


@synced
async def test_retry_then_a_habitual_s_does_not_change_the_theme() -> None:
    from bankgame.app import BankApp
    from bankgame.screens.branch import BranchScreen
    from bankgame.store import Store

    app = BankApp(level="rush-hour", seed=5, backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        theme = app.theme
        app.branch.run()
        app.show_results(app.screen.level, app.branch)
        await pilot.pause()
        await pilot.press("r")  # Retry skips the briefing: the day is on screen at once
        await pilot.pause()
        assert isinstance(app.screen, BranchScreen)
        await pilot.press("s", "right", "right", "enter", "escape")  # "s" to start, as on the briefing
        await pilot.pause()
        assert app.theme == theme


@synced
async def test_the_status_bar_keeps_a_pending_switch_whole_at_120_and_80_columns() -> None:
    from bankgame.widgets.status_bar import StatusBar

    for width in (120, 100, 80):
        app = branch_app(ticks=3)
        async with app.run_test(size=(width, 36)) as pilot:
            screen = branch_screen(app)
            app.branch.switch_mode()
            assert app.branch.pending_mode == "message"
            screen.refresh_view()
            await pilot.pause()
            bar = screen.query_one(StatusBar)
            line = bar.render()
            assert line.cell_len <= bar.size.width, (width, line.plain)
            assert "→ message" in line.plain and "…" not in line.plain
