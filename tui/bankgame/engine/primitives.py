"""Concurrency primitives as data, and the lines of code that use them.

A puzzle (or, next, a day at the branch) describes its primitives once:

- a **lock** has a ``name`` and ``permits``: one permit is a ticket (a
  mutex), more is a semaphore ("the vault has two keys"); its holders are a
  set of desks;
- a **condition** ("funds") belongs to a lock: a desk holding the lock waits
  on it (giving the lock back while it sleeps) until another desk notifies;
- a **mailbox** receives copied messages; a receive blocks while it is empty.

Programs are lines of text, exactly as a desk shows them; ``parse_program``
turns each line into an ``Instr`` whose operands are indices into those
tables. The opcodes the branch already runs keep their numbers
(``bankgame.engine.programs``); the new primitives follow.

Lines (``X`` a lock, ``V`` an account or ``rates``, ``r``/``m`` registers)::

    take X                      return X
    try X, else give back Y and retry         (the polite cashier)
    r = read V                  write V = r
    r = r + $50                 r = r - $30            r = r + m
    if r < $60: refuse          (jumps to the next ``return``, or the end)
    if V closed: refuse
    if r < $50: wait for funds  while r < $50: wait for funds
    notify everyone waiting for funds
    send $50 to Bob             send credit m to Ada   m = receive from Bob
    if m is credit: go to 6     if m was applied: go to 4
    V = V + m                   (a clerk applies a deposit it received)
    ack m                       restart Bob            go to 1

and the branch's message mode (a request names its account; the clerk who
owns it checks and acts in one go, and answers into ``Ann replies``)::

    send {withdraw A $30} to Bob                         wait for reply
    serve a request from Bob
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from .names import account_name
from .programs import ADD, CHECK, CLOSED, GIVE, JUMP, READ, SEND, TAKE, VAULT, WRITE

__all__ = [
    "ACK", "ADD", "ADD_REG", "APPLY", "CHECK", "CLOSED", "GIVE", "IS_KIND", "JUMP", "LOCAL_OPS", "NOTIFY",
    "OP_NAMES", "PROGRESS_OPS", "RATES", "READ", "RECEIVE", "REPLY", "REQUEST", "RESTART", "SEEN", "SEND", "SERVE",
    "TAKE", "TRY", "WAIT",
    "WRITE", "ConditionSpec", "Holders", "Instr", "LockSpec", "ProgramError", "Tables", "branch_tickets",
    "cents", "parse_program",
]

# New opcodes, after the branch's (programs.py uses 0..9).
TRY = 10
ADD_REG = 11
WAIT = 12
NOTIFY = 13
RECEIVE = 14
IS_KIND = 15
SEEN = 16
APPLY = 17
ACK = 18
RESTART = 19
# The branch's message mode, as the back office runs it (``day_check``).
REQUEST = 20
REPLY = 21
SERVE = 22

OP_NAMES = {
    TAKE: "take", GIVE: "return", READ: "read", ADD: "add", CHECK: "check", WRITE: "write", SEND: "send",
    CLOSED: "closed", JUMP: "go to", TRY: "try", ADD_REG: "add", WAIT: "wait", NOTIFY: "notify",
    RECEIVE: "receive", IS_KIND: "is", SEEN: "applied?", APPLY: "apply", ACK: "ack", RESTART: "restart",
    REQUEST: "request", REPLY: "wait for reply", SERVE: "serve",
}

LOCAL_OPS = frozenset({ADD, ADD_REG, CHECK, CLOSED, JUMP, IS_KIND})
"""Steps that touch only the desk's own registers and line: independent of every other desk's step."""

PROGRESS_OPS = frozenset({WRITE, APPLY, SERVE})
"""Steps that change the ledger: a cycle of states without one makes no progress."""

RATES = "rates"


@dataclass(frozen=True, slots=True)
class LockSpec:
    """A lock described once: its name and how many may hold it at a time."""

    name: str
    permits: int = 1

    @property
    def semaphore(self) -> bool:
        """More than one permit: a semaphore."""
        return self.permits > 1


def branch_tickets(accounts: int) -> tuple[LockSpec, ...]:
    """Return the branch's tickets, described once: the vault, one per account, the rate board.

    Every backend builds its locks from this table and the engine names them
    by it; the index of a ticket in it is its number everywhere.
    """
    return (LockSpec(VAULT), *(LockSpec(account_name(a)) for a in range(accounts)), LockSpec(RATES))


class Holders:
    """Who holds each lock: the one record of it, a set of desks per lock.

    A lock has room for ``permits`` holders (one for a ticket, more for a
    semaphore); a desk holding a lock does not take it again (not re-entrant).

    Args:
        locks: the locks, in index order.
    """

    __slots__ = ("locks", "number", "sets")

    def __init__(self, locks: tuple[LockSpec, ...]) -> None:
        self.locks = locks
        self.number = {lock.name: i for i, lock in enumerate(locks)}
        """Lock name → its index."""
        self.sets: list[set[int]] = [set() for _ in locks]

    def has_room(self, lock: int, desk: int) -> bool:
        """Whether ``desk`` could take ``lock`` now."""
        holders = self.sets[lock]
        return desk not in holders and len(holders) < self.locks[lock].permits

    def take(self, lock: int, desk: int) -> None:
        """Record that ``desk`` took ``lock``.

        Raises:
            RuntimeError: there was no room (a backend and this record disagree).
        """
        if not self.has_room(lock, desk):
            raise RuntimeError(f"{self.locks[lock].name} has no room for desk {desk}: held by {sorted(self.sets[lock])}")
        self.sets[lock].add(desk)

    def give(self, lock: int, desk: int) -> None:
        """Record that ``desk`` gave ``lock`` back."""
        self.sets[lock].discard(desk)

    def holds(self, desk: int, name: str) -> bool:
        """Whether ``desk`` holds the lock called ``name``."""
        return desk in self.sets[self.number[name]]

    def of(self, name: str) -> set[int]:
        """Return the desks holding the lock called ``name``."""
        return self.sets[self.number[name]]

    def held_by(self, desk: int) -> list[int]:
        """Return the locks ``desk`` holds, in index order."""
        return [i for i, holders in enumerate(self.sets) if desk in holders]


@dataclass(frozen=True, slots=True)
class ConditionSpec:
    """Something to wait for ("funds"), guarded by a lock."""

    name: str
    lock: str


class Instr(NamedTuple):
    """One line of a program, its operands resolved to table indices."""

    op: int
    text: str
    a: int = -1
    """The lock, account, condition, mailbox or desk the line works on."""
    b: int = -1
    """A second lock (``try``): the one given back."""
    reg: int = -1
    reg2: int = -1
    amount: int = 0
    target: int = -1
    """Where the line jumps (a refusal, a retry, a ``while``, a ``go to``)."""
    kind: str = ""
    """A message's kind (``credit``); ``while`` for a waiting loop."""


