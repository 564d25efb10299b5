"""A day at the branch on the player's own code: every customer runs the program of the desk that calls them.

Fix the Program proves edited programs with the checker, one transaction
per desk. Here the same lines run a whole day: customers keep coming, each
desk runs its edited program for every customer it calls, on the game's
backend (real cashier processes on a real shared ledger, real locks), and the
Integrity panel shows what the code lets through. The branch's desks run
the branch's opcodes only, so a fix-it can have a day when its lines are
tickets (mutexes), reads, adds, writes and refusals: wait and notify, the
polite cashier's ``try``, semaphores and messages stay in the checker.

Usage::

    problem = program_problem(fix, programs)   # "" when the code can run a day
    branch = program_day(fix, programs, seed=7, backend=make_backend("process"))
"""

from __future__ import annotations

import dataclasses

from .backend import Backend
from .branch import Branch
from .fixits import FixIt, Programs
from .levels import DayConfig, Level
from .machine import Machine
from .names import account_name, cashier_name, dollars
from .primitives import ADD, CHECK, CLOSED, GIVE, JUMP, OP_NAMES, READ, TAKE, WRITE, Instr, _parse_line
from .programs import VAULT, DayCode, DeskCode, Step

DAY_OPS = frozenset({TAKE, GIVE, READ, ADD, CHECK, CLOSED, WRITE, JUMP})
"""The lines a desk at the branch runs (the rest are the checker's alone)."""
CUSTOMERS = 40
"""Customers in a day on the player's code."""


def _ticket(name: str) -> str | None:
    """The branch's ticket for a fix-it's lock name (``ticket A`` → ``A``, ``vault ticket`` → the vault)."""
    if name == "vault ticket":
        return VAULT
    if name.startswith("ticket ") and name[7:].isalpha() and name[7:].isupper():
        return name[7:]
    return None


def sandbox_problem(fix: FixIt) -> str:
    """Why ``fix`` has no day at the branch (``""``: it has one)."""
    machine = fix.puzzle.machine
    tables = machine.tables
    if tables.mailboxes:
        return "its desks send messages: a day at the branch runs the back office's own clerks, not this code"
    if tables.conditions:
        return "its desks wait and notify: the branch's desks have no condition to sleep on"
    for lock in tables.locks:
        if lock.semaphore:
            return f"{lock.name} has {lock.permits} permits: the branch's tickets are mutexes, one holder each"
        if _ticket(lock.name) is None:
            return f"the branch has no lock called {lock.name!r}"
    if tables.accounts != tuple(account_name(a) for a in range(len(tables.accounts))):
        return "its accounts are not the branch's A, B, C…"
    if any(desk.role != "cashier" for desk in machine.desks):
        return "some of its desks are not cashiers"
    if any(desk.name != cashier_name(i) for i, desk in enumerate(machine.desks)):
        return "its desks are not the branch's desks in order"
    # The shipped lines and every line the palette can add.
    instrs = [instr for program in machine.programs for instr in program]
    for desk, palette in enumerate(fix.palettes):
        registers = list(machine.registers[desk])
        instrs += [_parse_line(1, line, tables, registers) for line in palette]
    for instr in instrs:
        if instr.op not in DAY_OPS:
            return f"its line {instr.text!r} ({OP_NAMES[instr.op]}) is not a step the branch's desks run"
    return ""


def program_problem(fix: FixIt, programs: Programs) -> str:
    """Why ``programs`` cannot run a day at the branch (``""``: they can).

    The checker calls any such program broken too; here it is about real
    locks: a desk cannot give back a lock it does not hold, and a ticket kept
    after the last line would keep every other desk waiting for the rest of
    the day.

    Raises:
        ProgramError: a line is not valid (the editor never makes one).
    """
    problem = sandbox_problem(fix)
    if problem:
        return f"{fix.title} has no day at the branch: {problem}"
    machine = fix.machine(programs)
    locks = [lock.name for lock in machine.tables.locks]
    for name, program in zip(machine.names, machine.programs):
        problem = _held_problem(program, locks)
        if problem:
            return f"{name}'s code {problem}"
    return ""


def _held_problem(program: list[Instr], locks: list[str]) -> str:
    """Walk every path of ``program`` with the locks it holds: a lock given back unheld, taken twice, or kept.

    A refusal runs the returns below it, and those give back only what the
    desk holds (as the checker has it, and as a ``return`` inside Python's
    ``with`` blocks does).
    """
    end = len(program)
    seen: set[tuple[int, frozenset[int], bool]] = set()
    todo = [(0, frozenset[int](), False)]
    while todo:
        pc, held, refusing = todo.pop()
        if (pc, held, refusing) in seen:
            continue
        seen.add((pc, held, refusing))
        if pc >= end:
            if held:
                kept = ", ".join(locks[i] for i in sorted(held))
                return (f"still holds {kept} after its last line: every other desk would wait for it for the rest "
                        "of the day. Run the checker (enter) to see it.")
            continue
        instr = program[pc]
        if instr.op == TAKE:
            if instr.a in held:
                return f"takes {locks[instr.a]} twice (line {pc + 1}): the desk would wait for itself"
            todo.append((pc + 1, held | {instr.a}, refusing))
        elif instr.op == GIVE:
            if instr.a not in held and not refusing:
                return f"returns {locks[instr.a]} without holding it (line {pc + 1}): a real lock refuses that"
            todo.append((pc + 1, held - {instr.a}, refusing))
        elif instr.op == JUMP:
            todo.append((instr.target, held, refusing))
        elif instr.op in (CHECK, CLOSED):
            todo += [(pc + 1, held, refusing), (instr.target, held, True)]
        else:
            todo.append((pc + 1, held, refusing))
    return ""


