"""What a fix costs, the smallest fix (the par), and the stars of a player's fix.

A fix's cost, read off its lines:

- **ticket-held steps**: the lines a desk runs while it holds a ticket (a
  ``return`` does not count: it is the desk letting go), over every desk;
- **tickets**: the ``take`` and ``try`` lines, over every desk;
- **serialized**: one ticket is held over every line of every desk, so the
  desks only ever take turns. It is safe, and it costs: nothing runs at once.

``smallest_fix`` searches the programs the editor can make (the fixed lines in
their order, palette lines inserted, each at most once per desk, tickets given
back in the program that took them) from the cheapest up, and the checker
tries each: the first that is safe is the smallest fix and its cost is the
par. The search never runs the checker on more than ``MAX_CHECKS`` programs.
"""

from __future__ import annotations

import functools
import heapq
import re
from dataclasses import dataclass

from .checker import CheckReport, TooLarge, replay
from .fixits import FixIt, Programs, jump_target, retarget, template
from .machine import Machine
from .program_edit import legal

MAX_CHECKS = 4000
"""Programs the search gives to the checker at most before it gives up (``TooLarge``)."""
TRY_LINE = re.compile(r"^try (.+), else give back (.+) and retry$")


@dataclass(frozen=True, slots=True)
class Cost:
    """What a fix costs."""

    held: int
    """Ticket-held steps."""
    tickets: int
    serialized: str = ""
    """The ticket held over every line of every desk, or ``""``."""


@dataclass(frozen=True, slots=True)
class Fix:
    """The smallest fix the search found: the programs, their cost, the checker's report."""

    programs: Programs
    cost: Cost
    report: CheckReport
    checked: int
    """Programs the checker tried before this one was found safe."""


def tickets_of(line: str) -> tuple[str, str, str]:
    """``(taken, given back, kind)`` of a ticket line: ``kind`` is take, return, try or ``""``."""
    found = TRY_LINE.match(line)
    if found:
        return found.group(1), found.group(2), "try"
    if line.startswith("take "):
        return line[5:], "", "take"
    if line.startswith("return "):
        return "", line[7:], "return"
    return "", "", ""


def _desk_cost(lines: tuple[str, ...]) -> tuple[int, int, frozenset[str] | None]:
    """``(held, tickets, tickets held over every working line)`` of one desk's lines, read top to bottom."""
    held: set[str] = set()
    steps = tickets = 0
    always: frozenset[str] | None = None
    for line in lines:
        taken, given, kind = tickets_of(line)
        if kind == "return":
            held.discard(given)
            continue
        if held:
            steps += 1
        if kind in ("take", "try"):
            tickets += 1
            held.add(taken)
            continue
        always = frozenset(held) if always is None else always & held
    return steps, tickets, always


def cost(programs: Programs) -> Cost:
    """The cost of ``programs`` (see the module's docstring)."""
    held = tickets = 0
    common: frozenset[str] | None = None
    for lines in programs:
        h, t, always = _desk_cost(lines)
        held += h
        tickets += t
        if always is not None:
            common = always if common is None else common & always
    serialized = min(common) if common and len(programs) > 1 else ""
    return Cost(held, tickets, serialized)


def stars(fix_cost: Cost, par: Cost, safe: bool) -> int:
    """Stars of a fix: safe (1), no more ticket-held steps than par (2), and no more tickets (3).

    A fix that serializes every desk where the smallest fix does not earns no third star: that is its cost.
    """
    if not safe:
        return 0
    if fix_cost.held > par.held:
        return 1
    if fix_cost.tickets > par.tickets or (fix_cost.serialized and not par.serialized):
        return 2
    return 3


def changes(lines: tuple[str, ...], shipped: tuple[str, ...]) -> int:
    """Lines inserted plus lines deleted to get from ``shipped`` to ``lines`` (a move is one of each)."""
    a = [template(x) for x in lines]
    b = [template(x) for x in shipped]
    common = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            common[i][j] = common[i + 1][j + 1] + 1 if a[i] == b[j] else max(common[i + 1][j], common[i][j + 1])
    return len(a) + len(b) - 2 * common[0][0]


