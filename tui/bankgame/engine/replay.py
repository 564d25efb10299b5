"""Replays: the level, the seed and the player's stamped actions give the same day."""

from __future__ import annotations

import dataclasses

from .backend import Backend
from .branch import Branch, account_index
from .levels import DayConfig
from .names import account_name
from .programs import RATES, VAULT, TicketLayout


def parse_tickets(code: str, accounts: int, base: TicketLayout | None = None) -> TicketLayout:
    """Return the layout ``code`` names: ``none``, ``vault``, ``accounts`` or a list such as ``A,C,rates``.

    Scope and order are kept from ``base``.

    Raises:
        ValueError: naming the resource that does not exist.
    """
    base = base or TicketLayout()
    names = [n.strip() for n in code.split(",") if n.strip()]
    if names == ["none"]:
        names = []
    elif names == ["accounts"]:
        names = [account_name(a) for a in range(accounts)]
    chosen: set[int] = set()
    for name in names:
        if name in (VAULT, RATES):
            continue
        index = account_index(name) if name.isalpha() and name.isupper() and len(name) <= 2 else -1
        if not 0 <= index < accounts:
            known = ", ".join([account_name(a) for a in range(accounts)] + [VAULT, RATES])
            raise ValueError(f"no resource {name!r} (known: {known})")
        chosen.add(index)
    return dataclasses.replace(base, vault=VAULT in names, rates=RATES in names, accounts=frozenset(chosen))


def apply_action(branch: Branch, kind: str, argument: str) -> None:
    """Apply one recorded player action (an entry of ``Branch.actions``)."""
    if kind == "ticket_on":
        branch.place_ticket(argument)
    elif kind == "ticket_off":
        branch.remove_ticket(argument)
    elif kind == "scope":
        branch.set_scope(argument)
    elif kind == "order":
        branch.set_order(argument)
    elif kind == "mode":
        if (branch.pending_mode or branch.mode) != argument:
            branch.switch_mode()
    elif kind == "kill_clerk":
        branch.kill_clerk(int(argument))
    elif kind in ("desks", "clerks"):
        refused = (branch.set_desks if kind == "desks" else branch.set_clerks)(int(argument))
        if refused:
            raise ValueError(refused)
    elif kind == "tickets_at_once":
        branch.change_tickets_at_once(parse_tickets(argument, branch.day.accounts, branch.layout))
    else:
        raise ValueError(f"unknown action {kind!r}")


def replay(day: DayConfig, seed: int, actions: list[tuple[int, str, str]], backend: Backend | None = None) -> Branch:
    """Play the day again with the same actions at the same ticks; return the finished branch."""
    branch = Branch(day, seed=seed, backend=backend)
    pending = sorted(actions, key=lambda a: a[0])
    index = 0
    while not branch.over:
        while index < len(pending) and pending[index][0] <= branch.tick:
            _, kind, argument = pending[index]
            apply_action(branch, kind, argument)
            index += 1
        branch.step_tick()
    return branch