def _step(instr: Instr, registers: list[str], machine: Machine) -> Step:
    """A fix-it's line as a branch desk's step (the same text, the same opcode)."""
    register = registers[instr.reg] if instr.reg >= 0 else ""
    if instr.op in (TAKE, GIVE):
        ticket = _ticket(machine.tables.locks[instr.a].name)
        assert ticket is not None  # sandbox_problem said so
        return Step(instr.op, instr.text, ticket=ticket)
    if instr.op in (READ, WRITE, CLOSED):
        return Step(instr.op, instr.text, account=instr.a, register=register)
    if instr.op in (ADD, CHECK):
        return Step(instr.op, instr.text, register=register, amount=instr.amount, target=instr.target)
    return Step(instr.op, instr.text, target=instr.target)


def day_code(fix: FixIt, programs: Programs, customers: int = CUSTOMERS) -> DayCode:
    """Every desk's edited program as the branch runs it, for a day of ``customers``.

    An account no line checks before taking money from it opens with enough
    for every customer of the day: in a puzzle each desk runs once, in a day
    again and again, and the code's races, not a day of debits with no check,
    must be what overdraws it.

    Raises:
        ValueError: ``program_problem`` names why these programs cannot run a day.
    """
    problem = program_problem(fix, programs)
    if problem:
        raise ValueError(problem)
    machine = fix.machine(programs)
    accounts = machine.tables.accounts
    desks = []
    debits = [0] * len(accounts)
    for spec, program, registers in zip(machine.desks, machine.programs, machine.registers):
        steps = tuple(_step(instr, registers, machine) for instr in program)
        changes = {a: c for _, txn in spec.effects for a, c in txn}
        does = " ".join(f"{a} {'+' if c >= 0 else '−'}{dollars(abs(c))}" for a, c in changes.items()) or "nothing"
        desks.append(DeskCode(steps, sum(changes.values()), does))
        for account, change in changes.items():
            debits[accounts.index(account)] = max(debits[accounts.index(account)], -change)
    checked = {a for program in machine.programs for a in _checked_accounts(program)}
    opening = tuple(balance if a in checked else balance + customers * debits[a]
                    for a, balance in enumerate(machine.opening))
    return DayCode(fix.title, tuple(desks), opening)


def _checked_accounts(program: list[Instr]) -> set[int]:
    """The accounts whose balance ``program`` checks (``if b < $70: refuse`` on a register read from it)."""
    source: dict[int, int] = {}
    checked = set()
    for instr in program:
        if instr.op == READ:
            source[instr.reg] = instr.a
        elif instr.op == CHECK and instr.reg in source:
            checked.add(source[instr.reg])
    return checked


def code_level_id(fix: FixIt) -> str:
    """The id a day on ``fix``'s code is recorded under (never a level's: those have no colon)."""
    return f"code:{fix.id}"


def program_level(fix: FixIt, programs: Programs, customers: int = CUSTOMERS) -> tuple[Level, DayCode]:
    """The level of a day on the player's code (no goals: the Integrity panel and the audit judge it), and the code.

    Raises:
        ValueError: ``program_problem`` names why these programs cannot run a day.
    """
    code = day_code(fix, programs, customers)
    day = dataclasses.replace(
        DayConfig(), cashiers=len(code.desks), accounts=len(code.opening), customers=customers, tickets="none",
        arrival_gap=1.0, patience=10_000, message_available=False,
    )
    briefing = (f"Every customer runs the code of the desk that calls them: your edited programs of "
                f"“{fix.title}”, for {customers} customers, on the game's backend. The tickets are in the code.")
    return Level(code_level_id(fix), f"Your code · {fix.title}", 0, 1, day, briefing=briefing), code


def program_day(fix: FixIt, programs: Programs, seed: int = 1, backend: Backend | None = None,
                customers: int = CUSTOMERS) -> Branch:
    """A day at the branch where every desk runs its edited program for each customer it calls.

    Args:
        fix: the fix-it the programs belong to.
        programs: every desk's lines, as the editor has them.
        seed: fixes arrivals and the scheduler (the same seed, the same day).
        backend: the in-process backend by default; real processes with
            ``make_backend("process")``.
        customers: how many come.

    Raises:
        ValueError: ``program_problem`` names why these programs cannot run a day.
    """
    level, code = program_level(fix, programs, customers)
    return Branch(level.day, seed=seed, backend=backend, code=code)
