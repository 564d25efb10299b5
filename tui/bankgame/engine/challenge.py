"""Break the Bank: the player is the scheduler.

Two cashiers, two tiny programs, and the player picks who takes the next
step. Each challenge has a verdict: a lost update caused (in how many steps,
against a par), a deadlock caused, or, for a correctly locked program, the
proof that it cannot be broken: every order of its steps is tried and every
one keeps both deposits.

Undo rebuilds the day from its seed and replays the picks: a day is
deterministic, so the replay lands in exactly the same state.

Usage::

    specs = load_challenges(load_level("break-the-bank"))
    run = ChallengeRun(specs[0])
    run.movable()          # [0, 1]: Ann and Ben can move
    run.next_line(0)       # "r = read A"
    run.pick(0); run.pick(1); run.undo()
    run.verdict()          # Verdict(won=..., over=..., steps=..., text=...)
    explore(specs[2])      # Exploration(orders=2, broken=0, ...): it cannot be broken
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from math import comb
from typing import Any, Callable

from .backend import Backend
from .branch import Branch, account_index
from .customers import Customer
from .levels import Level, LevelError, check_table, make_day
from .names import money
from .programs import TAKE

WINS = ("lost_update", "deadlock", "unbreakable")
KINDS = ("deposit", "withdraw", "transfer")
CHALLENGE_KEYS = {"id", "title", "text", "win", "tickets", "lock_order", "ticket_scope", "customers", "par", "opening_balance"}


@dataclass(frozen=True, slots=True)
class ChallengeSpec:
    """One challenge: the programs on the two desks and what winning means."""

    id: str
    title: str
    text: str
    win: str
    """``lost_update``, ``deadlock`` or ``unbreakable`` (win by failing to break it)."""
    customers: tuple[tuple[str, int, int, int], ...]
    """``(kind, account, amount in cents, to_account)`` for Ann, then Ben."""
    tickets: str = "none"
    lock_order: str = "any"
    ticket_scope: str = "check"
    par: int = 0
    """Fewest steps that do it (0: no par)."""
    opening_balance: int = 10_000
    seed: int = 10


@dataclass(frozen=True, slots=True)
class Verdict:
    """Where a challenge stands."""

    won: bool
    over: bool
    """The challenge is decided, or both programs have run to their end."""
    steps: int
    text: str
    under_par: bool = False
    """Won in ``par`` steps or fewer."""


@dataclass(frozen=True, slots=True)
class Exploration:
    """Every order of effective steps two programs can run in, tried."""

    orders: int
    """Distinct orders the scheduler can produce (a pick that only waits again is not a new step)."""
    broken: int
    """Orders that end with an integrity error or a deadlock."""
    line_interleavings: int
    """Ways to shuffle the two programs' lines, if nothing ever waited."""
    broken_example: tuple[int, ...] | None
    safe_example: tuple[int, ...] | None
    keeps: str = "keeps every deposit"
    """What every safe order does, in words."""

    def summary(self) -> str:
        """Return the verdict in one plain sentence."""
        if self.broken:
            return f"{self.broken} of the {self.orders} possible orders break this program."
        waited = ""
        if self.line_interleavings > self.orders:
            waited = (
                f" Of the {self.line_interleavings} ways to shuffle the lines, only {self.orders} can run:"
                " the tickets make every other order wait."
            )
        return (
            f"This program cannot be broken: every one of the {self.orders} possible orders "
            f"{self.keeps}.{waited}"
        )


def load_challenges(level: Level) -> list[ChallengeSpec]:
    """Return the challenges of ``level`` (its ``[[challenges]]`` tables), checked.

    Raises:
        LevelError: a challenge table is not valid (names the key and the reason).
    """
    name = f"level {level.id}"
    tables = level.extra.get("challenges", [])
    if not isinstance(tables, list):
        raise LevelError(name, "challenges", "must be an array of tables ([[challenges]])")
    specs = [_spec(table, name, i, level.seed) for i, table in enumerate(tables)]
    ids = [spec.id for spec in specs]
    if len(set(ids)) != len(ids):
        raise LevelError(name, "challenges", "two challenges share an id")
    return specs


