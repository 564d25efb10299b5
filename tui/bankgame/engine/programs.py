"""Transactions compiled into micro-step programs, one step per tick.

A desk runs its customer's transaction as a tiny program shown like code:
``take ticket A`` · ``r = read A`` · ``r = r + 50`` · ``write A = r`` ·
``return ticket A``. Which tickets appear, and where, depends on the ticket
layout the player chose; in message-passing mode the program sends copies to
the account's clerk instead of touching the ledger.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from .customers import Customer
from .names import account_name, clerk_name, dollars

# Opcodes, plain ints so that the hot loop compares small integers.
TAKE = 0
GIVE = 1
READ = 2
ADD = 3
CHECK = 4
WRITE = 5
SEND = 6
AWAIT = 7
CLOSED = 8
JUMP = 9

VAULT = "vault"
RATES = "rates"


@dataclass(slots=True)
class Step:
    """One line of a desk's program."""

    op: int
    text: str
    ticket: str = ""
    account: int = -1
    register: str = ""
    amount: int = 0
    target: int = -1
    """Where CHECK/AWAIT/CLOSED jump when the answer is no, and where JUMP goes."""
    message: tuple[str, int, int] = ("", -1, 0)
    """For SEND: ``(op, account, amount)``."""


@dataclass(frozen=True, slots=True)
class TicketLayout:
    """Which resources carry a ticket (a mutex), and how tickets are used."""

    vault: bool = False
    accounts: frozenset[int] = frozenset()
    rates: bool = False
    scope: str = "check"
    """``write``: the ticket covers the write only; ``check``: check and write."""
    order: str = "any"
    """``any``: take tickets in the order the transaction names them; ``account``: in account order."""

    def tickets_for(self, accounts: list[int]) -> list[str]:
        """Return the tickets a transaction on ``accounts`` must take, in order."""
        if self.vault:
            return [VAULT]
        held = [a for a in accounts if a in self.accounts]
        if self.order == "account":
            held.sort()
        return [account_name(a) for a in held]


TICKET_WORDS = ("none", "vault", "accounts")


def parse_tickets(code: str, accounts: int, base: TicketLayout | None = None) -> TicketLayout:
    """Return the layout ``code`` names: ``none``, ``vault``, ``accounts``, or resources such as ``A,C,rates``.

    Scope and order are kept from ``base``, and so is its rate-board ticket
    unless ``code`` lists resources.

    Raises:
        ValueError: naming the resource that does not exist.
    """
    base = base or TicketLayout()
    names = [n.strip() for n in code.split(",") if n.strip()]
    if code in TICKET_WORDS:
        every = frozenset(range(accounts)) if code == "accounts" else frozenset()
        return dataclasses.replace(base, vault=code == "vault", accounts=every)
    known = {account_name(a): a for a in range(accounts)}
    for name in names:
        if name not in known and name not in (VAULT, RATES):
            raise ValueError(f"no resource {name!r} (known: {', '.join([*known, VAULT, RATES])})")
    if not names:
        raise ValueError("no resource named")
    return dataclasses.replace(
        base, vault=VAULT in names, rates=RATES in names,
        accounts=frozenset(known[n] for n in names if n in known),
    )


def ticket_text(ticket: str) -> str:
    """Return how a program line names a ticket."""
    if ticket == VAULT:
        return "vault ticket"
    if ticket == RATES:
        return "rate-board ticket"
    return f"ticket {ticket}"


# A day compiles a program for every customer it calls. The lines that do
# not depend on the amount are made once and shared by every program: nothing
# changes a step once compiled (only a CHECK's or CLOSED's jump target is set,
# on a step of its own, while its program is being built).
@functools.cache
def _take_step(ticket: str) -> Step:
    return Step(TAKE, f"take {ticket_text(ticket)}", ticket=ticket)


@functools.cache
def _give_step(ticket: str) -> Step:
    return Step(GIVE, f"return {ticket_text(ticket)}", ticket=ticket)


def _take(tickets: list[str]) -> list[Step]:
    return [_take_step(t) for t in tickets]


def _give(tickets: list[str]) -> list[Step]:
    return [_give_step(t) for t in reversed(tickets)]


@functools.cache
def _read(reg: str, account: int) -> Step:
    return Step(READ, f"{reg} = read {account_name(account)}", account=account, register=reg)


def _add(reg: str, amount: int) -> Step:
    sign = "+" if amount >= 0 else "-"
    return Step(ADD, f"{reg} = {reg} {sign} {dollars(abs(amount))}", register=reg, amount=amount)


