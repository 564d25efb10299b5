"""The puzzle machine: desks running programs of primitives, one step at a time.

A ``Machine`` is built once from the primitives' tables (``primitives``) and
each desk's program as text; its states are plain hashable tuples, so a
checker can cache them, and ``step(state, desk)`` is the interpreter: a table
from opcode to handler. A handler returns the next state, the integrity error
the step caused (``integrity``) and whether it changed the ledger, or
``None`` when the desk cannot move (it waits for a lock, a message, a
notification).

A day at the branch (``branch.Branch``) shares the opcodes, the line texts and
the lock descriptions (``primitives``), holders kept as sets, with a table of
handlers of its own: there a step is carried out by a backend (real processes,
real locks), happens at a tick with its trail and events, and waits on clerks'
replies, while a machine's state is an immutable tuple a checker can cache.
``day_check`` turns a small day into a machine, line for line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from .integrity import Broken, Register, audit, check_apply, check_give, check_write
from .primitives import (
    ACK,
    ADD,
    ADD_REG,
    APPLY,
    CHECK,
    CLOSED,
    GIVE,
    IS_KIND,
    JUMP,
    LOCAL_OPS,
    NOTIFY,
    PROGRESS_OPS,
    READ,
    RECEIVE,
    REPLY,
    REQUEST,
    RESTART,
    SEEN,
    SEND,
    SERVE,
    TAKE,
    TRY,
    WAIT,
    WRITE,
    Instr,
    Tables,
    parse_program,
)

T = TypeVar("T")

RUNNING, ASLEEP, WOKEN = 0, 1, 2
"""A desk's status: running; asleep on a condition; woken, and taking its lock back."""

ROLES = ("cashier", "clerk", "fault", "back office")
"""A ``fault`` desk (a power cut) may run or not: the machine is done without it. So may a
``back office`` clerk serving requests: it serves as many as come, and none is left once the cashiers are done."""
OPTIONAL_ROLES = frozenset({"fault", "back office"})


@dataclass(frozen=True, slots=True)
class DeskSpec:
    """A desk: its name, its program as lines, what its transactions should do."""

    name: str
    lines: tuple[str, ...]
    effects: tuple[tuple[int, tuple[tuple[str, int], ...]], ...] = ()
    """``(first line, ((account, change in cents), ...))`` of each transaction, in order;
    a transaction that is refused is expected to change nothing."""
    role: str = "cashier"
    jumps: tuple[tuple[int, int], ...] = ()
    """``(line, target)``: jumps given outright (a compiled day's refusals), not implied by the lines."""


class State(NamedTuple):
    """Everything that can differ between two moments of a puzzle."""

    pcs: tuple[int, ...]
    regs: tuple[tuple[Register | None, ...], ...]
    ledger: tuple[int, ...]
    holders: tuple[frozenset[int], ...]
    """Who holds each lock: a set (a semaphore has room for several)."""
    status: tuple[int, ...]
    boxes: tuple[tuple[tuple[int, int, str], ...], ...]
    """Each mailbox's messages in order: ``(seq, amount, kind)``."""
    unacked: tuple[tuple[tuple[int, tuple[int, int, str], int], ...], ...]
    """Per desk, messages received and not acknowledged: ``(mailbox, message, line that received it)``."""
    applied: frozenset[int]
    """Messages applied to the ledger so far (a clerk's durable record, and the truth)."""
    refused: frozenset[tuple[int, int]]
    """``(desk, transaction)`` refused."""
    writer: tuple[int, ...]
    """The last desk to write each account (-1: nobody)."""


class Outcome(NamedTuple):
    """What one step did."""

    state: State
    broken: Broken | None
    progress: bool


