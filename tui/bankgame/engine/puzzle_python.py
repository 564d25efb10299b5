"""A Puzzle Book desk's program written as the Python it stands for.

The puzzles' primitives are ``multiprocessing``'s: the ledger an ``Array``
of cents in shared memory, a lock a ``Lock`` (``with ticket_a:`` when the
lines between ``take`` and ``return`` form a block, ``acquire()`` and
``release()`` when they do not: a forgotten return, a polite retry), a lock
with several permits a ``Semaphore``, a condition a ``Condition`` on its lock
(``funds.wait()`` under ``if`` or ``while``, ``funds.notify_all()``), a
mailbox a ``Queue`` (``put`` a copy, a blocking ``get``). Why
``multiprocessing`` and not ``threading``: the game's desks are processes
(the real backend runs each puzzle desk in its own), and under the GIL two
threads seldom switch between a read and its write, so a lost update would
hide (the Lab measures it). ``threading`` has the same classes with the same
methods.

How each opcode is written is a table, ``ROWS``: a new primitive without a
row is refused by a test. The walker (``puzzle_listing``) turns the game's
``go to``\\ s into ``while``/``if``/``else`` blocks and maps each step to the
line that does it, so a view can mark the line of the step about to run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .machine import Machine
from .names import dollars
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
    NOTIFY,
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
)
from .python_code import DeskPython, PyLine, PythonListing

UNTRANSLATED = "# not yet in Python: "
"""What a line the walker cannot structure starts with (a test makes sure no puzzle has one)."""


def variable(name: str) -> str:
    """Return a Python name for a lock, condition or desk: ``ticket A`` → ``ticket_a``."""
    word = "".join(c if c.isalnum() else "_" for c in name.strip().lower())
    return word if word[:1].isalpha() else f"x_{word}"


def mailbox_variable(name: str) -> str:
    """``Bob`` → ``bob_mailbox``; ``Ada replies`` → ``ada_replies``."""
    word = variable(name)
    return word if " " in name.strip() else f"{word}_mailbox"


@dataclass(frozen=True, slots=True)
class Names:
    """What a desk's lines refer to, and how each is spelt."""

    tables: Tables
    registers: tuple[str, ...]
    messages: frozenset[int]
    """Registers that hold a received message (``m["amount"]`` in arithmetic)."""
    keeps_applied: bool = False
    """The desk checks sequence numbers: applying a message records its number too."""

    def account(self, index: int) -> str:
        name = self.tables.accounts[index]
        return "RATES" if name == "rates" else name

    def lock(self, index: int) -> str:
        return variable(self.tables.locks[index].name)

    def reg(self, index: int) -> str:
        return self.registers[index]

    def amount_of(self, index: int) -> str:
        name = self.registers[index]
        return f'{name}["amount"]' if index in self.messages else name


Row = Callable[[Instr, Names], tuple[str, str]]
"""``(line, names) -> (code, comment)``: one step, one line."""


def _cents(amount: int) -> str:
    return f"{amount:_}" if abs(amount) >= 10_000 else str(amount)


def _message(ins: Instr, n: Names, seq: int) -> str:
    amount = n.amount_of(ins.reg) if ins.reg >= 0 else _cents(ins.amount)
    kind = f', "kind": "{ins.kind}"' if ins.kind else ""
    return f'{{"seq": {seq}, "amount": {amount}{kind}}}'


def _apply(ins: Instr, n: Names) -> tuple[str, str]:
    account = n.account(ins.a)
    code = f'ledger[{account}] += {n.amount_of(ins.reg)}'
    if n.keeps_applied:
        return code + f'; applied[{n.reg(ins.reg)}["seq"]] = 1', "the balance and the number, kept together"
    return code, "only this clerk touches it"


def _lock_comment(ins: Instr, n: Names) -> str:
    lock = n.tables.locks[ins.a]
    return f"waits while all {lock.permits} are out" if lock.semaphore else "waits while another desk holds it"


