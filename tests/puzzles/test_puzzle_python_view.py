"""The Puzzle Book's Python view (y), its export (x), and the registers on the desks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bankgame.engine.puzzle_run import PuzzleRun
from bankgame.screens.puzzle import PuzzleScreen
from bankgame.widgets.puzzle_desk import PuzzleDesk
from bankgame.widgets.python_view import PythonView

from .test_puzzle_screens import BOOK, BookApp


def marked(view: PythonView) -> str:
    assert view.state.code is not None and view.state.current >= 0
    return view.state.code.lines[view.state.current].code


async def test_y_shows_each_desk_s_python_with_the_next_step_marked() -> None:
    app = BookApp("wait-with-while")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PuzzleScreen)
        view = screen.query_one(PythonView)
        assert not view.display
        await pilot.press("y")
        assert view.display and screen.python.desk == 0 and "Ann" in str(view.border_title)
        assert marked(view) == "with ticket_a:"  # Ann's first step: take ticket A
        await pilot.press("1", "1")  # take ticket A, b = read A ($0)
        assert marked(view) == "while b < 5000:"
        await pilot.press("1")  # asleep on funds: inside wait(), and waiting, so the mark is ◷
        assert view.state.mark == "◷" and marked(view) == "funds.wait()"
        assert view.state.comment == "asleep: the lock given back"
        await pilot.press("y", "y")
        assert screen.python.desk == 2 and "Cat" in str(view.border_title)
        assert marked(view) == "with ticket_a:"
        await pilot.press("y")
        assert screen.python.desk is None and not view.display


async def test_the_palette_lists_each_desk_s_python_and_the_export() -> None:
    app = BookApp("lost-update")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        titles = [command.title for command in screen.palette_commands()]
        assert titles == ["Python of Ann's desk", "Python of Ben's desk", "Export as a Python script"]
        next(c for c in screen.palette_commands() if c.title == "Python of Ben's desk").callback()
        await pilot.pause()
        assert screen.python.desk == 1 and screen.query_one(PythonView).display
        assert "Close the Python view" in [command.title for command in screen.palette_commands()]


async def test_x_writes_the_puzzle_s_script_in_the_save_folder() -> None:
    app = BookApp("transfer-jam")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
    path = Path(os.environ["BANKGAME_HOME"]) / "exports" / "puzzle-transfer-jam.py"
    text = path.read_text()
    compile(text, str(path), "exec")
    assert "def ann():" in text and "tried every order" in text


def test_registers_show_what_each_desk_read_and_when_it_went_stale() -> None:
    run = PuzzleRun(BOOK.puzzle("lost-update"))
    assert run.registers(0) == []
    run.pick(0)  # Ann: r = read A ($100)
    assert run.registers(0) == ["r = $100"]
    run.pick(1)
    run.pick(1)
    run.pick(1)  # Ben read $100, added $30, wrote $130: Ann's copy is stale now
    assert run.registers(1) == ["r = $130"]
    assert run.registers(0) == ["r = $100 (stale: A changed)"]


def test_a_negative_register_reads_like_the_ledger() -> None:
    run = PuzzleRun(BOOK.puzzle("too-narrow"))
    for desk in run.report.shortest:
        run.pick(desk)
    assert "r = -$40" in run.registers(1)


def test_a_received_message_shows_its_number_and_amount() -> None:
    run = PuzzleRun(BOOK.puzzle("counted-twice"))
    run.pick(0)  # Ann sends $50
    run.pick(1)  # Bob receives it
    assert run.registers(1) == ["m = #1 $50"]


async def test_the_desks_draw_their_registers() -> None:
    app = BookApp("lost-update")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("1", "2")
        await pilot.pause()
        desks = list(app.screen.query(PuzzleDesk))
        assert "r = $100" in str(desks[0].render()) and "r = $100" in str(desks[1].render())


SNAPSHOT_PRESSES = ("1", "1", "1", "y")  # Ann asleep on funds, her Python beside the desks


def test_snapshot_of_the_python_view_in_a_puzzle(snap_compare: Any) -> None:
    async def settle(pilot: Any) -> None:
        await pilot.pause()

    assert snap_compare(BookApp("wait-with-while"), terminal_size=(120, 36), press=list(SNAPSHOT_PRESSES),
                        run_before=settle)


@pytest.mark.parametrize("size", [(80, 24)])
def test_snapshot_of_the_python_view_at_80x24(snap_compare: Any, size: tuple[int, int]) -> None:
    async def settle(pilot: Any) -> None:
        await pilot.pause()

    assert snap_compare(BookApp("polite-cashiers"), terminal_size=size, press=["1", "y"], run_before=settle)