@dataclass
class Machine:
    """Desks running their programs on the primitives of ``tables``.

    Args:
        tables: the locks, conditions, accounts, mailboxes and desks.
        desks: each desk's program and transactions.
        opening: each account's opening balance, in cents (in ``tables.accounts`` order).
        closed: accounts that refuse money coming in.

    Raises:
        ProgramError: a line is not valid (``.desk`` names the desk).
    """

    tables: Tables
    desks: tuple[DeskSpec, ...]
    opening: tuple[int, ...]
    closed: frozenset[int] = frozenset()
    programs: list[list[Instr]] = field(init=False)
    registers: list[list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.programs, self.registers = [], []
        for desk in self.desks:
            registers: list[str] = []
            try:
                program = parse_program(list(desk.lines), self.tables, registers)
            except ValueError as error:
                error.desk = desk.name  # type: ignore[attr-defined]
                raise
            for pc, target in desk.jumps:
                program[pc] = program[pc]._replace(target=target)
            self.programs.append(program)
            self.registers.append(registers)
        self.names = tuple(d.name for d in self.desks)
        self.optional = frozenset(i for i, d in enumerate(self.desks) if d.role in OPTIONAL_ROLES)
        restarted = {ins.a for prog in self.programs for ins in prog if ins.op == RESTART}
        # A restart rewinds a desk from outside: none of its steps is local any more.
        self.local = [
            [ins.op in LOCAL_OPS and d not in restarted for ins in prog] for d, prog in enumerate(self.programs)
        ]
        self._txn = [[_txn_of(pc, spec.effects) for pc in range(len(prog))] for spec, prog in zip(self.desks, self.programs)]
        accounts = self.tables.accounts
        self._effects = [
            [tuple(dict(changes).get(a, 0) for a in accounts) for _, changes in spec.effects] for spec in self.desks
        ]
        self._seq: dict[tuple[int, int], int] = {}
        self._requests: dict[int, tuple[int, int]] = {}
        """A request's seq → ``(desk that sent it, account it names)``."""
        for d, prog in enumerate(self.programs):
            for pc, ins in enumerate(prog):
                if ins.op in (SEND, REQUEST):
                    self._seq[d, pc] = len(self._seq)
                if ins.op == REQUEST:
                    self._requests[self._seq[d, pc]] = (d, ins.b)
        boxes = self.tables.mailboxes
        self.reply_box = tuple(boxes.index(f"{d.name} replies") if f"{d.name} replies" in boxes else -1 for d in self.desks)
        """Each desk's mailbox for the answers to its requests (``-1``: none)."""
        for d, prog in enumerate(self.programs):
            if self.reply_box[d] < 0 and any(ins.op == REPLY for ins in prog):
                raise ValueError(f"desk {self.names[d]} waits for replies but has no mailbox '{self.names[d]} replies'")
        self._permits = tuple(lock.permits for lock in self.tables.locks)
        self._cond_lock = tuple(
            [lock.name for lock in self.tables.locks].index(c.lock) for c in self.tables.conditions
        )

    # ------------------------------------------------------------- states
    def initial(self) -> State:
        """Return the state before anyone moves."""
        n = len(self.desks)
        return State(
            pcs=(0,) * n, regs=tuple((None,) * len(r) for r in self.registers), ledger=tuple(self.opening),
            holders=(frozenset(),) * len(self.tables.locks), status=(RUNNING,) * n,
            boxes=((),) * len(self.tables.mailboxes), unacked=((),) * n, applied=frozenset(),
            refused=frozenset(), writer=(-1,) * len(self.opening),
        )

    def finished(self, state: State, desk: int) -> bool:
        """Whether ``desk`` has run its whole program."""
        return state.pcs[desk] >= len(self.programs[desk])

    def done(self, state: State) -> bool:
        """Whether every desk that must finish has."""
        return all(self.finished(state, d) for d in range(len(self.desks)) if d not in self.optional)

    def line(self, state: State, desk: int) -> Instr | None:
        """Return the line ``desk`` runs next, or ``None`` once it has finished."""
        pc = state.pcs[desk]
        program = self.programs[desk]
        return program[pc] if pc < len(program) else None

    def is_local(self, state: State, desk: int) -> bool:
        """Whether ``desk``'s next step touches nothing another desk can see or change."""
        pc = state.pcs[desk]
        return pc < len(self.programs[desk]) and self.local[desk][pc]

    def step(self, state: State, desk: int) -> Outcome | None:
        """Run ``desk``'s next line; ``None`` if it cannot move now."""
        pc = state.pcs[desk]
        program = self.programs[desk]
        if pc >= len(program):
            return None
        instr = program[pc]
        return HANDLERS[instr.op](self, state, desk, instr)

    def enabled(self, state: State) -> list[int]:
        """Return the desks that can move now, in order."""
        return [d for d in range(len(self.desks)) if self.step(state, d) is not None]

    def expected(self, state: State) -> list[int]:
        """What each account should hold once every transaction not refused so far has gone through."""
        expected = list(self.opening)
        for d, effects in enumerate(self._effects):
            for t, change in enumerate(effects):
                if (d, t) not in state.refused:
                    for a, delta in enumerate(change):
                        expected[a] += delta
        return expected

    def closing_audit(self, state: State) -> Broken | None:
        """Return the closing audit's error once every desk has finished."""
        expected = self.expected(state)
        accounts = self.tables.accounts
        audited = [i for i, name in enumerate(accounts) if name != "rates"]
        return audit(tuple(accounts[i] for i in audited), tuple(state.ledger[i] for i in audited),
                     tuple(expected[i] for i in audited))

    def footprint(self, state: State, desk: int) -> tuple[frozenset[str], frozenset[str]]:
        """Return what ``desk``'s next step reads and writes (for cutting a schedule to what matters)."""
        instr = self.line(state, desk)
        own = f"desk{desk}"
        if instr is None:
            return frozenset(), frozenset()
        op, a = instr.op, instr.a
        reads: set[str] = {own}
        writes: set[str] = {own}
        if op in (TAKE, GIVE):
            writes.add(f"lock{a}")
        elif op == TRY:
            writes |= {f"lock{a}", f"lock{instr.b}"}
        elif op == READ:
            reads.add(f"acct{a}")
        elif op == WRITE:
            writes.add(f"acct{a}")
        elif op == APPLY:
            writes |= {f"acct{a}", "applied"}
        elif op == SEEN:
            reads.add("applied")
        elif op == WAIT:
            writes |= {f"lock{self._cond_lock[a]}", f"cond{a}"}
        elif op == NOTIFY:
            writes.add(f"cond{a}")
        elif op in (SEND, RECEIVE, REQUEST):
            writes.add(f"box{a}")
        elif op == REPLY:
            writes.add(f"box{self.reply_box[desk]}")
        elif op == SERVE:
            # Its account and the sender's answer box depend on the message: all of them, to be safe.
            writes |= {f"box{i}" for i in range(len(self.tables.mailboxes))}
            writes |= {f"acct{i}" for i in range(len(self.tables.accounts))}
        elif op == RESTART:
            writes.add(f"desk{a}")
            writes |= {f"box{i}" for i in range(len(self.tables.mailboxes))}
        return frozenset(reads), frozenset(writes)


def _txn_of(pc: int, effects: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]) -> int:
    txn = 0
    for i, (start, _) in enumerate(effects):
        if pc >= start:
            txn = i
    return txn