def candidates(fix: FixIt, desk: int) -> list[tuple[tuple[int, int, int], tuple[str, ...]]]:
    """Every program the search considers for ``desk``, cheapest first: ``((held, tickets, changes), lines)``."""
    shipped = fix.shipped[desk]
    fixed = [(i, line) for i, line in enumerate(shipped) if fix.is_fixed(desk, line)]
    palette = list(fix.palettes[desk])
    out: dict[tuple[str, ...], tuple[int, int, int]] = {}

    shared = _shared(fix)

    def finish(seq: list[tuple[int, str]]) -> None:
        lines = _numbered(seq, len(shipped))
        if lines in out or _dominated(lines) or _uncovered(lines, shared) or legal(fix, desk, lines):
            return
        held, tickets, _ = _desk_cost(lines)
        out[lines] = (held, tickets, changes(lines, shipped))

    def walk(seq: list[tuple[int, str]], next_fixed: int, used: frozenset[int], held: frozenset[str]) -> None:
        if next_fixed == len(fixed) and not held:
            finish(seq)
        if next_fixed < len(fixed):
            line = fixed[next_fixed][1]
            after = _hold(held, line, seq)
            if after is not None:
                walk(seq + [fixed[next_fixed]], next_fixed + 1, used, after)
        for p, line in enumerate(palette):
            if p in used:
                continue
            after = _hold(held, line, seq)
            if after is not None:
                walk(seq + [(-1, line)], next_fixed, used | {p}, after)

    walk([], 0, frozenset(), frozenset())
    return sorted(((c, lines) for lines, c in out.items()), key=lambda item: (item[0], item[1]))


PURE = re.compile(r"^([a-z][a-z0-9_]*) = \1 [+-] ")
"""Arithmetic on the desk's own register (``r = r + $50``): it commutes with every other desk's step."""


def _dominated(lines: tuple[str, ...]) -> bool:
    """A ticket taken just before arithmetic, or given back just after it: the same program with the
    ticket line on the other side of it is as safe (the arithmetic commutes with every other desk's
    step) and holds the ticket a step less, so the search need not try this one."""
    for i, line in enumerate(lines):
        kind = tickets_of(line)[2]
        if kind == "take" and i + 1 < len(lines) and PURE.match(lines[i + 1]):
            return True
        if kind == "return" and i > 0 and PURE.match(lines[i - 1]):
            return True
    return False


ACCOUNT = re.compile(r"(?:= read |^write |^)([A-Z]{1,2})(?: =|$)")


def _accounts(line: str) -> set[str]:
    """The accounts a line reads or writes (``r = read A``, ``write A = r``, ``A = A + m``)."""
    return {a for a in ACCOUNT.findall(line) if a}


def _shared(fix: FixIt) -> frozenset[str]:
    """Accounts more than one desk touches."""
    seen: dict[str, int] = {}
    for lines in fix.shipped:
        for account in set().union(*(_accounts(line) for line in lines)):
            seen[account] = seen.get(account, 0) + 1
    return frozenset(a for a, n in seen.items() if n > 1)


def _uncovered(lines: tuple[str, ...], shared: frozenset[str]) -> bool:
    """Whether a shared account is read and written with no one ticket held from the first line that
    touches it to the last: another desk's write can always fall in between (a lost update), so the
    search does not try such a program."""
    held: set[str] = set()
    over: dict[str, set[str]] = {}
    last: dict[str, int] = {}
    for i, line in enumerate(lines):
        taken, given, kind = tickets_of(line)
        if kind == "return":
            held.discard(given)
        elif kind in ("take", "try"):
            held.add(taken)
        for account in _accounts(line) & shared:
            last[account] = i
    held = set()
    for i, line in enumerate(lines):
        taken, given, kind = tickets_of(line)
        for account in _accounts(line) & shared:
            over[account] = set(held) if account not in over else over[account] & held
        for account, tickets in over.items():
            if i <= last[account] and not kind:
                tickets &= held
        if kind == "return":
            held.discard(given)
        elif kind in ("take", "try"):
            held.add(taken)
    return any(not tickets for tickets in over.values())