ROWS: dict[int, Row] = {
    TAKE: lambda i, n: (f"{n.lock(i.a)}.acquire()", _lock_comment(i, n)),
    GIVE: lambda i, n: (f"{n.lock(i.a)}.release()", ""),
    TRY: lambda i, n: (f"if {n.lock(i.a)}.acquire(block=False):", "taken only if free, never waits"),
    READ: lambda i, n: (f"{n.reg(i.reg)} = ledger[{n.account(i.a)}]",
                        "read-only board" if n.tables.accounts[i.a] == "rates" else "read the shared balance"),
    ADD: lambda i, n: (f"{n.reg(i.reg)} = {n.reg(i.reg)} {'+' if i.amount >= 0 else '-'} {_cents(abs(i.amount))}",
                       f"{dollars(abs(i.amount))} in cents, in this process only"),
    ADD_REG: lambda i, n: (f"{n.reg(i.reg)} = {n.reg(i.reg)} + {n.amount_of(i.reg2)}", ""),
    WRITE: lambda i, n: (f"ledger[{n.account(i.a)}] = {n.reg(i.reg)}", "write it back"),
    CHECK: lambda i, n: (f"if {n.reg(i.reg)} < {_cents(i.amount)}:", ""),
    CLOSED: lambda i, n: (f"if {n.account(i.a)} in CLOSED:", "the account refuses money"),
    JUMP: lambda i, n: ("while True:", "the program starts over"),
    WAIT: lambda i, n: (f"{i.kind} {n.reg(i.reg)} < {_cents(i.amount)}:", ""),
    NOTIFY: lambda i, n: (f"{variable(n.tables.conditions[i.a].name)}.notify_all()", "wake every desk waiting"),
    SEND: lambda i, n: (f"{mailbox_variable(n.tables.mailboxes[i.a])}.put(SEQ)", "a pickled copy"),
    RECEIVE: lambda i, n: (f"{n.reg(i.reg)} = {mailbox_variable(n.tables.mailboxes[i.a])}.get()",
                           "blocks until a message comes"),
    IS_KIND: lambda i, n: (f'if {n.reg(i.reg)}.get("kind") == "{i.kind}":', ""),
    SEEN: lambda i, n: (f'if applied[{n.reg(i.reg)}["seq"]]:', "a repeat: applied already"),
    APPLY: _apply,
    ACK: lambda i, n: (f'acked[{n.reg(i.reg)}["seq"]] = 1', "it arrived: never sent again"),
    RESTART: lambda i, n: (f"restart({variable(n.tables.desks[i.a])})",
                           "the power cut: what was not acked is sent again"),
    # The branch's message mode, as ``bankgame check --level`` runs it.
    REQUEST: lambda i, n: (f'{mailbox_variable(n.tables.mailboxes[i.a])}.put({{"kind": "{i.kind}", '
                           f'"amount": {_cents(i.amount)}}})', "a request, copied into the owner's mailbox"),
    REPLY: lambda i, n: ('if not replies.get()["ok"]:', "blocks until the owner answers; refused: the end"),
    SERVE: lambda i, n: (f"serve({mailbox_variable(n.tables.mailboxes[i.a])}.get())",
                         "the owner checks and acts in one go, then answers"),
}
"""Every opcode the puzzle machine runs, as Python (a test keeps it complete)."""


