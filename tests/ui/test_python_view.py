"""The Python beside the program: the key, the palette, the marked line, and how it looks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

from bankgame.engine.customers import Customer
from bankgame.engine.programs import TicketLayout, compile_message, compile_shared
from bankgame.engine.python_code import desk_python
from bankgame.widgets.python_view import Listing, PythonView
from branch_support import branch_app, branch_screen

TWO = frozenset({0, 1})


class OneView(App[None]):
    """A Python view alone, showing one program at one step."""

    def __init__(self, program: list, pc: int, title: str, lock_order: str = "", waiting: bool = False) -> None:
        super().__init__()
        self.code = desk_python(program, title=title, lock_order=lock_order)
        self.pc, self.label, self.waiting = pc, title, waiting

    def compose(self) -> ComposeResult:
        yield PythonView()

    def on_mount(self) -> None:
        self.query_one(PythonView).show(Listing(self.code, self.code.line_for(self.pc), "◷" if self.waiting else "▶",
                                                title=f"Python · Ann · {self.label}"))


def shared(kind: str, layout: TicketLayout, to: int = -1) -> list:
    return compile_shared(Customer(7, 0, kind, 0, 3000, to), layout, frozenset(), 2)


SIZE = (72, 22)


def test_a_deposit_with_its_ticket(snap_compare: Any) -> None:
    program = shared("deposit", TicketLayout(accounts=TWO))
    assert snap_compare(OneView(program, 2, "+ deposit A $30"), terminal_size=SIZE)


def test_a_withdrawal_with_a_write_only_scope(snap_compare: Any) -> None:
    # The check (line "if b < 3000") stands outside the with: no ticket while checking.
    program = shared("withdraw", TicketLayout(accounts=TWO, scope="write"))
    assert snap_compare(OneView(program, 1, "− withdraw A $30 · scope: write only"), terminal_size=SIZE)


def test_a_withdrawal_with_a_check_scope(snap_compare: Any) -> None:
    program = shared("withdraw", TicketLayout(accounts=TWO, scope="check"))
    assert snap_compare(OneView(program, 2, "− withdraw A $30 · scope: check+write"), terminal_size=SIZE)


def test_a_transfer_in_account_order(snap_compare: Any) -> None:
    program = shared("transfer", TicketLayout(accounts=TWO, order="account"), to=1)
    assert snap_compare(OneView(program, 1, "⇄ transfer A→B $30", lock_order="account", waiting=True),
                        terminal_size=SIZE)


def test_a_message_mode_transfer(snap_compare: Any) -> None:
    program = compile_message(Customer(7, 0, "transfer", 0, 3000, 1), [0, 1])
    assert snap_compare(OneView(program, 3, "⇄ transfer A→B $30 · messages", waiting=True), terminal_size=SIZE)


def test_the_branch_with_the_python_view(snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        for _ in range(9):
            pilot.app.screen.advance(1)
        await pilot.press("y")
        await pilot.pause()
        pilot.app.clear_notifications()

    assert snap_compare(branch_app("check-then-withdraw", seed=3), terminal_size=(120, 36), run_before=run_before)


async def test_y_walks_the_desks_and_follows_the_current_step() -> None:
    app = branch_app("rush-hour", seed=2)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = branch_screen(app)
        view = screen.query_one(PythonView)
        assert not view.display and screen.python.desk is None
        desk = app.branch.desks[0]
        for _ in range(200):
            if desk.program and desk.pc > 0:
                break
            screen.advance(1)
        await pilot.press("y")
        assert view.display and screen.python.desk == 0
        assert desk.program, "Ann serves someone"
        assert view.state.code is not None
        assert view.state.current == view.state.code.line_for(desk.pc)
        assert view.state.code.lines[view.state.current].code.startswith(("r = ledger", "r = r +", "ledger["))
        before = (desk.customer.id, desk.pc)
        screen.advance(1)
        await pilot.pause()
        if (desk.customer and desk.customer.id, desk.pc) != before and desk.program:
            assert view.state.current == view.state.code.line_for(desk.pc)
        for index in range(1, len(app.branch.desks)):
            await pilot.press("y")
            assert screen.python.desk == index
        await pilot.press("y")
        assert screen.python.desk is None and not view.display


async def test_the_palette_offers_each_desk_and_the_export() -> None:
    app = branch_app("rush-hour", seed=2)
    async with app.run_test(size=(120, 36)):
        screen = branch_screen(app)
        titles = [command.title for command in screen.palette_commands()]
        assert "Python of Ben's desk" in titles and "Export as a Python script" in titles
        next(c for c in screen.palette_commands() if c.title == "Python of Ben's desk").callback()
        assert screen.python.desk == 1


async def test_x_exports_the_day_and_names_the_file(tmp_path: Path) -> None:
    app = branch_app("rush-hour", seed=2)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        path = Path(next(m for m in notes if m.startswith("Wrote ")).split("\n")[0].removeprefix("Wrote "))
        assert path.is_file() and path.name == "rush-hour.py"
        import os

        assert path.parent == Path(os.environ["BANKGAME_HOME"]).resolve() / "exports"  # the save folder, not cwd
        text = path.read_text()
        compile(text, str(path), "exec")
        assert '"shared-unlocked"' in text  # Rush Hour opens without tickets


async def test_an_errors_timeline_reads_as_python() -> None:
    from bankgame.screens.timeline import TimelineScreen
    from bankgame.widgets.timeline import Timeline, step_mark

    app = branch_app("rush-hour", seed=2)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = branch_screen(app)
        for _ in range(2000):
            if app.branch.errors:
                break
            screen.advance(1)
        app.push_screen(TimelineScreen(app.branch.errors[0]))
        await pilot.pause()
        timeline = app.screen.query_one(Timeline)
        game = [step.line for step in timeline.state.steps]
        assert any(line.startswith(("r = read", "write ")) for line in game)
        await pilot.press("y")
        python = [step.line for step in timeline.state.steps]
        assert len(python) == len(game)
        assert any(line.startswith("r = ledger[") for line in python)
        assert not any(line.startswith(("r = read", "write ")) for line in python)
        account = app.branch.errors[0].account
        assert "◆ " in {step_mark([step], account) for step in timeline.state.steps}  # reads still marked, in Python
        await pilot.press("y")
        assert [step.line for step in timeline.state.steps] == game
