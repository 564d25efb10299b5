"""Every combination of the player's settings on a level, and which earn three stars.

A setting is what the player can choose on a level: the mode (where both are
offered), the tickets (the whole vault, any subset of the accounts, the rate
board), the ticket scope, the lock order, the open desks and the clerks
(where the level lets them change), and killing a clerk (in message mode, on
a level whose goals ask for a recovered clerk: elsewhere a kill is a fault the
player injects to watch, not a way to play the level, and the clerk really is
down for a while; ``fault_settings_of`` gives those).
Each combination is played from the opening (tick 0, the same as choosing it
on the briefing) on the in-process backend.

Two combinations that compile every customer's program to the same lines
(and open the same desks, hire the same clerks) play the same day: the
engine is deterministic. They are played once and the result shared, which
keeps the whole table a few seconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bankgame.engine import Branch, Level, load_level, make_day, make_report
from bankgame.engine.names import account_name
from bankgame.engine.programs import TicketLayout, compile_shared
from bankgame.engine.replay import play_actions

KILL_TICK = 20
"""When a combination that kills a clerk kills clerk 0."""


@dataclass(frozen=True, slots=True)
class Setting:
    """One combination of the player's choices."""

    mode: str = "shared"
    vault: bool = False
    accounts: frozenset[int] = frozenset()
    rates: bool = False
    scope: str = "check"
    order: str = "any"
    desks: int = 0
    clerks: int = 0
    kill: bool = False

    @property
    def tickets(self) -> str:
        """The tickets as ``--tickets`` takes them."""
        names = (["vault"] if self.vault else []) + [account_name(a) for a in sorted(self.accounts)]
        return ",".join(names + (["rates"] if self.rates else [])) or "none"

    def text(self) -> str:
        """The combination in one short line."""
        parts = [self.mode]
        if self.mode == "shared":
            parts += [f"tickets {self.tickets}", f"scope {self.scope}", f"order {self.order}"]
        if self.desks:
            parts.append(f"desks {self.desks}")
        if self.clerks:
            parts.append(f"clerks {self.clerks}")
        if self.kill:
            parts.append("kill a clerk")
        return " · ".join(parts)


def kill_is_played(level: Level) -> bool:
    """Whether killing a clerk is part of playing ``level``: its goals ask for a recovery."""
    return any(goal.metric == "recovered_clerks" for goal in level.goals)


def fault_settings_of(level: Level) -> Iterator[Setting]:
    """Yield every message-mode combination of ``level`` with a clerk killed."""
    yield from settings_of(level, kills=(True,))


def settings_of(level: Level, kills: tuple[bool, ...] | None = None) -> Iterator[Setting]:
    """Yield every combination of the settings ``level`` offers the player."""
    if kills is None:
        kills = (False, True) if kill_is_played(level) else (False,)
    day = level.day
    modes = [m for m, ok in (("shared", day.shared_available), ("message", day.message_available)) if ok]
    desk_choices = range(1, day.cashiers + 1) if day.open_desks else [0]
    for mode, desks in itertools.product(modes, desk_choices):
        if mode == "shared" and False in kills:
            subsets = [frozenset(c) for n in range(day.accounts + 1) for c in itertools.combinations(range(day.accounts), n)]
            for vault, accounts, rates, scope, order in itertools.product(
                (False, True), subsets, (False, True), ("write", "check"), ("any", "account"),
            ):
                yield Setting("shared", vault, accounts, rates, scope, order, desks)
        elif mode == "message":
            clerk_choices = range(1, min(day.max_clerks, day.accounts) + 1) if day.max_clerks else [0]
            for clerks, kill in itertools.product(clerk_choices, kills):
                yield Setting("message", desks=desks, clerks=clerks, kill=kill)


def play_setting(level: Level, setting: Setting, seed: int):
    """Play ``level`` on ``seed`` with ``setting`` from the opening; return the report."""
    options: dict[str, object] = {"mode": setting.mode}
    if setting.mode == "shared":
        options.update(tickets=setting.tickets, rate_ticket=setting.rates, ticket_scope=setting.scope, lock_order=setting.order)
    if setting.desks:
        options["open_desks"] = setting.desks
    if setting.clerks:
        options["clerks"] = setting.clerks
    day = make_day(options, base=level.day)
    branch = Branch(day, seed=seed)
    actions = [(KILL_TICK, "kill_clerk", "0")] if setting.kill else []
    play_actions(branch, actions)
    return make_report(branch, level.id, level.goals)


def same_day_key(level: Level, setting: Setting, seed: int, customers: dict[int, list]) -> tuple:
    """Return what decides the day: equal keys, equal days.

    A program is its transaction's (kind, accounts, amount), whoever brings
    it: each of the day's transactions is compiled once, however many
    customers bring it (the day's order of customers is the same for every
    setting, so equal programs for every transaction are equal programs for
    every customer).
    """
    if setting.mode != "shared":
        return (seed, setting)
    if seed not in customers:
        transactions = {(c.kind, c.account, c.to_account, c.amount): c for c in Branch(level.day, seed=seed).customers}
        customers[seed] = list(transactions.values())
    layout = TicketLayout(vault=setting.vault, accounts=setting.accounts, rates=setting.rates,
                          scope=setting.scope, order=setting.order)
    closed = frozenset(level.day.closed)
    programs = tuple(
        tuple(step.text for step in compile_shared(c, layout, closed, level.day.accounts)) for c in customers[seed]
    )
    return (seed, setting.desks, programs)


def three_star_table(level_id: str, seeds: list[int], faults: bool = False) -> dict[Setting, dict[int, int]]:
    """Return, for every setting of ``level_id`` (or, with ``faults``, every one with a clerk killed), its stars on each seed."""
    level = load_level(level_id)
    cache: dict[tuple, int] = {}
    customers: dict[int, list] = {}
    table: dict[Setting, dict[int, int]] = {}
    for setting in (fault_settings_of(level) if faults else settings_of(level)):
        row = table.setdefault(setting, {})
        for seed in seeds:
            key = same_day_key(level, setting, seed, customers)
            if key not in cache:
                cache[key] = play_setting(level, setting, seed).stars
            row[seed] = cache[key]
    return table


def describe(settings: list[Setting]) -> list[str]:
    """Return ``settings`` in a few lines: one per mode, tickets, desks, clerks and kill, with the scopes and orders that fit."""
    groups: dict[tuple, tuple[set[str], set[str]]] = {}
    for s in settings:
        scopes, orders = groups.setdefault((s.mode, s.tickets, s.desks, s.clerks, s.kill), (set(), set()))
        scopes.add(s.scope)
        orders.add(s.order)
    lines = []
    for (mode, tickets, desks, clerks, kill), (scopes, orders) in sorted(groups.items()):
        parts = [mode]
        if mode == "shared":
            parts += [f"tickets {tickets}", "scope " + "|".join(sorted(scopes)), "order " + "|".join(sorted(orders))]
        parts += [f"desks {desks}"] * bool(desks) + [f"clerks {clerks}"] * bool(clerks) + ["kill a clerk"] * kill
        lines.append(" · ".join(parts))
    return lines


Predicate = Callable[[Setting], bool]