def _spec(table: Any, name: str, index: int, seed: int) -> ChallengeSpec:
    where = f"challenges[{index}]"
    check_table(table, name, where, CHALLENGE_KEYS)
    for key in ("id", "text", "win", "customers"):
        if key not in table:
            raise LevelError(name, f"{where}.{key}", "missing")
    if table["win"] not in WINS:
        raise LevelError(name, f"{where}.win", f"must be one of {', '.join(WINS)}")
    customers = table["customers"]
    if not isinstance(customers, list) or len(customers) != 2:
        raise LevelError(name, f"{where}.customers", "must list two customers, one for each cashier")
    parsed = tuple(_customer(c, name, f"{where}.customers[{i}]") for i, c in enumerate(customers))
    spec = ChallengeSpec(
        id=str(table["id"]), title=str(table.get("title", table["id"])), text=str(table["text"]),
        win=table["win"], customers=parsed, tickets=table.get("tickets", "none"),
        lock_order=table.get("lock_order", "any"), ticket_scope=table.get("ticket_scope", "check"),
        par=table.get("par", 0), opening_balance=table.get("opening_balance", 10_000), seed=seed,
    )
    if not isinstance(spec.par, int) or spec.par < 0:
        raise LevelError(name, f"{where}.par", "must be a whole number, 0 or more")
    _day(spec, name, where)  # checks tickets, order, scope, balance
    return spec


