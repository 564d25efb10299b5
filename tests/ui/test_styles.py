"""Each screen's stylesheet is read when the screen is first shown; the title, the default screen, with the app's."""

from __future__ import annotations

from pathlib import Path

from bankgame.app import BankApp
from bankgame.store import Store


def stylesheets(app: BankApp) -> set[str]:
    """Return the names of the .tcss files the app has read."""
    return {Path(path).name for path, _ in app.stylesheet.source if path.endswith(".tcss")}


async def test_the_title_is_styled_on_its_first_frame_and_a_day_brings_its_own_styles() -> None:
    app = BankApp(backend="inline", store=Store.memory())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # The default screen's CSS_PATH is not read by Textual: the app reads the title's file itself.
        assert type(app.screen).__name__ == "TitleScreen"
        assert app.screen.query_one("#title-menu").size.width < 60, "the menu is title.tcss's width, not the screen's"
        assert stylesheets(app) == {"app.tcss", "title.tcss"}
        app.open_sandbox(seed=1)
        await pilot.pause()
        assert type(app.screen).__name__ == "BranchScreen"
        assert stylesheets(app) == {"app.tcss", "title.tcss", "branch.tcss"}
