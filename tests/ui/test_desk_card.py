"""What a desk's card says it is doing: closed, closing, free, waiting for a clerk that is down.

Second Branch opens two of its six desks; ``d`` opens one more, ``D`` closes
one. A closed desk calls nobody, so its card must not say "free" (it once did).
"""

from __future__ import annotations

from typing import Any

from bankgame.engine import Branch
from bankgame.widgets.desk_card import DeskCard
from branch_support import branch_app, branch_screen

SIZE = (120, 36)


def drawn(card: DeskCard) -> list[str]:
    """Return the card's lines as drawn on screen, then its titles."""
    lines = [card.render_line(y).text.rstrip() for y in range(card.size.height)]
    return [line for line in lines if line] + [str(card.border_title), str(card.border_subtitle)]


def cards(app: Any) -> dict[str, DeskCard]:
    screen = branch_screen(app)
    return {screen.branch.desks[card.index].name: card for card in screen.query(DeskCard)}


def first_line(card: DeskCard) -> str:
    return drawn(card)[0]


def tick_until(app: Any, condition: Any, limit: int = 400) -> Branch:
    screen = branch_screen(app)
    for _ in range(limit):
        if condition(screen.branch):
            return screen.branch
        screen.advance(1)
    raise AssertionError("the day never got there")


async def test_closed_desks_say_closed_and_d_opens_the_first_of_them() -> None:
    app = branch_app("second-branch", seed=9)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = cards(app)
        assert app.branch.open_desks == 2
        assert [first_line(shown[name]) for name in ("Ann", "Ben")] == ["○ free", "○ free"]
        assert first_line(shown["Cat"]) == "■ closed · d opens it"
        assert [first_line(shown[name]) for name in ("Dan", "Eve", "Fay")] == ["■ closed"] * 3
        await pilot.press("d", "d")
        await pilot.pause()
        assert app.branch.open_desks == 4
        assert [first_line(shown[name]) for name in ("Cat", "Dan")] == ["○ free", "○ free"]
        assert first_line(shown["Eve"]) == "■ closed · d opens it" and first_line(shown["Fay"]) == "■ closed"
        # Open, they call customers like the others.
        tick_until(app, lambda branch: branch.desks[3].customer is not None)
        await pilot.pause()
        assert first_line(shown["Dan"]).startswith("#")


async def test_a_desk_closed_mid_transaction_says_it_closes_after_its_customer() -> None:
    app = branch_app("second-branch", seed=9)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        branch = tick_until(app, lambda branch: branch.desks[1].customer is not None)
        customer = branch.desks[1].customer
        assert customer is not None
        await pilot.press("D")  # Ben's desk closes: it finishes its customer first
        await pilot.pause()
        ben = cards(app)["Ben"]
        assert app.branch.open_desks == 1
        assert first_line(ben).startswith(f"#{customer.id} ")
        assert drawn(ben)[-1].endswith(f" · closes after #{customer.id}")
        tick_until(app, lambda branch: branch.desks[1].customer is None)
        await pilot.pause()
        assert first_line(ben) == "■ closed · d opens it" and "closes after" not in drawn(ben)[-1]


async def test_a_desk_waiting_for_a_clerk_that_is_down_says_so() -> None:
    app = branch_app("sandbox", seed=1, options={"mode": "message", "customers": 80, "arrival_gap": 0.5})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # A request sent, not handled yet: the desk waits on the clerk that owns the account.
        branch = tick_until(app, lambda branch: any(
            desk.waiting_for == "reply" and desk.reply is None for desk in branch.desks))
        desk = next(desk for desk in branch.desks if desk.waiting_for == "reply" and desk.reply is None)
        card = cards(app)[desk.name]
        assert "◷ waiting for the clerk's reply" in drawn(card) and "is down" not in " ".join(drawn(card))
        clerk = branch.clerks[branch.clerk_of[desk.program[desk.pc - 1].message[1]]]
        assert branch.kill_clerk(clerk.index).startswith(f"Clerk {clerk.name} was killed")
        branch_screen(app).refresh_view()
        await pilot.pause()
        text = " ".join(drawn(card))
        assert "◷ waiting for the clerk's reply" in text and f"{clerk.name} is down" in text
        tick_until(app, lambda branch: not branch.clerks[clerk.index].down)
        await pilot.pause()
        assert "is down" not in " ".join(drawn(card))


async def test_a_free_desk_says_it_calls_nobody_until_a_change_is_made() -> None:
    app = branch_app("sandbox", seed=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tick_until(app, lambda branch: any(desk.customer for desk in branch.desks)
                   and any(desk.customer is None for desk in branch.desks))
        await pilot.press("m")  # message passing once the desks are free: meanwhile nobody is called
        await pilot.pause()
        branch = app.branch
        assert branch.pending_mode == "message"
        free = [card for card in cards(app).values() if branch.desks[card.index].customer is None]
        assert free and all(first_line(card) == "○ free · no calls until the change" for card in free)
        tick_until(app, lambda branch: not branch.changing)
        await pilot.pause()
        assert not [card for card in cards(app).values() if "until the change" in first_line(card)]
