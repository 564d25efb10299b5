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
