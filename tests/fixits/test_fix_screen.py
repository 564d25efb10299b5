"""The Fix the Program editor: every fix-it solved by keys; edits refused on screen; the proof played back."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App

from bankgame.engine.fix_search import smallest_fix
from bankgame.engine.fixits import FixIt, load_fixits, template
from bankgame.engine.program_edit import Editor
from bankgame.engine.program_text import read_programs
from bankgame.screens.fix_program import FixProgramScreen
from bankgame.screens.puzzle_book import PuzzleBookScreen
from bankgame.store import Store
from pilot_keys import press, settle

FIXITS = load_fixits()


class FixApp(App[None]):
    """Hosts the Puzzle Book and, on top, one fix-it's editor, on an in-memory save."""

    ENABLE_COMMAND_PALETTE = False

    def __init__(self, fix_id: str | None = None) -> None:
        super().__init__()
        self.store = Store.memory()
        self.fix_id = fix_id

    def on_mount(self) -> None:
        self.push_screen(PuzzleBookScreen(store=self.store))
        if self.fix_id:
            self.push_screen(FixProgramScreen(FIXITS, FIXITS.fixit(self.fix_id), self.store))


def keys_to(fix: FixIt, target: tuple[tuple[str, ...], ...]) -> list[str]:
    """The keys that edit the shipped programs into ``target``: delete every free line, bottom up, then
    insert the target's free lines top down (worked out on the editor model, as the screen will do them)."""
    editor = Editor(fix)
    keys: list[str] = []
    cursor = 0

    def go(line: int) -> None:
        nonlocal cursor
        keys.extend(["down"] * (line - cursor) if line > cursor else ["up"] * (cursor - line))
        cursor = line

    for d in range(len(fix.names)):
        if d:
            keys.append("right")
            cursor = 0
        for i in range(len(editor.lines(d)) - 1, -1, -1):
            if not editor.is_fixed(d, i):
                go(i)
                assert editor.delete(d, i) == ""
                keys.append("x")
        for i, line in enumerate(target[d]):
            if fix.is_fixed(d, line):
                continue
            go(i)
            index = [template(p) for p in fix.palettes[d]].index(template(line))
            assert editor.insert(d, i, fix.palettes[d][index]) == ""
            keys.append(str(index + 1))
            cursor += 1
    assert editor.programs == target
    return keys


@pytest.mark.parametrize("fix", FIXITS.fixits, ids=lambda f: f.id)
async def test_every_fixit_is_solved_with_keys(fix: FixIt) -> None:
    target = smallest_fix(fix).programs
    app = FixApp(fix.id)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, FixProgramScreen)
        await press(pilot, *keys_to(fix, target))
        assert screen.editor.programs == target
        await press(pilot, "enter")
        await settle(pilot)
        assert screen.report is not None and screen.report.verdict == "safe"
        assert screen.last_stars == 3
        saved = app.store.fixits()[fix.id]
        assert saved.stars == 3
        assert read_programs(saved.program, "saved", fix.puzzle.machine, fix) == target


async def test_a_failed_proof_plays_back_to_the_damaging_write() -> None:
    fix = FIXITS.fixit("fix-lost-update")
    app = FixApp(fix.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FixProgramScreen)
        await press(pilot, "enter")
        report = screen.report
        assert report is not None and report.verdict == "broken"
        assert screen.proof is not None
        await press(pilot, *["space"] * len(report.shortest))
        run = screen.proof
        assert run.picks == list(report.shortest) and run.broken is not None
        last = report.shortest[-1]
        view = screen._view(last)
        assert view.damage >= 0 and view.lines[view.damage].startswith("write A")
        assert not app.store.fixits()  # nothing saved for a program that is not safe
        await press(pilot, "escape")
        assert screen.proof is None and isinstance(app.screen, FixProgramScreen)


async def test_refused_edits_change_nothing_and_undo_works() -> None:
    fix = FIXITS.fixit("fix-lost-update")
    app = FixApp(fix.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FixProgramScreen)
        await press(pilot, "x")  # a fixed line: not deleted
        assert "cannot be deleted" in screen.note
        await press(pilot, "]", "9")  # not moved past another fixed line; there is no palette line 9
        assert screen.editor.programs == fix.shipped and screen.editor.edits == 0
        assert "palette" in screen.note and not list(app._notifications)  # said in the box, not a toast over it
        await press(pilot, "1", "u")
        assert screen.editor.programs == fix.shipped


async def test_the_book_opens_a_fixit() -> None:
    app = FixApp()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        book = app.screen
        assert isinstance(book, PuzzleBookScreen)
        listing = book.query_one("#book-list")
        index = next(i for i in range(listing.option_count) if listing.get_option_at_index(i).id == FIXITS.ids()[0])
        listing.highlighted = index
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, FixProgramScreen) and app.screen.fix.id == FIXITS.ids()[0]


async def test_write_makes_a_file_the_check_command_reads(tmp_path: Any) -> None:
    fix = FIXITS.fixit("fix-lost-update")
    app = FixApp(fix.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        await press(pilot, "1", "w")
        path = screen.written
        assert read_programs(path.read_text(), str(path), fix.puzzle.machine, fix) == screen.editor.programs


async def test_the_mouse_picks_a_line_and_inserts_from_the_palette() -> None:
    fix = FIXITS.fixit("fix-lost-update")
    app = FixApp(fix.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FixProgramScreen)
        # Ben's desk: the border, the status, his three lines, then the place after the last line.
        await pilot.click("#fx-desk-1", offset=(6, 5))
        assert screen.desk == 1 and screen.cursor[1] == 3
        # The palette's second line: "return ticket A", inserted at the end of Ben's program.
        await pilot.click("#fx-palette", offset=(4, 2))
        assert screen.editor.lines(1)[-1] == "return ticket A"
        await pilot.click("#fx-desk-0", offset=(6, 3))  # Ann's second line
        assert screen.desk == 0 and screen.cursor[0] == 1