class ProgramError(ValueError):
    """A line that is not a line of the game; ``line`` is 1-based."""

    def __init__(self, line: int, text: str, reason: str) -> None:
        super().__init__(f"line {line} ({text!r}): {reason}")
        self.line = line
        self.text = text
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Tables:
    """The names a program's lines may use, in index order."""

    locks: tuple[LockSpec, ...] = ()
    conditions: tuple[ConditionSpec, ...] = ()
    accounts: tuple[str, ...] = ()
    """Ledger slots by name (``A``, ``B``..., ``rates``)."""
    mailboxes: tuple[str, ...] = ()
    desks: tuple[str, ...] = ()


AMOUNT = r"\$(\d+(?:\.\d\d)?)"
REG = r"([a-z][a-z0-9_]*)"
NAME = r"([A-Za-z][\w -]*?)"
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern + r"$"))
    for name, pattern in [
        ("try", rf"try {NAME}, else give back {NAME} and retry"),
        ("take", rf"take {NAME}"),
        ("return", rf"return {NAME}"),
        ("notify", rf"notify everyone waiting for {NAME}"),
        ("wait", rf"(if|while) {REG} < {AMOUNT}: wait for {NAME}"),
        ("check", rf"if {REG} < {AMOUNT}: refuse"),
        ("closed", r"if ([A-Z]{1,2}) closed: refuse"),
        ("is", rf"if {REG} is ([a-z]+): go to (\d+)"),
        ("seen", rf"if {REG} was applied: go to (\d+)"),
        ("jump", r"go to (\d+)"),
        ("read", rf"{REG} = read ([A-Z]{{1,2}}|rates)"),
        ("add", rf"{REG} = {REG} ([+-]) {AMOUNT}"),
        ("add_reg", rf"{REG} = {REG} \+ {REG}"),
        ("write", rf"write ([A-Z]{{1,2}}) = {REG}"),
        ("apply", rf"([A-Z]{{1,2}}) = ([A-Z]{{1,2}}) \+ {REG}"),
        ("request", rf"send \{{(deposit|withdraw|debit|credit|refund) ([A-Z]{{1,2}}) {AMOUNT}\}} to {NAME}"),
        ("reply", r"wait for reply"),
        ("serve", rf"serve a request from {NAME}"),
        ("send", rf"send (?:([a-z]+) )?(?:{AMOUNT}|{REG}) to {NAME}"),
        ("receive", rf"{REG} = receive from {NAME}"),
        ("ack", rf"ack {REG}"),
        ("restart", rf"restart {NAME}"),
    ]
]