@functools.cache
def _write(account: int, reg: str) -> Step:
    return Step(WRITE, f"write {account_name(account)} = {reg}", account=account, register=reg)


def _check(reg: str, amount: int) -> Step:
    return Step(CHECK, f"if {reg} < {dollars(amount)}: refuse", register=reg, amount=amount)


def compile_shared(customer: Customer, layout: TicketLayout, closed: frozenset[int], rates_slot: int) -> list[Step]:
    """Return the shared-state program for ``customer`` under ``layout``.

    Args:
        customer: the transaction to run.
        layout: where tickets are and how they are taken.
        closed: accounts that refuse money coming in.
        rates_slot: the ledger slot holding the rate board.
    """
    kind = customer.kind
    a = customer.account
    if kind == "quote":
        tickets = [RATES] if layout.rates else []
        return _take(tickets) + [Step(READ, "q = read rates", account=rates_slot, register="q")] + _give(tickets)
    if kind == "deposit":
        tickets = layout.tickets_for([a])
        return _take(tickets) + [_read("r", a), _add("r", customer.amount), _write(a, "r")] + _give(tickets)
    if kind == "withdraw":
        tickets = layout.tickets_for([a])
        if layout.scope == "write" and tickets:
            # The check runs outside the critical section: check, then act.
            checked = [_read("b", a), _check("b", customer.amount)]
            checked += _take(tickets) + [_read("r", a), _add("r", -customer.amount), _write(a, "r")] + _give(tickets)
            checked[1].target = len(checked)
            return checked
        inside = _take(tickets) + [_read("b", a), _check("b", customer.amount), _add("b", -customer.amount), _write(a, "b")]
        gives = _give(tickets)
        inside[len(tickets) + 1].target = len(inside)
        return inside + gives
    # transfer
    b = customer.to_account
    tickets = layout.tickets_for([a, b])
    move = [_add("a", -customer.amount), _write(a, "a"), _read("c", b), _add("c", customer.amount), _write(b, "c")]
    program = []
    if b in closed:
        program.append(Step(CLOSED, f"if {account_name(b)} closed: refuse", account=b))
    if layout.scope == "write" and tickets:
        program += [_read("a", a), _check("a", customer.amount)]
        check = program[-1]
        program += _take(tickets) + [_read("a", a)] + move + _give(tickets)
        check.target = len(program)
    else:
        program += _take(tickets) + [_read("a", a), _check("a", customer.amount)]
        check = program[-1]
        program += move
        check.target = len(program)  # refusing jumps to the returns below
        program += _give(tickets)
    if program[0].op == CLOSED:
        program[0].target = len(program)
    return program


def compile_message(customer: Customer, clerk_of: list[int]) -> list[Step]:
    """Return the message-passing program: copies sent to account owners."""
    kind = customer.kind
    a = customer.account
    amount = customer.amount

    def send(op: str, account: int) -> Step:
        clerk = clerk_of[account]
        return Step(
            SEND,
            f"send {{{op} {account_name(account)} {dollars(amount)}}} to {clerk_name(clerk)}",
            account=account,
            amount=amount,
            message=(op, account, amount),
        )

    if kind == "quote":
        return [Step(READ, "q = read rates (own copy)", account=-1, register="q")]
    if kind in ("deposit", "withdraw"):
        return [send(kind, a), Step(AWAIT, "wait for reply", target=2)]
    b = customer.to_account
    # 0 send debit · 1 wait · 2 send credit · 3 wait · 4 done · 5 send refund · 6 wait
    program = [
        send("debit", a), Step(AWAIT, "wait for reply"),
        send("credit", b), Step(AWAIT, "wait for reply"),
        Step(JUMP, "done"),
        send("refund", a), Step(AWAIT, "wait for reply"),
    ]
    end = len(program)
    program[1].target = end  # debit refused: nothing moved, finish
    program[3].target = 5  # credit refused: send the money back
    program[4].target = end
    return program


@dataclass(frozen=True, slots=True)
class DeskCode:
    """One desk's own program, run for every customer it calls (a day on the player's edited code)."""

    steps: tuple[Step, ...]
    change: int
    """Cents the transaction adds to the bank's money when it is not refused (what the closing audit expects)."""
    does: str
    """What the transaction should do, in a few characters (``A +$50``): the customer's words."""


@dataclass(frozen=True, slots=True)
class DayCode:
    """Every desk's own program, and the ledger they start on: a day where the code is the player's."""

    title: str
    """Where the code comes from (the fix-it's title)."""
    desks: tuple[DeskCode, ...]
    opening: tuple[int, ...]
    """Each account's opening balance, in cents."""
