"""A seed of any length plays, and the status bar still has room for what follows it."""

from __future__ import annotations

from bankgame.widgets.status_bar import StatusBar
from bankgame.widgets.text import seed_text
from branch_support import branch_app

LONG_SEED = int("7" * 3000)


def test_a_seed_is_shown_whole_up_to_twelve_digits_and_by_its_ends_beyond() -> None:
    assert seed_text(5) == "5"
    assert seed_text(123456789012) == "123456789012"
    assert seed_text(1234567890123) == "123456…0123"
    assert seed_text(-1234567890123) == "-12345…0123"
    assert len(seed_text(LONG_SEED)) == 11


async def test_a_seed_thousands_of_digits_long_leaves_the_mode_on_the_status_bar() -> None:
    app = branch_app("sandbox", seed=LONG_SEED)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        line = app.screen.query_one(StatusBar).render().plain
        assert "seed 777777…7777 ·" in line, line
        assert "shared state" in line, line
