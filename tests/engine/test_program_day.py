"""A day at the branch on the player's own code: the edited programs run for every customer, on both backends."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankgame.engine.branch import Branch
from bankgame.engine.fix_search import smallest_fix
from bankgame.engine.fixits import FixIt, load_fixits
from bankgame.engine.program_day import program_day, program_level, program_problem, sandbox_problem
from bankgame.engine.rewind import Tape

FIXITS = load_fixits()
WITH_DAY = [f for f in FIXITS.fixits if not sandbox_problem(f)]
WITHOUT_DAY = [f for f in FIXITS.fixits if sandbox_problem(f)]


def fixed(fix: FixIt) -> tuple[tuple[str, ...], ...]:
    found = smallest_fix(fix)
    assert found is not None
    return found.programs


def test_which_fixits_have_a_day() -> None:
    # Tickets, reads, adds, writes and refusals run at the branch; wait/notify, try, semaphores and messages do not.
    assert {f.id for f in WITH_DAY} == {
        "fix-lost-update", "fix-three-cashiers", "fix-write-only", "fix-check-outside", "fix-one-without",
        "fix-forgotten-return", "fix-lock-order", "fix-big-ticket",
    }
    reasons = {f.id: sandbox_problem(f) for f in WITHOUT_DAY}
    assert "permits" in reasons["fix-vault"]
    assert "wait and notify" in reasons["fix-wait-with-if"]
    assert "try" in reasons["fix-polite"]
    assert "messages" in reasons["fix-message-deadlock"]
    with pytest.raises(ValueError, match="no day at the branch"):
        program_day(FIXITS.fixit("fix-polite"), FIXITS.fixit("fix-polite").shipped)


@pytest.mark.parametrize("fix", WITH_DAY, ids=lambda f: f.id)
def test_the_checked_fix_runs_a_whole_day_with_no_error(fix: FixIt) -> None:
    programs = fixed(fix)
    assert program_problem(fix, programs) == ""
    branch = program_day(fix, programs, seed=5)
    branch.run()
    assert branch.over and branch.served == branch.day.customers
    assert branch.error_counts == {} and branch.deadlocks.total == 0
    assert sum(branch.ledger[:-1]) == branch.expected_total  # the closing audit balances
    # Every customer ran the code of the desk that called them: its lines, not the ticket board's.
    assert all(d.served for d in branch.desks)


@pytest.mark.parametrize("fix_id", ["fix-lost-update", "fix-three-cashiers", "fix-one-without", "fix-big-ticket"])
def test_the_shipped_code_loses_money_in_a_day(fix_id: str) -> None:
    fix = FIXITS.fixit(fix_id)
    branch = program_day(fix, fix.shipped, seed=5)
    branch.run()
    assert branch.error_counts.get("lost_update", 0) > 0
    assert sum(branch.ledger[:-1]) != branch.expected_total


def test_the_shipped_lock_order_deadlocks_and_the_fix_does_not() -> None:
    fix = FIXITS.fixit("fix-lock-order")
    shipped = program_day(fix, fix.shipped, seed=5)
    shipped.run()
    assert shipped.deadlocks.total > 0
    # The deadlock's victim gave its tickets back and ran again: the money is still right.
    assert sum(shipped.ledger[:-1]) == shipped.expected_total and not shipped.error_counts


def test_a_check_before_the_ticket_overdraws_and_its_refusal_gives_back_only_what_it_holds() -> None:
    fix = FIXITS.fixit("fix-check-outside")
    # The shipped code refuses before it takes ticket A, and its refusal runs "return ticket A":
    # as in the checker (and in Python's with), that gives back nothing it does not hold.
    assert program_problem(fix, fix.shipped) == ""
    overdrawn = 0
    for seed in range(1, 9):
        branch = program_day(fix, fix.shipped, seed=seed)
        branch.run()
        overdrawn += branch.error_counts.get("overdraft", 0) + branch.error_counts.get("lost_update", 0)
        assert branch.refused > 0
    assert overdrawn > 0


def test_code_that_keeps_a_ticket_or_returns_one_it_does_not_hold_has_no_day() -> None:
    forgotten = FIXITS.fixit("fix-forgotten-return")
    assert "still holds ticket A after its last line" in program_problem(forgotten, forgotten.shipped)
    lost = FIXITS.fixit("fix-lost-update")
    unheld = (("return ticket A", *lost.shipped[0]), lost.shipped[1])
    assert "returns ticket A without holding it (line 1)" in program_problem(lost, unheld)
    twice = (("take ticket A", "take ticket A", *lost.shipped[0], "return ticket A"), lost.shipped[1])
    assert "takes ticket A twice (line 2)" in program_problem(lost, twice)
    with pytest.raises(ValueError, match="still holds"):
        program_day(forgotten, forgotten.shipped)


def test_an_account_no_line_checks_opens_with_enough_for_the_day() -> None:
    fix = FIXITS.fixit("fix-lock-order")
    level, code = program_level(fix, fix.shipped, customers=40)
    # Ann takes $20 from A, Ben $10 from B, with no check: each opens with enough for 40 of them.
    assert code.opening == (10_000 + 40 * 2_000, 10_000 + 40 * 1_000)
    checked = FIXITS.fixit("fix-check-outside")
    _, code = program_level(checked, checked.shipped, customers=40)
    assert code.opening == tuple(checked.puzzle.machine.opening)  # the check is the lesson: A keeps its $100
    assert level.goals == () and level.id == "code:fix-lock-order"


def test_the_ticket_board_changes_nothing_on_the_players_code() -> None:
    fix = FIXITS.fixit("fix-lost-update")
    branch = program_day(fix, fix.shipped, seed=2)
    branch.toggle_ticket("A")
    branch.set_scope("write")
    branch.set_order("account")
    assert branch.layout == branch.active_layout and not branch.layout.accounts and branch.actions == []
    branch.step_tick()
    branch.step_tick()
    assert [s.text for s in branch.desks[0].program] == list(fix.shipped[0])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(1, 10_000), back=st.integers(1, 40))
def test_a_day_on_code_steps_back_to_the_same_day(seed: int, back: int) -> None:
    fix = FIXITS.fixit("fix-big-ticket")
    branch = program_day(fix, fix.shipped, seed=seed)
    tape = Tape(branch)
    for _ in range(60):
        branch.step_tick()
    ledger, tick = list(branch.ledger), branch.tick
    tape.goto(max(0, tick - back))
    rebuilt: Branch = tape.branch
    assert rebuilt.code is branch.code
    tape.goto(tick)
    assert tape.branch.ledger == ledger


def test_the_real_processes_run_the_same_day() -> None:
    from bankgame.workers import make_backend

    fix = FIXITS.fixit("fix-lost-update")
    inline = program_day(fix, fix.shipped, seed=3)
    inline.run()
    real = program_day(fix, fix.shipped, seed=3, backend=make_backend("process"))
    try:
        real.run()
    finally:
        real.close()
    assert real.ledger == inline.ledger and real.error_counts == inline.error_counts
    assert real.error_counts["lost_update"] > 0