# ------------------------------------------------------------- the walker
class _Walker:
    """Turns a program's jumps into blocks; fills ``lines`` and ``line_of``."""

    def __init__(self, program: Sequence[Instr], names: Names, seqs: dict[int, int]) -> None:
        self.p = list(program)
        self.n = names
        self.seqs = seqs
        self.lines: list[PyLine] = []
        self.line_of = [-1] * len(self.p)
        self.in_with: list[int] = []  # locks of the open ``with`` blocks
        self.acquired: list[int] = []  # locks taken by ``acquire()`` and not yet released

    def emit(self, level: int, code: str, comment: str = "", step: int = -1) -> int:
        if step >= 0 and self.line_of[step] < 0:
            self.line_of[step] = len(self.lines)
        self.lines.append(PyLine(level, code, comment))
        return len(self.lines) - 1

    def row(self, pc: int, level: int) -> None:
        ins = self.p[pc]
        code, comment = ROWS[ins.op](ins, self.n)
        if ins.op == SEND:
            code = code.replace("SEQ", _message(ins, self.n, self.seqs.get(pc, pc)))
        self.emit(level, code, comment, pc)

    def back_jump_to(self, t: int, end: int) -> int:
        """The last line before ``end`` that loops back to ``t`` (-1: none)."""
        for i in range(end - 1, t - 1, -1):
            ins = self.p[i]
            if ins.op in (JUMP, TRY) and ins.target == t and i >= t:
                return i
        return -1

    def with_end(self, i: int, end: int) -> int:
        """The ``return`` closing ``take`` at ``i`` as a ``with`` block, or -1 if the lines between are not a block."""
        lock = self.p[i].a
        j = next((k for k in range(i + 1, end) if self.p[k].op in (GIVE, TRY) and
                  (self.p[k].a == lock or self.p[k].b == lock)), -1)
        if j < 0 or self.p[j].op != GIVE:
            return -1
        for k in range(i + 1, j):
            ins = self.p[k]
            if ins.op in (CHECK, CLOSED):
                # A refusal may leave the block only for the returns at the end.
                if (ins.target > j or ins.target <= k) and not (
                        ins.target > k and all(x.op == GIVE for x in self.p[ins.target:])):
                    return -1
            elif ins.op in (JUMP, IS_KIND, SEEN, TRY) and not i < ins.target <= j:
                return -1
        for k in list(range(i)) + list(range(j + 1, len(self.p))):  # nothing jumps into the block
            if self.p[k].op in (JUMP, IS_KIND, SEEN, TRY) and i < self.p[k].target <= j:
                return -1
        return j

    def walk(self, start: int, end: int, level: int) -> None:
        i = start
        while i < end:
            ins = self.p[i]
            loop = self.back_jump_to(i, end)
            if loop >= 0 and self.p[loop].op == JUMP:
                self.emit(level, "while True:", "the program starts over at the end", loop)
                self.walk(i, loop, level + 1)
                i = loop + 1
                continue
            if loop >= 0 and self.p[loop].op == TRY:
                try_ins = self.p[loop]
                self.emit(level, "while True:", "polite: until both are held")
                self.walk(i, loop, level + 1)
                self.row(loop, level + 1)
                self.emit(level + 2, "break")
                self.emit(level + 1, f"{self.n.lock(try_ins.b)}.release()", "taken: give mine back and start over")
                i = loop + 1
                continue
            op = ins.op
            if op == TAKE:
                j = self.with_end(i, end)
                if j >= 0:
                    self.emit(level, f"with {self.n.lock(ins.a)}:", _lock_comment(ins, self.n), i)
                    self.line_of[j] = self.line_of[i]  # leaving the with gives it back
                    self.in_with.append(ins.a)
                    self.walk(i + 1, j, level + 1)
                    self.in_with.pop()
                    i = j + 1
                    continue
                self.acquired.append(ins.a)
                self.row(i, level)
            elif op == GIVE:
                if ins.a in self.acquired:
                    self.acquired.remove(ins.a)
                self.row(i, level)
            elif op == WAIT:
                self.wait(i, level)
            elif op in (CHECK, CLOSED):
                if all(x.op == GIVE for x in self.p[ins.target:]):
                    # A refusal runs only the returns left: in Python, a return (leaving any with).
                    self.row(i, level)
                    for lock in [x.a for x in self.p[ins.target:] if x.a in self.acquired]:
                        self.emit(level + 1, f"{self.n.lock(lock)}.release()", "taken without a with: given back by hand")
                    self.emit(level + 1, 'return "refused"', "leaving the with gives it back" if self.in_with else "")
                else:
                    code, _ = ROWS[op](ins, self.n)
                    self.emit(level, _negate(code), "", i)
                    self.walk(i + 1, ins.target, level + 1)
                    i = ins.target
                    continue
            elif op in (IS_KIND, SEEN) and i < ins.target <= len(self.p):
                code, comment = ROWS[op](ins, self.n)
                self.emit(level, _negate(code), comment, i)
                body_end = ins.target
                last = self.p[body_end - 1] if body_end - 1 > i else None
                if last is not None and last.op == JUMP and last.target > body_end:
                    self.walk(i + 1, body_end - 1, level + 1)
                    self.emit(level, "else:", "", body_end - 1)
                    self.walk(body_end, min(last.target, end), level + 1)
                    i = min(last.target, end)
                    continue
                self.walk(i + 1, body_end, level + 1)
                i = body_end
                continue
            elif op == JUMP and ins.target >= len(self.p):
                self.emit(level, "return", "", i)
            elif op in ROWS and op not in (JUMP, IS_KIND, SEEN, TRY):
                self.row(i, level)
            else:
                self.emit(level, f"{UNTRANSLATED}{ins.text}", "", i)
            i += 1

    def wait(self, i: int, level: int) -> None:
        ins = self.p[i]
        condition = variable(self.n.tables.conditions[ins.a].name)
        lock = self.n.tables.conditions[ins.a].lock
        code, _ = ROWS[WAIT](ins, self.n)
        self.emit(level, code, "", i)
        self.emit(level + 1, f"{condition}.wait()", f"gives {lock} back while asleep, takes it back on waking")
        if ins.kind == "while":
            read = self.p[ins.target]
            self.emit(level + 1, f"{self.n.reg(read.reg)} = ledger[{self.n.account(read.a)}]", "read again: then test again")


def _negate(code: str) -> str:
    """``if x < 5:`` → ``if not x < 5:``, written the way a person would."""
    body = code.removeprefix("if ").removesuffix(":")
    for a, b in ((" < ", " >= "), (" == ", " != "), (" in ", " not in ")):
        if a in body and body.count(a) == 1 and not body.startswith("applied"):
            return f"if {body.replace(a, b)}:"
    return f"if not {body}:"


