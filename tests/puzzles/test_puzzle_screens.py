"""The Puzzle Book on screen: every puzzle played to its win with keys; a snapshot per chapter."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen

from bankgame.app import BankApp
from bankgame.engine.puzzles import load_book
from bankgame.screens.puzzle import PuzzleScreen
from bankgame.screens.puzzle_book import PuzzleBookScreen
from bankgame.store import Store
from pilot_keys import press, settle

BOOK = load_book()


class BookApp(BankApp, inherit_bindings=False):
    """Hosts the Puzzle Book (or one puzzle) on an in-memory save."""

    ENABLE_COMMAND_PALETTE = False
    # The puzzle screens alone, as the snapshots were taken: none of the game's stylesheets or keys.
    TITLE = "BookApp"  # the snapshots' window title, as when this was a bare App
    CSS_PATH = None
    BINDINGS = App.BINDINGS

    def __init__(self, puzzle_id: str | None = None) -> None:
        super().__init__(backend="inline", store=Store.memory())
        self.puzzle_id = puzzle_id

    def get_default_screen(self) -> Screen:
        return Screen(id="_default")

    def on_mount(self) -> None:
        self.push_screen(PuzzleBookScreen(store=self.store))
        if self.puzzle_id:
            self.push_screen(PuzzleScreen(BOOK, BOOK.puzzle(self.puzzle_id), self.store))


def keys_for(schedule: tuple[int, ...]) -> list[str]:
    return [str(desk + 1) for desk in schedule]


@pytest.mark.parametrize("puzzle", BOOK.puzzles, ids=lambda p: p.id)
async def test_every_puzzle_is_won_with_keys(puzzle: Any) -> None:
    app = BookApp(puzzle.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PuzzleScreen)
        await press(pilot, *keys_for(puzzle.report().shortest))
        await settle(pilot)
        verdict = screen.run.verdict()
        assert verdict.won and verdict.steps == puzzle.par
        saved = app.store.puzzles()[puzzle.id]
        assert saved.won and saved.stars == 3 and saved.best_steps == puzzle.par
        assert "★★★" in str(screen.query_one("#pz-verdict").render())


async def test_undo_hints_and_the_checker_s_order_with_keys() -> None:
    app = BookApp("transfer-jam")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        await press(pilot, "h")
        assert screen.run.hints == 0  # no hint before a failed attempt
        await press(pilot, *["1"] * 10, *["2"] * 10)  # one transfer after the other: no jam
        assert screen.run.verdict().over and not screen.run.verdict().won
        await press(pilot, "h", "h")
        assert screen.run.hints == 2 and "gets as far as line 1" in screen.hint_text
        await press(pilot, "u")
        assert len(screen.run.picks) == 19
        await press(pilot, "h", "space", "space")
        assert screen.run.verdict().won and screen.run.stars() == 2  # at par, with hints
        assert app.store.puzzles()["transfer-jam"].hints == 3
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, PuzzleBookScreen)
        assert "1 of 28 won" in str(app.screen.query_one("#book-list").border_subtitle)


async def test_the_book_opens_where_break_the_bank_was() -> None:
    from bankgame.app import BankApp

    app = BankApp(start="level", level="break-the-bank", backend="inline", store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PuzzleBookScreen)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, PuzzleScreen) and app.screen.puzzle.id == "lost-update"


# One snapshot per chapter, at a moment that shows its lesson.
SNAPSHOTS = {
    "lost-update": ("1", "1", "2", "2", "1", "2"),
    "too-narrow": tuple(str(d + 1) for d in BOOK.puzzle("too-narrow").report().shortest),
    "three-way-jam": ("1", "2", "3"),
    "two-keys": ("1", "2", "2"),
    "wait-with-if": ("1", "1", "1", "3", "3", "3", "3", "3"),
    "polite-cashiers": ("1", "2", "1", "1", "2"),
    "counted-twice": ("1", "2", "2", "3"),
}


@pytest.mark.parametrize("puzzle_id", list(SNAPSHOTS), ids=lambda p: BOOK.puzzle(p).chapter)
def test_snapshot_of_each_chapter(snap_compare: Any, puzzle_id: str) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await press(pilot, *SNAPSHOTS[puzzle_id])

    assert snap_compare(BookApp(puzzle_id), terminal_size=(120, 36), run_before=run_before)


def test_snapshot_of_the_book_at_80x24(snap_compare: Any) -> None:
    async def pause(pilot: Any) -> None:
        await pilot.pause()

    assert snap_compare(BookApp(), terminal_size=(80, 24), run_before=pause)