def _hold(held: frozenset[str], line: str, seq: list[tuple[int, str]]) -> frozenset[str] | None:
    """The tickets held after ``line``, or ``None`` if the search does not consider it here."""
    taken, given, kind = tickets_of(line)
    if kind == "take":
        return None if taken in held else held | {taken}
    if kind == "try":
        return None if taken in held or given not in held else held | {taken}
    if kind == "return":
        if given not in held:
            return None
        if seq and tickets_of(seq[-1][1])[0] == given:
            return None  # given back at once: a section with nothing in it
        return held - {given}
    return held


def _numbered(seq: list[tuple[int, str]], shipped_length: int) -> tuple[str, ...]:
    """The texts of ``seq`` (``(shipped index or -1, line)``), each shipped jump renumbered to follow its line.

    A jump to a line that is not kept goes to the next shipped line that is; a palette jump keeps its number.
    """
    where = {index: i for i, (index, _) in enumerate(seq) if index >= 0}
    out = []
    for index, line in seq:
        target = jump_target(line)
        if index < 0 or target is None:
            out.append(line)
            continue
        kept = next((where[t] for t in range(target, shipped_length) if t in where), len(seq))
        out.append(retarget(line, kept))
    return tuple(out)


WITNESSES = 64
"""Schedules that broke or jammed a program the search tried, kept to replay on the next ones."""


def _fails_again(machine: Machine, witnesses: list[tuple[int, ...]]) -> bool:
    """Whether a schedule that broke or jammed an earlier program breaks or jams this one too.

    Replaying a schedule is running it: if it breaks this program, the program is not safe,
    and the checker need not explore it (the search only wants the safe ones).
    """
    for number, schedule in enumerate(witnesses):
        result = replay(machine, schedule)
        if result is None:
            continue
        state, broken = result
        if broken is not None or (not machine.enabled(state) and not machine.done(state)):
            witnesses.insert(0, witnesses.pop(number))
            return True
    return False


@functools.cache
def smallest_fix(fix: FixIt) -> Fix:
    """Search for the smallest safe fix of ``fix`` (see the module's docstring).

    Raises:
        TooLarge: no safe fix within ``MAX_CHECKS`` programs.
    """
    lists = [candidates(fix, d) for d in range(len(fix.names))]
    if any(not c for c in lists):
        raise TooLarge("a desk has no program the search can make")
    start = (0,) * len(lists)

    def key(index: tuple[int, ...]) -> tuple[int, int, int]:
        costs = [lists[d][i][0] for d, i in enumerate(index)]
        return (sum(c[0] for c in costs), sum(c[1] for c in costs), sum(c[2] for c in costs))

    heap = [(key(start), start)]
    seen = {start}
    checked = 0
    witnesses: list[tuple[int, ...]] = []
    found: Fix | None = None
    while heap:
        (held, _, _), index = heapq.heappop(heap)
        if found is not None and held > found.cost.held:
            break  # nothing unserialized at the same ticket-held steps: the serialized fix stands
        programs = tuple(lists[d][i][1] for d, i in enumerate(index))
        report = None
        if not _fails_again(fix.machine(programs), witnesses):
            checked += 1
            if checked > MAX_CHECKS:
                if found is not None:
                    break
                raise TooLarge(f"no safe fix among the {MAX_CHECKS:,} cheapest programs")
            try:
                report = fix.report(programs)
            except TooLarge:
                report = None
            if report is not None and report.verdict in ("broken", "deadlocked"):
                witnesses.insert(0, report.shortest)
                del witnesses[WITNESSES:]
        if report is not None and report.verdict == "safe":
            c = cost(programs)
            if found is None:
                found = Fix(programs, c, report, checked)
            if not c.serialized:
                return found if found.programs == programs else Fix(programs, c, report, checked)
        for d in range(len(index)):
            if index[d] + 1 < len(lists[d]):
                nxt = index[:d] + (index[d] + 1,) + index[d + 1:]
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(heap, (key(nxt), nxt))
    if found is None:
        raise TooLarge("no safe fix among the programs the search makes")
    return found
