"""Fix the Program's p: a day at the branch where every customer runs the player's edited code."""

from __future__ import annotations

from bankgame.app import BankApp
from bankgame.engine.fixits import load_fixits
from bankgame.screens.branch import BranchScreen
from bankgame.screens.fix_program import FixProgramScreen
from bankgame.store import Store
from bankgame.widgets.desk_card import DeskCard

FIXITS = load_fixits()


async def _editor(app: BankApp, fix_id: str, pilot) -> FixProgramScreen:  # type: ignore[no-untyped-def]
    screen = FixProgramScreen(FIXITS, FIXITS.fixit(fix_id), app.store)
    await app.push_screen(screen)
    await pilot.pause()
    return screen


async def test_p_opens_a_day_on_the_edited_code_and_escape_comes_back() -> None:
    app = BankApp(backend="inline", store=Store.memory())
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await _editor(app, "fix-lost-update", pilot)
        # Ticket A around Ann's three lines, by keys: insert "take ticket A" on top, "return ticket A" at the end.
        await pilot.press("1", "down", "down", "down", "2")
        assert editor.editor.lines(0)[0] == "take ticket A" and editor.editor.lines(0)[-1] == "return ticket A"
        await pilot.press("p")
        await pilot.pause()
        day = app.screen
        assert isinstance(day, BranchScreen)
        code = day.branch.code
        assert code is not None and [s.text for s in code.desks[0].steps] == list(editor.editor.lines(0))
        assert day.level.id == "code:fix-lost-update" and "Your code" in day.level.title
        for _ in range(12):
            await pilot.press(".")
        card = app.screen.query(DeskCard).first()
        assert "your code" in str(card.border_title)
        assert any(d.served or d.customer for d in day.branch.desks)
        # The ticket board changes nothing here: the tickets are in the code.
        layout = day.branch.layout
        day.toggle_ticket("A")
        assert day.branch.layout == layout and "in your code" in day.note
        await pilot.press("escape", "escape")  # the first pauses the day, the second leaves it
        await pilot.pause()
        assert app.screen is editor


async def test_code_that_cannot_run_a_day_says_why_and_opens_none() -> None:
    app = BankApp(backend="inline", store=Store.memory())
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await _editor(app, "fix-forgotten-return", pilot)
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is editor
        assert "still holds ticket A" in editor.note
        polite = await _editor(app, "fix-polite", pilot)
        await pilot.press("p")
        await pilot.pause()
        assert app.screen is polite and "no day at the branch" in polite.note