# ------------------------------------------------------------------ handlers
def _advance(s: State, desk: int, pc: int, **changes: object) -> State:
    pcs = list(s.pcs)
    pcs[desk] = pc
    return s._replace(pcs=tuple(pcs), **changes)  # type: ignore[arg-type]


def _set_reg(s: State, desk: int, reg: int, value: Register) -> tuple[tuple[Register | None, ...], ...]:
    regs = list(s.regs)
    mine = list(regs[desk])
    mine[reg] = value
    regs[desk] = tuple(mine)
    return tuple(regs)


def _take(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    holders = s.holders[ins.a]
    if d in holders or len(holders) >= m._permits[ins.a]:
        return None  # taken (a lock is not re-entrant: holding it already also waits)
    return Outcome(_advance(s, d, s.pcs[d] + 1, holders=_with(s.holders, ins.a, holders | {d})), None, False)


def _give(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    holders = s.holders[ins.a]
    after = _advance(s, d, s.pcs[d] + 1, holders=_with(s.holders, ins.a, holders - {d}))
    # A refusal runs the returns below it: those give back only what the desk holds (in
    # Python, the refusal's ``return`` leaves the ``with``s it is in). Anywhere else, a return
    # of a ticket not held is a bug.
    if d not in holders and (d, m._txn[d][s.pcs[d]]) not in s.refused:
        return Outcome(after, _not_held(m, d, ins.a, holders), False)
    return Outcome(after, None, False)


def _not_held(m: Machine, d: int, lock: int, holders: frozenset[int]) -> Broken:
    return check_give(m.names[d], m.tables.locks[lock].name, tuple(m.names[h] for h in sorted(holders)))


def _try(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    holders = s.holders[ins.a]
    if d not in holders and len(holders) < m._permits[ins.a]:
        return Outcome(_advance(s, d, s.pcs[d] + 1, holders=_with(s.holders, ins.a, holders | {d})), None, False)
    # Polite: give the other ticket back and start over.
    other = s.holders[ins.b]
    after = _advance(s, d, ins.target, holders=_with(s.holders, ins.b, other - {d}))
    return Outcome(after, None if d in other else _not_held(m, d, ins.b, other), False)


def _read(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    value = s.ledger[ins.a]
    return Outcome(_advance(s, d, s.pcs[d] + 1, regs=_set_reg(s, d, ins.reg, (value, ins.a, value, False, -1, ""))), None, False)


def _add(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    value, source, read, stale, seq, kind = s.regs[d][ins.reg]  # type: ignore[misc]
    return Outcome(_advance(s, d, s.pcs[d] + 1, regs=_set_reg(s, d, ins.reg, (value + ins.amount, source, read, stale, seq, kind))), None, False)


def _add_reg(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    value, source, read, stale, seq, kind = s.regs[d][ins.reg]  # type: ignore[misc]
    other = s.regs[d][ins.reg2]
    amount = other[0] if other is not None else 0
    return Outcome(_advance(s, d, s.pcs[d] + 1, regs=_set_reg(s, d, ins.reg, (value + amount, source, read, stale, seq, kind))), None, False)


def _stale(regs: tuple[tuple[Register | None, ...], ...], account: int) -> tuple[tuple[Register | None, ...], ...]:
    """Mark every register read from ``account`` stale: it was just written."""
    out = []
    for mine in regs:
        if any(r is not None and r[1] == account and not r[3] for r in mine):
            mine = tuple(r if r is None or r[1] != account else r[:3] + (True,) + r[4:] for r in mine)
        out.append(mine)
    return tuple(out)


def _write(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    register = s.regs[d][ins.reg]
    assert register is not None
    value = register[0]
    a = ins.a
    last = s.writer[a]
    broken = check_write(m.names[d], m.tables.accounts[a], register, s.ledger[a], value, m.names[last] if last >= 0 and last != d else "")
    regs = _stale(s.regs, a)
    regs = _set_reg(s._replace(regs=regs), d, ins.reg, (value, a, value, False, -1, ""))
    state = _advance(s, d, s.pcs[d] + 1, ledger=_with(s.ledger, a, value), regs=regs, writer=_with(s.writer, a, d))
    return Outcome(state, broken, True)


def _check(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    register = s.regs[d][ins.reg]
    assert register is not None
    if register[0] < ins.amount:
        return Outcome(_advance(s, d, ins.target, refused=s.refused | {(d, m._txn[d][s.pcs[d]])}), None, False)
    return Outcome(_advance(s, d, s.pcs[d] + 1), None, False)


def _closed(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    if ins.a in m.closed:
        return Outcome(_advance(s, d, ins.target, refused=s.refused | {(d, m._txn[d][s.pcs[d]])}), None, False)
    return Outcome(_advance(s, d, s.pcs[d] + 1), None, False)


def _jump(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    return Outcome(_advance(s, d, ins.target), None, False)


def _wait(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    lock = m._cond_lock[ins.a]
    status = s.status[d]
    if status == ASLEEP:
        return None
    if status == WOKEN:
        holders = s.holders[lock]
        if len(holders) >= m._permits[lock]:
            return None  # woken, but the lock is taken: it must get it back first
        pc = ins.target if ins.kind == "while" else s.pcs[d] + 1
        return Outcome(_advance(s, d, pc, holders=_with(s.holders, lock, holders | {d}), status=_with(s.status, d, RUNNING)), None, False)
    register = s.regs[d][ins.reg]
    assert register is not None
    if register[0] >= ins.amount:
        return Outcome(_advance(s, d, s.pcs[d] + 1), None, False)
    # Asleep: the lock is given back while it waits (as threading.Condition.wait does).
    state = s._replace(holders=_with(s.holders, lock, s.holders[lock] - {d}), status=_with(s.status, d, ASLEEP))
    return Outcome(state, None, False)


def _notify(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    status = list(s.status)
    for other, st in enumerate(status):
        if st == ASLEEP:
            line = m.line(s, other)
            if line is not None and line.op == WAIT and line.a == ins.a:
                status[other] = WOKEN
    return Outcome(_advance(s, d, s.pcs[d] + 1, status=tuple(status)), None, False)


def _send(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    if ins.reg >= 0:
        register = s.regs[d][ins.reg]
        amount = register[0] if register is not None else 0
    else:
        amount = ins.amount
    message = (m._seq[d, s.pcs[d]], amount, ins.kind)
    return Outcome(_advance(s, d, s.pcs[d] + 1, boxes=_with(s.boxes, ins.a, s.boxes[ins.a] + (message,))), None, False)


def _receive(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    box = s.boxes[ins.a]
    if not box:
        return None
    message, rest = box[0], box[1:]
    seq, amount, kind = message
    pc = s.pcs[d]
    state = _advance(
        s, d, pc + 1, boxes=_with(s.boxes, ins.a, rest), regs=_set_reg(s, d, ins.reg, (amount, -1, 0, False, seq, kind)),
        unacked=_with(s.unacked, d, s.unacked[d] + ((ins.a, message, pc),)),
    )
    return Outcome(state, None, False)


def _is_kind(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    register = s.regs[d][ins.reg]
    same = register is not None and register[5] == ins.kind
    return Outcome(_advance(s, d, ins.target if same else s.pcs[d] + 1), None, False)


def _seen(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    register = s.regs[d][ins.reg]
    seen = register is not None and register[4] in s.applied
    return Outcome(_advance(s, d, ins.target if seen else s.pcs[d] + 1), None, False)


def _apply(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    register = s.regs[d][ins.reg]
    assert register is not None
    amount, seq = register[0], register[4]
    a = ins.a
    broken = check_apply(m.names[d], m.tables.accounts[a], seq, s.applied, amount)
    state = _advance(
        s, d, s.pcs[d] + 1, ledger=_with(s.ledger, a, s.ledger[a] + amount), regs=_stale(s.regs, a),
        applied=s.applied | {seq}, writer=_with(s.writer, a, d),
    )
    return Outcome(state, broken, True)


def _ack(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    register = s.regs[d][ins.reg]
    seq = register[4] if register is not None else -1
    left = tuple(entry for entry in s.unacked[d] if entry[1][0] != seq)
    return Outcome(_advance(s, d, s.pcs[d] + 1, unacked=_with(s.unacked, d, left)), None, False)


def _restart(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    clerk = ins.a
    pending = s.unacked[clerk]
    if not pending:
        return None  # nothing in hand to lose: a restart now changes nothing
    boxes = list(s.boxes)
    for box, message, _ in reversed(pending):  # sent again, ahead of newer mail, in their order
        boxes[box] = (message,) + boxes[box]
    pcs = list(s.pcs)
    pcs[clerk] = pending[0][2]
    pcs[d] = s.pcs[d] + 1
    regs = list(s.regs)
    regs[clerk] = (None,) * len(regs[clerk])
    state = s._replace(pcs=tuple(pcs), regs=tuple(regs), boxes=tuple(boxes), unacked=_with(s.unacked, clerk, ()),
                       status=_with(s.status, clerk, RUNNING))
    return Outcome(state, None, False)


def _request(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    message = (m._seq[d, s.pcs[d]], ins.amount, ins.kind)
    return Outcome(_advance(s, d, s.pcs[d] + 1, boxes=_with(s.boxes, ins.a, s.boxes[ins.a] + (message,))), None, False)


def _serve(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    """The owner checks and acts in one go (``backend.apply_message``), then answers the sender."""
    box = s.boxes[ins.a]
    if not box:
        return None
    (seq, amount, kind), rest = box[0], box[1:]
    sender, a = m._requests[seq]
    balance = s.ledger[a]
    if kind in ("withdraw", "debit"):
        ok, new = balance >= amount, balance - amount
    else:
        ok, new = not (kind == "credit" and a in m.closed), balance + amount
    boxes = _with(s.boxes, ins.a, rest)
    answer = m.reply_box[sender]
    boxes = _with(boxes, answer, boxes[answer] + ((seq, int(ok), "done" if ok else "refused"),))
    if not ok:
        return Outcome(_advance(s, d, s.pcs[d] + 1, boxes=boxes), None, False)
    state = _advance(s, d, s.pcs[d] + 1, boxes=boxes, ledger=_with(s.ledger, a, new), regs=_stale(s.regs, a),
                     writer=_with(s.writer, a, d))
    return Outcome(state, None, True)


def _reply(m: Machine, s: State, d: int, ins: Instr) -> Outcome | None:
    box = m.reply_box[d]
    if not s.boxes[box]:
        return None
    (_, ok, _), rest = s.boxes[box][0], s.boxes[box][1:]
    if ok:
        return Outcome(_advance(s, d, s.pcs[d] + 1, boxes=_with(s.boxes, box, rest)), None, False)
    refused = s.refused | {(d, m._txn[d][s.pcs[d]])}
    return Outcome(_advance(s, d, ins.target, boxes=_with(s.boxes, box, rest), refused=refused), None, False)


def _with(values: tuple[T, ...], index: int, value: T) -> tuple[T, ...]:
    return values[:index] + (value,) + values[index + 1:]


HANDLERS: dict[int, Callable[[Machine, State, int, Instr], Outcome | None]] = {
    TAKE: _take, GIVE: _give, TRY: _try, READ: _read, ADD: _add, ADD_REG: _add_reg, WRITE: _write,
    CHECK: _check, CLOSED: _closed, JUMP: _jump, WAIT: _wait, NOTIFY: _notify, SEND: _send,
    RECEIVE: _receive, IS_KIND: _is_kind, SEEN: _seen, APPLY: _apply, ACK: _ack, RESTART: _restart,
    REQUEST: _request, REPLY: _reply, SERVE: _serve,
}
"""The interpreter: opcode → handler. A new primitive is a new entry."""

assert PROGRESS_OPS <= set(HANDLERS)
