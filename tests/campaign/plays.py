"""The player's plays for each level: what they do, at which tick, and the stars it earns.

Each play is a list of ``(tick, action, argument)``: the Branch methods a
player's keys call (``place_ticket``, ``remove_ticket``, ``set_scope``,
``set_order``, ``switch_mode``, ``kill_clerk``). Tick 0 means before the
first customer is called, the same as choosing it on the briefing.
"""

from __future__ import annotations

from typing import Any

from bankgame.day import open_day
from bankgame.engine import Report, make_report

Action = tuple[int, str, Any]

EVERY_ACCOUNT = "every-account"
NO_TICKETS = "no-tickets"

# level id → [(stars, what the player did, actions)]
# "watch, then fix": the fix is asked for within the level's watch phase, after
# the problem has shown; the goals are judged from the moment it is in force,
# and the line the watch phase built is sent home then.
PLAYS: dict[str, list[tuple[int, str, list[Action]]]] = {
    "opening-day": [
        (3, "one cashier, nothing to do", []),
        (1, "tickets on every account: safe, but the line grows", [(0, "place_ticket", EVERY_ACCOUNT)]),
        (3, "watch, try tickets, then take them off again", [(5, "place_ticket", EVERY_ACCOUNT), (30, "remove_ticket", EVERY_ACCOUNT)]),
    ],
    "rush-hour": [
        (0, "no tickets: lost updates", []),
        (0, "a ticket on A only: B loses updates", [(0, "place_ticket", "A")]),
        (3, "a ticket on A and on B", [(0, "place_ticket", EVERY_ACCOUNT)]),
        (3, "watch, then a ticket on A and on B", [(30, "place_ticket", EVERY_ACCOUNT)]),
        (2, "the vault ticket: correct, but slow", [(0, "place_ticket", "vault")]),
    ],
    "vault": [
        (1, "the vault ticket: correct, but customers leave", []),
        (0, "no tickets at all: lost updates", [(0, "remove_ticket", "vault")]),
        (3, "a ticket per account instead of the vault's",
         [(0, "remove_ticket", "vault"), (0, "place_ticket", EVERY_ACCOUNT)]),
        (3, "watch, then a ticket per account instead of the vault's",
         [(40, "place_ticket", EVERY_ACCOUNT), (45, "remove_ticket", "vault")]),
    ],
    "check-then-withdraw": [
        (1, "tickets around the write only: overdrafts", []),
        (0, "no tickets: lost updates", [(0, "remove_ticket", NO_TICKETS)]),
        (2, "one vault ticket around check and write: correct, but slow",
         [(0, "place_ticket", "vault"), (0, "set_scope", "check")]),
        (3, "the ticket covers the check and the write", [(0, "set_scope", "check")]),
        (3, "watch, then the ticket covers the check and the write", [(40, "set_scope", "check")]),
    ],
    "transfer-desk": [
        (1, "tickets taken in any order: deadlocks", []),
        (0, "no tickets: lost updates", [(0, "remove_ticket", NO_TICKETS)]),
        (3, "tickets taken in account order, held around the write only",
         [(0, "set_order", "account"), (0, "set_scope", "write")]),
        (3, "tickets taken in account order", [(0, "set_order", "account")]),
        (3, "watch, then tickets taken in account order", [(60, "set_order", "account")]),
        (2, "the vault ticket: no deadlock, but every transfer waits for every other",
         [(0, "remove_ticket", NO_TICKETS), (0, "place_ticket", "vault")]),
    ],
    "rate-board": [
        (2, "a ticket on the rate board: customers queue to read", []),
        (0, "every ticket removed: deposits lose updates", [(0, "remove_ticket", "rates"), (0, "remove_ticket", NO_TICKETS)]),
        (3, "the rate board's ticket removed, the accounts' kept", [(0, "remove_ticket", "rates")]),
        (3, "watch, then the rate board's ticket removed", [(30, "remove_ticket", "rates")]),
    ],
    "back-office": [
        (2, "message mode, nothing broken", []),
        (1, "back to shared state, without tickets: lost updates", [(0, "switch_mode", None)]),
        (3, "a clerk killed mid-day: restarted, the audit exact", [(20, "kill_clerk", None)]),
        (3, "every clerk killed, one after the other",
         [(10, "kill_clerk", 0), (25, "kill_clerk", 1), (40, "kill_clerk", 0)]),
    ],
    "hot-account": [
        (1, "a ticket on every account: safe, but the line for A reaches the door", []),
        (0, "the tickets removed: lost updates on A", [(0, "remove_ticket", NO_TICKETS)]),
        (1, "message mode with one clerk: its mailbox is the bottleneck", [(0, "switch_mode", None)]),
        (3, "message mode with two clerks", [(0, "switch_mode", None), (0, "set_clerks", 2)]),
        (2, "message mode, and a clerk per account: the line is short, but clerks wait for mail",
         [(0, "switch_mode", None), (0, "set_clerks", 4)]),
        (3, "watch, then message mode with two clerks", [(30, "set_clerks", 2), (30, "switch_mode", None)]),
        (3, "message mode, then watch the mailbox, then another clerk",
         [(5, "switch_mode", None), (40, "set_clerks", 2)]),
        (2, "message mode, then three clerks: one more than the mail needs",
         [(5, "switch_mode", None), (40, "set_clerks", 3)]),
    ],
    "second-branch": [
        (1, "two desks: each waits for replies from across town", []),
        (1, "three desks: nobody leaves, but the line is slow", [(0, "set_desks", 3)]),
        (3, "four desks: enough requests in flight", [(0, "set_desks", 4)]),
        (2, "six desks: a short line, but desks stand idle", [(0, "set_desks", 6)]),
        (3, "watch, then four desks", [(30, "set_desks", 4)]),
        (3, "four desks, and a clerk across town killed and restarted", [(0, "set_desks", 4), (30, "kill_clerk", 1)]),
    ],
}


SEEDS = (None, 11, 12, 13, 14, 15)
"""The level's own seed, then others: a lesson must not depend on luck."""


def apply(branch: Any, action: str, argument: Any) -> Any:
    """Do one player action on ``branch``."""
    from bankgame.engine import account_name

    if argument in (EVERY_ACCOUNT, NO_TICKETS):
        method = getattr(branch, action)
        if argument == NO_TICKETS:
            branch.remove_ticket("vault")
        for index in range(branch.day.accounts):
            method(account_name(index))
        return None
    method = getattr(branch, action)
    return method() if argument is None else method(argument)


def play(level_id: str, seed: int | None, actions: list[Action]) -> Report:
    """Play a day headless with the player's ``actions``; return its report."""
    level, branch = open_day(level_id, seed)
    pending = sorted(actions, key=lambda a: a[0])
    with branch:
        while not branch.over:
            while pending and pending[0][0] <= branch.tick:
                _, action, argument = pending.pop(0)
                apply(branch, action, argument)
            branch.step_tick()
        return make_report(branch, level.id, level.goals)