def _customer(data: Any, name: str, where: str) -> tuple[str, int, int, int]:
    if not isinstance(data, dict):
        raise LevelError(name, where, "must be a table like {kind = \"deposit\", account = \"A\", amount = 50}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise LevelError(name, f"{where}.kind", f"must be one of {', '.join(KINDS)}")
    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise LevelError(name, f"{where}.amount", "must be a whole number of dollars above 0")
    accounts = []
    for key in ("account", "to") if kind == "transfer" else ("account",):
        value = data.get(key)
        if not isinstance(value, str) or not value.isalpha() or not value.isupper() or len(value) > 2:
            raise LevelError(name, f"{where}.{key}", "must be an account letter such as \"A\"")
        accounts.append(account_index(value))
    if kind == "transfer" and accounts[0] == accounts[1]:
        raise LevelError(name, f"{where}.to", "a transfer needs two different accounts")
    return kind, accounts[0], amount * 100, accounts[1] if kind == "transfer" else -1


def _day(spec: ChallengeSpec, name: str = "challenge", where: str = "challenge") -> Any:
    accounts = 1 + max(max(c[1], c[3]) for c in spec.customers)
    return make_day(
        {
            "cashiers": 2, "accounts": accounts, "customers": 2, "tickets": spec.tickets,
            "lock_order": spec.lock_order, "ticket_scope": spec.ticket_scope, "arrival_gap": 0,
            "opening_balance": spec.opening_balance, "scheduler": "player", "mode": "shared",
            "max_ticks": 10_000,
        },
        name, prefix=f"{where}.",
    )


def open_challenge(spec: ChallengeSpec, backend: Backend | None = None) -> Branch:
    """Return a fresh branch with Ann and Ben at their desks, nobody moved yet.

    Args:
        spec: the challenge.
        backend: executes the steps (the game hands in real processes); the
            in-process backend by default.
    """
    branch = Branch(_day(spec), seed=spec.seed, backend=backend)
    # The two customers are the challenge's, not the seeded generator's.
    branch.customers = [
        Customer(i, 0, kind, account, amount, to, patience=10**6)
        for i, (kind, account, amount, to) in enumerate(spec.customers)
    ]
    branch.step_tick(order=[])  # both customers walk to the desks; no step is taken
    return branch


class ChallengeRun:
    """One attempt at a challenge: the player's picks, with undo."""

    def __init__(self, spec: ChallengeSpec, backends: Callable[[], Backend] | None = None) -> None:
        """Args:
            spec: the challenge.
            backends: makes a backend for each replay (an undo replays from the
                start on a fresh one); the in-process backend by default.
        """
        self.spec = spec
        self.picks: list[int] = []
        self.backends = backends
        self.branch = open_challenge(spec, self._backend())

    def _backend(self) -> Backend | None:
        return self.backends() if self.backends is not None else None

    def close(self) -> None:
        """Release the branch's backend (its worker processes)."""
        self.branch.close()

    def movable(self) -> list[int]:
        """Return the desks the player can pick now (an empty list once it is over)."""
        if self._decided() or self.branch.over:
            return []
        return [desk.index for desk in self.branch.desks if desk.busy]

    def next_line(self, actor: int) -> str:
        """Return the line desk ``actor`` runs if picked (``""`` when it has none)."""
        desk = self.branch.desks[actor]
        return desk.program[desk.pc].text if desk.busy else ""

    def pick(self, actor: int) -> None:
        """Let desk ``actor`` take its next step.

        Raises:
            ValueError: that desk cannot move now.
        """
        if actor not in self.movable():
            raise ValueError(f"{self.branch.actor_name(actor) if 0 <= actor < 2 else actor} cannot move now")
        self.picks.append(actor)
        self.branch.step_tick(order=[actor])

    def undo(self) -> bool:
        """Take back the last pick; return whether there was one."""
        if not self.picks:
            return False
        self.picks.pop()
        self._replay()
        return True

    def reset(self) -> None:
        """Start the challenge again."""
        self.picks.clear()
        self._replay()

    def _replay(self) -> None:
        self.branch.close()
        self.branch = replay(self.spec, self.picks, self._backend())

    def _decided(self) -> bool:
        if self.spec.win == "lost_update":
            return any(e.kind == "lost_update" for e in self.branch.errors)
        if self.spec.win == "deadlock":
            return bool(self.branch.deadlocks)
        return False

    def verdict(self) -> Verdict:
        """Return whether the challenge is won, and what to tell the player."""
        return judge(self.spec, self.branch, len(self.picks))


def replay(spec: ChallengeSpec, picks: list[int] | tuple[int, ...], backend: Backend | None = None) -> Branch:
    """Return the branch after ``picks`` from the start of ``spec``."""
    branch = open_challenge(spec, backend)
    for actor in picks:
        branch.step_tick(order=[actor])
    return branch


def judge(spec: ChallengeSpec, branch: Branch, steps: int) -> Verdict:
    """Return the verdict of ``spec`` on ``branch`` after ``steps`` picks."""
    names = " and ".join(d.name for d in branch.desks)
    par = f" (par {spec.par})" if spec.par else ""
    if spec.win == "lost_update":
        lost = next((e for e in branch.errors if e.kind == "lost_update"), None)
        if lost is not None:
            return Verdict(True, True, steps, f"Lost update in {_steps(steps)}{par}. {lost.explanation}",
                           under_par=bool(spec.par) and steps <= spec.par)
        if branch.over:
            return Verdict(False, True, steps, "Both deposits arrived: each cashier read after the other had "
                           "written. Undo (u) and let both read before either writes.")
        return Verdict(False, False, steps, f"{_steps(steps)}, no deposit lost yet. Pick who moves next.")
    if spec.win == "deadlock":
        if branch.deadlocks:
            return Verdict(True, True, steps, f"Deadlock in {_steps(steps)}{par}: {branch.deadlocks[0].describe()}.",
                           under_par=bool(spec.par) and steps <= spec.par)
        if branch.over:
            return Verdict(False, True, steps, "Both transfers finished. Undo (u) and let each cashier take its "
                           "first ticket before either takes its second.")
        return Verdict(False, False, steps, f"{_steps(steps)}, {names} still going. Pick who moves next.")
    # unbreakable: the player wins by running it to the end, and cannot break it.
    if branch.errors:  # would mean the locking is wrong: say so rather than hide it
        return Verdict(False, True, steps, f"Broken: {branch.errors[0].explanation}")
    if branch.over:
        # What the closing audit counted in the ledger (it matched, or branch.errors would say so).
        return Verdict(True, True, steps, f"Both deposits kept: the vault holds {money(branch.audit_actual or 0)}. "
                       + explore(spec).summary())
    return Verdict(False, False, steps, f"{_steps(steps)} and nothing lost. Keep trying: pick who moves next.")


def _steps(n: int) -> str:
    return "1 step" if n == 1 else f"{n} steps"


def explore(spec: ChallengeSpec, limit: int = 100_000) -> Exploration:
    """Try every order of steps; count the orders and those that break.

    Only steps that run a line count: a cashier whose next line takes a
    ticket someone else holds cannot run it, so picking it is not a new
    order. Both cashiers in that state is a deadlock. An order ends when
    both programs have run, or at its first integrity error or deadlock.

    Raises:
        RuntimeError: more than ``limit`` orders (the programs are too big).
    """
    start = open_challenge(spec)
    lengths = [len(d.program) for d in start.desks]
    orders = broken = 0
    broken_example: tuple[int, ...] | None = None
    safe_example: tuple[int, ...] | None = None
    stack: list[tuple[int, ...]] = [()]
    while stack:
        picks = stack.pop()
        branch = replay(spec, picks)
        children = [] if branch.errors or branch.deadlocks or branch.over else _runnable(branch)
        if children:
            stack.extend(picks + (actor,) for actor in reversed(children))
            continue
        orders += 1
        if orders > limit:
            raise RuntimeError(f"more than {limit} orders")
        if branch.over and not branch.errors:
            safe_example = safe_example or picks
        else:  # an integrity error, or stuck: every busy cashier waits for a ticket
            broken += 1
            broken_example = broken_example or picks
    return Exploration(
        orders=orders, broken=broken, line_interleavings=comb(sum(lengths), lengths[0]),
        broken_example=broken_example, safe_example=safe_example,
        keeps="finishes both transfers, with no deadlock and no money lost"
        if any(c[0] == "transfer" for c in spec.customers) else "keeps every deposit",
    )


def _runnable(branch: Branch) -> list[int]:
    """Return the busy desks whose next line can run (not a ticket someone else holds)."""
    actors = []
    for desk in branch.desks:
        if not desk.busy:
            continue
        step = desk.program[desk.pc]
        if step.op == TAKE and branch.ticket_holder.get(step.ticket, -1) not in (-1, desk.index):
            continue
        actors.append(desk.index)
    return actors


def level_stars(won: set[str] | list[str], specs: list[ChallengeSpec]) -> int:
    """Return Break the Bank's stars: one per challenge won (at most three)."""
    return min(3, sum(1 for spec in specs if spec.id in set(won)))


def describe_order(spec: ChallengeSpec, picks: tuple[int, ...] | list[int]) -> list[str]:
    """Return an order of picks as the lines run: ``Ann: r = read A``."""
    branch = open_challenge(spec)
    lines = []
    for actor in picks:
        desk = branch.desks[actor]
        lines.append(f"{desk.name}: {desk.program[desk.pc].text if desk.busy else '(idle)'}")
        branch.step_tick(order=[actor])
    return lines


def with_changes(spec: ChallengeSpec, **changes: Any) -> ChallengeSpec:
    """Return ``spec`` with ``changes`` (e.g. the same deposits without tickets)."""
    return dataclasses.replace(spec, **changes)


__all__ = [
    "ChallengeRun", "ChallengeSpec", "Exploration", "Verdict", "describe_order", "explore",
    "judge", "level_stars", "load_challenges", "open_challenge", "replay", "with_changes",
]
