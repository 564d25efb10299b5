"""Integrity checks of the puzzle machine, each caught at the moment it happens.

- ``lost_update``: a write based on a stale read wipes out another desk's write;
- ``overdraft``: an account written below zero;
- ``counted_twice``: a clerk applies a message it has applied already;
- ``audit``: when every desk has finished, an account does not hold what the
  transactions that went through say it should.

A register remembers where its value came from: ``(value, account read,
value read, stale, message seq, message kind)``; a write to an account makes
every other register read from it stale.
"""

from __future__ import annotations

from typing import NamedTuple

from .names import money

Register = tuple[int, int, int, bool, int, str]
"""``(value, account read or -1, value read, stale, message seq or -1, message kind)``."""

KINDS = {
    "lost_update": "lost update",
    "overdraft": "overdraft",
    "counted_twice": "deposit counted twice",
    "audit": "money created or lost",
    "not_held": "a ticket given back that was not held",
}


class Broken(NamedTuple):
    """An integrity error: its kind and what happened, in words."""

    kind: str
    account: str
    text: str


def check_write(desk: str, account: str, register: Register, before: int, value: int, last_writer: str) -> Broken | None:
    """Return the error a write of ``value`` over ``before`` makes, if any.

    Args:
        desk: who writes.
        account: the account written.
        register: the register written from (its source tells a stale read).
        before: what the account holds now.
        value: what is written.
        last_writer: who wrote the account last (``""``: nobody).
    """
    _, source, read, stale, _, _ = register
    if stale and source >= 0:
        expected = before + (value - read)
        if expected != value:
            lost = expected - value
            who = last_writer or "another desk"
            return Broken(
                "lost_update", account,
                f"{desk} read {account} = {money(read)}; {who} wrote {money(before)} since; {desk} wrote "
                f"{money(value)} over it: {money(abs(lost))} {'lost' if lost > 0 else 'created'}",
            )
    if value < 0:
        return Broken("overdraft", account, f"{desk} wrote {account} = {money(value)}: the balance went below zero")
    return None


def check_apply(desk: str, account: str, seq: int, applied: frozenset[int], amount: int) -> Broken | None:
    """Return the error of applying message ``seq`` again, if it was applied before."""
    if seq in applied:
        return Broken(
            "counted_twice", account,
            f"{desk} applied message #{seq + 1} ({money(amount)}) to {account} a second time: it was delivered "
            "again after the restart and nothing said it was a repeat",
        )
    return None


def check_give(desk: str, ticket: str, holders: tuple[str, ...]) -> Broken:
    """The error of ``desk`` giving back ``ticket`` while not holding it (``holders`` hold it)."""
    held = f"{' and '.join(holders)} {'holds' if len(holders) == 1 else 'hold'} it" if holders else "nobody holds it"
    # Python's Lock has no owner: release() frees it for whoever holds it, and an unlocked one raises.
    happens = ("in Python that release() frees it under them, and a third desk can come in" if holders
               else "in Python that release() raises an error")
    return Broken("not_held", ticket, f"{desk} gave back {ticket} without holding it: {held}, and {happens}")


def audit(accounts: tuple[str, ...], ledger: tuple[int, ...], expected: tuple[int, ...]) -> Broken | None:
    """Return the closing audit's error: the first account that does not hold what it should."""
    for name, actual, should in zip(accounts, ledger, expected):
        if actual != should:
            gap = actual - should
            return Broken("audit", name, f"closing audit: {name} holds {money(actual)} but the transactions say "
                          f"{money(should)} ({money(gap, sign=True)})")
    return None
