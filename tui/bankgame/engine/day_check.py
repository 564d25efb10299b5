"""A small day at the branch as a puzzle machine, so the checker can try every order.

Each desk serves its share of the day's customers in turn (customer ``k`` at
desk ``k mod cashiers``), running exactly the program the branch compiles for
that customer under the day's ticket layout (``programs.compile_shared``),
or in message mode the requests it sends (``programs.compile_message``).
The branch's own opcodes and line texts are the machine's, so nothing is
translated but the names of the tickets, a desk's own copy of the rate board
(the board, which nobody writes) and a transfer's "done" (a ``go to``).

In message mode each clerk is a back-office desk serving its mailbox: the
owner checks and acts in one go and answers into the cashier's ``replies``
mailbox, while the cashier waits. It serves as many requests as could come
to it (a refused debit sends no credit), so it need not finish.
"""

from __future__ import annotations

from typing import Any

from .branch import RATE_BOARD, Branch
from .levels import LevelError, load_level, make_day
from .machine import DeskSpec, Machine
from .names import account_name
from .primitives import RATES, LockSpec, Tables
from .programs import AWAIT, CHECK, CLOSED, JUMP, READ, Step, compile_message, compile_shared, ticket_text

MAX_CUSTOMERS = 6
MAX_CASHIERS = 4
MAX_ACCOUNTS = 6
MAX_CLERKS = 4
TOO_LARGE = (f"a day is checked with at most {MAX_CUSTOMERS} customers, {MAX_CASHIERS} cashiers, "
             f"{MAX_ACCOUNTS} accounts and {MAX_CLERKS} clerks: the orders grow exponentially beyond that")


def day_machine(level_id: str, customers: int, options: dict[str, Any] | None = None, seed: int | None = None) -> Machine:
    """Return the machine of ``customers`` customers of ``level_id``'s day.

    Raises:
        KeyError: no such level.
        LevelError: an option the day cannot take.
        ValueError: the day is too large to check (``TOO_LARGE`` says how large is too large).
    """
    level = load_level(level_id)
    values = dict(options or {})
    values["customers"] = customers
    day = make_day(values, name="options", prefix="--", base=level.day)
    if not 1 <= customers <= MAX_CUSTOMERS or day.cashiers > MAX_CASHIERS or day.accounts > MAX_ACCOUNTS:
        raise ValueError(f"too large to check: {TOO_LARGE} (this one: {customers} customers, {day.cashiers} cashiers, "
                         f"{day.accounts} accounts)")
    branch = Branch(day, seed=level.seed if seed is None else seed)
    if branch.mode == "message" and len(branch.clerks) > MAX_CLERKS:
        raise ValueError(f"too large to check: {TOO_LARGE} (this one: {len(branch.clerks)} clerks)")
    accounts = tuple(account_name(a) for a in range(day.accounts)) + (RATES,)
    # The branch's own tickets, named as its lines name them ("take ticket A").
    locks = tuple(LockSpec(ticket_text(t.name), t.permits) for t in branch.tickets)
    message = branch.mode == "message"
    desks = []
    for desk in range(day.cashiers):
        lines: list[str] = []
        jumps: list[tuple[int, int]] = []
        effects = []
        for customer in branch.customers[desk::day.cashiers]:
            start = len(lines)
            if message:
                program = compile_message(customer, branch.clerk_of)
            else:
                program = compile_shared(customer, branch.layout, branch.closed, branch.rates_slot)
            for pc, step in enumerate(program):
                lines.append(_line(step, start))
                if step.op in (CHECK, CLOSED, JUMP) or (step.op == AWAIT and step.target >= 0):
                    jumps.append((start + pc, start + step.target))
            effects.append((start, _changes(customer)))
        desks.append(DeskSpec(branch.desks[desk].name, tuple(lines), tuple(effects), jumps=tuple(jumps)))
    mailboxes: tuple[str, ...] = ()
    if message:
        # Each clerk serves its own mailbox, as many requests as could come; each cashier reads its answers.
        mailboxes = tuple(c.name for c in branch.clerks) + tuple(f"{d.name} replies" for d in desks)
        for clerk in branch.clerks:
            sent = sum(line.startswith("send {") and line.endswith(f"}} to {clerk.name}") for d in desks for line in d.lines)
            desks.append(DeskSpec(clerk.name, (f"serve a request from {clerk.name}",) * sent, role="back office"))
    tables = Tables(locks=locks, accounts=accounts, mailboxes=mailboxes, desks=tuple(d.name for d in desks))
    opening = (day.opening_balance,) * day.accounts + (RATE_BOARD,)
    return Machine(tables, tuple(d for d in desks if d.lines), opening, frozenset(day.closed))


def _line(step: Step, start: int) -> str:
    """Return the line a desk shows, as the machine reads it (two message-mode lines are spelt its way)."""
    if step.op == JUMP:
        return f"go to {start + step.target + 1}"  # "done": to the end of this customer's lines
    if step.op == READ and step.account < 0:
        return "q = read rates"  # a desk's own copy of the board: the board nobody writes
    return step.text


def _changes(customer: Any) -> tuple[tuple[str, int], ...]:
    a = account_name(customer.account)
    if customer.kind == "deposit":
        return ((a, customer.amount),)
    if customer.kind == "withdraw":
        return ((a, -customer.amount),)
    if customer.kind == "transfer":
        return ((a, -customer.amount), (account_name(customer.to_account), customer.amount))
    return ()


__all__ = ["MAX_CASHIERS", "MAX_CLERKS", "MAX_CUSTOMERS", "TOO_LARGE", "LevelError", "day_machine"]