def cents(text: str) -> int:
    """Return ``"19.50"`` (dollars) as 1950 cents."""
    whole, _, part = text.partition(".")
    return int(whole) * 100 + int(part or 0)


def parse_program(lines: list[str], tables: Tables, registers: list[str]) -> list[Instr]:
    """Return the instructions of ``lines`` (one per line, as a desk shows them).

    Args:
        lines: the program, one line each (blank lines are not allowed).
        tables: the locks, conditions, accounts, mailboxes and desks it may name.
        registers: the desk's register names so far; new ones are appended.

    Raises:
        ProgramError: naming the line, its text and the reason.
    """
    program = [_parse_line(i + 1, line.strip(), tables, registers) for i, line in enumerate(lines)]
    return _resolve_targets(program, lines)


def _index(names: list[str] | tuple[str, ...], name: str, what: str, line: int, text: str) -> int:
    if name not in names:
        known = ", ".join(names) or "none"
        raise ProgramError(line, text, f"no {what} called {name!r} (known: {known})")
    return names.index(name)


def _parse_line(number: int, text: str, t: Tables, registers: list[str]) -> Instr:
    def reg(name: str) -> int:
        if name not in registers:
            registers.append(name)
        return registers.index(name)

    def used(name: str) -> int:
        if name not in registers:
            raise ProgramError(number, text, f"register {name!r} is used before anything is put in it")
        return registers.index(name)

    locks = [lock.name for lock in t.locks]
    for name, pattern in PATTERNS:
        found = pattern.match(text)
        if found is None:
            continue
        g = found.groups()
        if name == "take":
            return Instr(TAKE, text, a=_index(locks, g[0], "lock", number, text))
        if name == "return":
            return Instr(GIVE, text, a=_index(locks, g[0], "lock", number, text))
        if name == "try":
            return Instr(TRY, text, a=_index(locks, g[0], "lock", number, text), b=_index(locks, g[1], "lock", number, text))
        if name == "read":
            return Instr(READ, text, a=_index(t.accounts, g[1], "account", number, text), reg=reg(g[0]))
        if name == "add":
            if g[0] != g[1]:
                raise ProgramError(number, text, "adds to a register must name it on both sides (r = r + $5)")
            amount = cents(g[3]) * (1 if g[2] == "+" else -1)
            return Instr(ADD, text, reg=used(g[1]), amount=amount)
        if name == "add_reg":
            if g[0] != g[1]:
                raise ProgramError(number, text, "must name the register on both sides (r = r + m)")
            return Instr(ADD_REG, text, reg=used(g[1]), reg2=used(g[2]))
        if name == "write":
            if g[0] == RATES:
                raise ProgramError(number, text, "the rate board is read-only")
            return Instr(WRITE, text, a=_index(t.accounts, g[0], "account", number, text), reg=used(g[1]))
        if name == "apply":
            if g[0] != g[1]:
                raise ProgramError(number, text, "a clerk applies a deposit to one account (A = A + m)")
            return Instr(APPLY, text, a=_index(t.accounts, g[0], "account", number, text), reg=used(g[2]))
        if name == "check":
            return Instr(CHECK, text, reg=used(g[0]), amount=cents(g[1]))
        if name == "closed":
            return Instr(CLOSED, text, a=_index(t.accounts, g[0], "account", number, text))
        if name == "wait":
            conditions = [c.name for c in t.conditions]
            condition = _index(conditions, g[3], "condition", number, text)
            return Instr(WAIT, text, a=condition, reg=used(g[1]), amount=cents(g[2]), kind=g[0])
        if name == "notify":
            conditions = [c.name for c in t.conditions]
            return Instr(NOTIFY, text, a=_index(conditions, g[0], "condition", number, text))
        if name == "send":
            box = _index(t.mailboxes, g[3], "mailbox", number, text)
            if g[1] is not None:
                return Instr(SEND, text, a=box, amount=cents(g[1]), kind=g[0] or "")
            return Instr(SEND, text, a=box, reg=used(g[2]), kind=g[0] or "")
        if name == "request":
            box = _index(t.mailboxes, g[3], "mailbox", number, text)
            return Instr(REQUEST, text, a=box, b=_index(t.accounts, g[1], "account", number, text),
                         amount=cents(g[2]), kind=g[0])
        if name == "reply":
            return Instr(REPLY, text)
        if name == "serve":
            return Instr(SERVE, text, a=_index(t.mailboxes, g[0], "mailbox", number, text))
        if name == "receive":
            return Instr(RECEIVE, text, a=_index(t.mailboxes, g[1], "mailbox", number, text), reg=reg(g[0]))
        if name == "is":
            return Instr(IS_KIND, text, reg=used(g[0]), kind=g[1], target=int(g[2]) - 1)
        if name == "seen":
            return Instr(SEEN, text, reg=used(g[0]), target=int(g[1]) - 1)
        if name == "ack":
            return Instr(ACK, text, reg=used(g[0]))
        if name == "restart":
            return Instr(RESTART, text, a=_index(t.desks, g[0], "desk", number, text))
        if name == "jump":
            return Instr(JUMP, text, target=int(g[0]) - 1)
    raise ProgramError(number, text, "not a line the desks know (see the list in bankgame.engine.primitives)")