def puzzle_listing(program: Sequence[Instr], names: Names, seqs: dict[int, int] | None = None,
                   indent: int = 0) -> PythonListing:
    """Return ``program`` as Python lines, each step mapped to its line."""
    walker = _Walker(program, names, seqs or {})
    walker.walk(0, len(program), indent)
    return PythonListing(tuple(walker.lines), tuple(walker.line_of))


def desk_names(machine: Machine, desk: int) -> Names:
    """Return how desk ``desk``'s lines name things (``machine`` a puzzle ``Machine``)."""
    program = machine.programs[desk]
    return Names(
        tables=machine.tables,
        registers=tuple(machine.registers[desk]),
        messages=frozenset(i.reg for i in program if i.op == RECEIVE),
        keeps_applied=any(i.op == SEEN for i in program),
    )


def desk_seqs(machine: Machine, desk: int) -> dict[int, int]:
    """Each send's sequence number on desk ``desk`` (the machine numbers every send of the puzzle)."""
    seqs: dict[tuple[int, int], int] = machine._seq
    return {pc: seq for (d, pc), seq in seqs.items() if d == desk}


def puzzle_desk_python(machine: Machine, desk: int, title: str = "") -> DeskPython:
    """Return desk ``desk`` of a puzzle as a function, under the shared objects it uses."""
    program = machine.programs[desk]
    names = desk_names(machine, desk)
    head = shared_objects(machine)
    name = variable(machine.names[desk])
    head.append(PyLine(0, ""))
    head.append(PyLine(0, f"def {name}():", title))
    body = puzzle_listing(program, names, desk_seqs(machine, desk), indent=1)
    lines = head + list(body.lines)
    shift = len(head)
    return DeskPython(PythonListing(tuple(lines), tuple(n + shift if n >= 0 else -1 for n in body.line_of_step)),
                      title)


def leaving(machine: Machine, desk: int, pc: int) -> str:
    """What step ``pc`` does if it gives a lock back at the end of a ``with`` (``""`` otherwise)."""
    program = machine.programs[desk]
    if not 0 <= pc < len(program) or program[pc].op != GIVE:
        return ""
    listing = puzzle_listing(program, desk_names(machine, desk))
    if not listing.lines[listing.line_of_step[pc]].code.startswith("with "):
        return ""
    return f"leaving the with: {machine.tables.locks[program[pc].a].name} given back"


def shared_objects(machine: Machine) -> list[PyLine]:
    """The lines that make what the desks share: the ledger, locks, conditions, mailboxes."""
    tables: Tables = machine.tables
    programs = machine.programs
    ops = {i.op for p in programs for i in p}
    kinds = ["Array"]
    if any(not lock.semaphore for lock in tables.locks):
        kinds.append("Lock")
    if any(lock.semaphore for lock in tables.locks):
        kinds.append("Semaphore")
    if tables.conditions:
        kinds.append("Condition")
    if tables.mailboxes:
        kinds.append("Queue")
    lines = [PyLine(0, f"from multiprocessing import {', '.join(kinds)}")]
    accounts = [a for a in tables.accounts]
    slots = ", ".join("RATES" if a == "rates" else a for a in accounts)
    numbers = ", ".join(str(i) for i in range(len(accounts)))
    lines.append(PyLine(0, f"{slots} = {numbers}", "slots of the ledger"))
    lines.append(PyLine(0, f'ledger = Array("q", {len(accounts)}, lock=False)', "shared memory: cents, no lock of its own"))
    for lock in tables.locks:
        make = f"Semaphore({lock.permits})" if lock.semaphore else "Lock()"
        lines.append(PyLine(0, f"{variable(lock.name)} = {make}", lock.name))
    for condition in tables.conditions:
        lines.append(PyLine(0, f"{variable(condition.name)} = Condition({variable(condition.lock)})",
                            f"waiting for {condition.name} needs {condition.lock}"))
    for box in tables.mailboxes:
        lines.append(PyLine(0, f"{mailbox_variable(box)} = Queue()", "copies of the messages, in order"))
    if ops & {ACK, SEEN, RESTART}:
        lines.append(PyLine(0, 'acked = Array("b", 16)', "per sequence number: arrived for good"))
    if SEEN in ops:
        lines.append(PyLine(0, 'applied = Array("b", 16)', "per sequence number: applied (kept with the balance)"))
    if machine.closed:
        closed = ", ".join(tables.accounts[a] for a in sorted(machine.closed))
        lines.append(PyLine(0, f"CLOSED = {{{closed}}}", "accounts that refuse money"))
    return lines
