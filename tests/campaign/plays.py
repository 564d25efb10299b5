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
PLAYS: dict[str, list[tuple[int, str, list[Action]]]] = {
    "opening-day": [
        (3, "one cashier, nothing to do", []),
        (3, "tickets on every account (safe, only slower)", [(0, "place_ticket", EVERY_ACCOUNT)]),
    ],
    "rush-hour": [
        (1, "no tickets: lost updates", []),
        (1, "a ticket on A, but only after the first lost updates", [(12, "place_ticket", "A")]),
        (3, "a ticket on A", [(0, "place_ticket", "A")]),
        (3, "a ticket on every account", [(0, "place_ticket", EVERY_ACCOUNT)]),
    ],
    "vault": [
        (1, "the vault ticket: correct, but customers leave", []),
        (0, "no tickets at all: lost updates", [(0, "remove_ticket", "vault")]),
        (3, "a ticket per account instead of the vault's",
         [(0, "remove_ticket", "vault"), (0, "place_ticket", EVERY_ACCOUNT)]),
    ],
    "check-then-withdraw": [
        (2, "tickets around the write only: overdrafts", []),
        (0, "no tickets: lost updates", [(0, "remove_ticket", NO_TICKETS)]),
        (2, "one vault ticket, still around the write only: overdrafts",
         [(0, "place_ticket", "vault")]),
        (3, "the ticket covers the check and the write", [(0, "set_scope", "check")]),
    ],
    "transfer-desk": [
        (1, "tickets taken in any order: deadlocks", []),
        (0, "no tickets: lost updates", [(0, "remove_ticket", NO_TICKETS)]),
        (3, "tickets taken in account order", [(0, "set_order", "account")]),
    ],
    "rate-board": [
        (1, "a ticket on the rate board: customers queue to read", []),
        (0, "every ticket removed: deposits lose updates", [(0, "remove_ticket", "rates"), (0, "remove_ticket", NO_TICKETS)]),
        (3, "the rate board's ticket removed, the accounts' kept", [(0, "remove_ticket", "rates")]),
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
        (3, "message mode: A's owner handles one message per tick", [(0, "switch_mode", None)]),
    ],
    "second-branch": [
        (3, "messages across town", []),
        (3, "a clerk across town killed and restarted", [(30, "kill_clerk", 1)]),
    ],
}

SEEDS = (None, 11, 12, 13, 14, 15, 16, 17)
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
