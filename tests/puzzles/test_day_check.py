"""A small day as a machine: message mode's requests, the owner's check-and-act, the answers."""

from __future__ import annotations

import pytest

from bankgame.engine.checker import check, explore
from bankgame.engine.day_check import day_machine
from bankgame.engine.machine import DeskSpec, Machine
from bankgame.engine.primitives import ProgramError, Tables


def _office(withdraw: int) -> Machine:
    """Ann withdraws from A, Ben deposits $50 into it; Bob owns A and serves both."""
    tables = Tables(accounts=("A",), mailboxes=("Bob", "Ann replies", "Ben replies"), desks=("Ann", "Ben", "Bob"))
    desks = (
        DeskSpec("Ann", (f"send {{withdraw A ${withdraw}}} to Bob", "wait for reply"), ((0, (("A", -withdraw * 100),)),)),
        DeskSpec("Ben", ("send {deposit A $50} to Bob", "wait for reply"), ((0, (("A", 5000),)),)),
        DeskSpec("Bob", ("serve a request from Bob",) * 2, role="back office"),
    )
    return Machine(tables, desks, (10_000,))


def test_the_owner_checks_and_acts_in_one_go_in_every_order() -> None:
    # $120 from $100: refused unless the deposit is served first; never an overdraft, never a lost update.
    machine = _office(120)
    graph = explore(machine)
    finals = {graph.states[i].ledger for i in graph.ends}
    assert finals == {(15_000,), (3_000,)}  # refused (100 + 50), or paid after the deposit (150 - 120)
    assert not graph.errors and not graph.audits and not graph.stuck
    report = check(machine)
    assert report.verdict == "safe"


def test_a_refused_request_is_not_expected_to_change_the_books() -> None:
    machine = _office(500)  # never enough: always refused
    graph = explore(machine)
    assert {graph.states[i].ledger for i in graph.ends} == {(15_000,)}
    assert all((0, 0) in graph.states[i].refused for i in graph.ends)
    assert not graph.audits


def test_waiting_for_a_reply_needs_a_request_and_a_mailbox_for_answers() -> None:
    tables = Tables(accounts=("A",), mailboxes=("Bob",), desks=("Ann",))
    with pytest.raises(ProgramError, match="no earlier line sends"):
        Machine(tables, (DeskSpec("Ann", ("wait for reply",)),), (0,))
    with pytest.raises(ValueError, match="no mailbox 'Ann replies'"):
        Machine(tables, (DeskSpec("Ann", ("send {deposit A $5} to Bob", "wait for reply")),), (0,))


def test_a_message_day_runs_the_branch_s_own_lines_and_a_clerk_per_mailbox() -> None:
    machine = day_machine("back-office", 4)
    cashiers = [d for d in machine.desks if d.role == "cashier"]
    clerks = [d for d in machine.desks if d.role == "back office"]
    assert [c.name for c in clerks] == ["Ada", "Bob"]
    lines = [line for d in cashiers for line in d.lines]
    assert any(line.startswith("send {") for line in lines) and "wait for reply" in lines
    # Each clerk can serve every request addressed to it.
    for clerk in clerks:
        assert len(clerk.lines) == sum(line.endswith(f"}} to {clerk.name}") for line in lines)