def _resolve_targets(program: list[Instr], lines: list[str]) -> list[Instr]:
    """Fill in the jumps a line implies: a refusal, a retry, a ``while``; check ``go to``s."""
    out = []
    end = len(program)
    for pc, instr in enumerate(program):
        if instr.op in (CHECK, CLOSED):
            # A refusal skips to the tickets given back below it, or to the end.
            target = next((i for i in range(pc + 1, end) if program[i].op == GIVE), end)
            instr = instr._replace(target=target)
        elif instr.op == TRY:
            # Retry from the line that took the ticket just given back.
            target = next((i for i in range(pc - 1, -1, -1) if program[i].op == TAKE and program[i].a == instr.b), -1)
            if target < 0:
                raise ProgramError(pc + 1, lines[pc], "gives back a lock no earlier line of this program takes")
            instr = instr._replace(target=target)
        elif instr.op == WAIT and instr.kind == "while":
            # Check again from the line that read the register.
            target = next((i for i in range(pc - 1, -1, -1) if program[i].op == READ and program[i].reg == instr.reg), -1)
            if target < 0:
                raise ProgramError(pc + 1, lines[pc], "a while loop needs an earlier line that reads its register")
            instr = instr._replace(target=target)
        elif instr.op == REPLY:
            # The reply to the request just above; refused: to the end (a compiled day gives its own jump).
            request = next((program[i] for i in range(pc - 1, -1, -1) if program[i].op == REQUEST), None)
            if request is None:
                raise ProgramError(pc + 1, lines[pc], "waits for the reply to a request no earlier line sends")
            instr = instr._replace(b=request.a, kind=request.kind, target=end)
        elif instr.op in (JUMP, IS_KIND, SEEN) and not 0 <= instr.target <= end:
            raise ProgramError(pc + 1, lines[pc], f"there is no line {instr.target + 1} to go to")
        out.append(instr)
    return out
