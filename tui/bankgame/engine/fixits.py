"""Fix the Program: puzzles where the player edits the desks' code (``assets/fixits/*.toml``).

A fix-it file is a Puzzle Book puzzle file (accounts, locks, conditions,
mailboxes, desks with programs) whose shipped program is broken, plus a
**palette**: the lines the player may insert. Every line of a desk's shipped
program that is not in its palette is **fixed**: the customer's read, add and
write cannot be deleted, and fixed lines keep their order. The win is always
``safe``: the checker must find no order of the steps that breaks the edited
program. Nothing in a file says what par is: ``fix_search.smallest_fix``
searches for it with the checker.

Usage::

    fixits = load_fixits()
    fix = fixits.fixit("fix-lost-update")
    fix.report(fix.shipped)          # the checker on the shipped program: broken
    fix.machine(programs)            # a Machine running edited programs
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..paths import assets_dir
from .checker import CheckReport, TooLarge, check
from .levels import LevelError, check_table, read_toml
from .machine import Machine
from .primitives import ProgramError, _parse_line
from .puzzles import Puzzle, parse_puzzle

FIXIT_KEYS = {"id", "order", "title", "goal", "text", "hint", "lesson", "accounts", "locks", "conditions",
              "mailboxes", "closed", "desks", "palette"}
JUMP = re.compile(r"^(.*go to )(\d+)$")
"""A line that jumps to a line number: its number follows the line it points at when lines move."""
CHAPTER = "fixit"

Programs = tuple[tuple[str, ...], ...]
"""Every desk's lines, in desk order."""


@dataclass(frozen=True, eq=False)
class FixIt:
    """One fix-it puzzle: a broken program, the palette, the fixed lines."""

    id: str
    order: int
    title: str
    goal: str
    text: str
    hint: str
    lesson: str
    puzzle: Puzzle
    """The shipped program as a puzzle (its machine, its desks, its tables)."""
    palettes: tuple[tuple[str, ...], ...]
    """Per desk: the lines the player may insert (and delete)."""
    file: str

    @property
    def names(self) -> tuple[str, ...]:
        """The desks' names."""
        return self.puzzle.machine.names

    @property
    def shipped(self) -> Programs:
        """The programs as shipped (broken)."""
        return tuple(d.lines for d in self.puzzle.machine.desks)

    def is_fixed(self, desk: int, line: str) -> bool:
        """Whether ``line`` is one of the puzzle's fixed lines on ``desk`` (not in its palette)."""
        return template(line) not in {template(p) for p in self.palettes[desk]}

    def fixed_lines(self, desk: int) -> tuple[str, ...]:
        """The shipped lines of ``desk`` that cannot be deleted, in their order (jump numbers as shipped)."""
        return tuple(line for line in self.shipped[desk] if self.is_fixed(desk, line))

    def machine(self, programs: Programs) -> Machine:
        """Return a machine running ``programs`` on this puzzle's tables and transactions.

        Raises:
            ProgramError: a line is not valid (``.desk`` names the desk).
        """
        base = self.puzzle.machine
        desks = tuple(replace(spec, lines=tuple(lines)) for spec, lines in zip(base.desks, programs))
        return Machine(base.tables, desks, base.opening, base.closed)

    def report(self, programs: Programs) -> CheckReport:
        """The checker's report on ``programs`` (cached: the same programs are checked once)."""
        return _report(self, tuple(tuple(p) for p in programs))

    def as_puzzle(self, programs: Programs) -> Puzzle:
        """The edited programs as a puzzle whose win is ``safe`` (to play a schedule back on its desks)."""
        key = "\n".join("\n".join(p) + "\n[]" for p in programs)
        return replace(self.puzzle, machine=self.machine(programs), file=f"{self.file}#{hash(key)}")


@functools.lru_cache(maxsize=4096)
def _report(fix: FixIt, programs: Programs) -> CheckReport:
    return check(fix.machine(programs))


def template(line: str) -> str:
    """``line`` with its jump number, if any, as ``N``: the same line wherever it points."""
    found = JUMP.match(line)
    return f"{found.group(1)}N" if found else line


def jump_target(line: str) -> int | None:
    """The 0-based line a jump goes to, or ``None`` for a line that does not jump."""
    found = JUMP.match(line)
    return int(found.group(2)) - 1 if found else None


def retarget(line: str, target: int) -> str:
    """``line`` jumping to the 0-based ``target``."""
    found = JUMP.match(line)
    assert found is not None
    return f"{found.group(1)}{target + 1}"


@dataclass(frozen=True)
class FixBook:
    """Every fix-it puzzle, in order."""

    fixits: tuple[FixIt, ...]

    def fixit(self, fixit_id: str) -> FixIt:
        """Return the fix-it ``fixit_id``.

        Raises:
            KeyError: no such fix-it.
        """
        for f in self.fixits:
            if f.id == fixit_id:
                return f
        raise KeyError(fixit_id)

    def ids(self) -> list[str]:
        """Every fix-it's id, in order."""
        return [f.id for f in self.fixits]


def fixits_dir() -> Path:
    """The folder of the fix-it files."""
    return assets_dir() / "fixits"


@functools.cache
def load_fixits(folder: str | None = None) -> FixBook:
    """Read and check every fix-it file.

    Raises:
        LevelError: naming the file, the key and the reason.
    """
    root = Path(folder) if folder else fixits_dir()
    fixits = [load_fixit_file(path) for path in sorted(root.glob("*.toml"))]
    ids = [f.id for f in fixits]
    for f in fixits:
        if ids.count(f.id) > 1:
            raise LevelError(f.file, "id", f"another fix-it file also has the id {f.id!r}")
    return FixBook(tuple(sorted(fixits, key=lambda f: (f.order, f.id))))


def load_fixit_file(path: Path) -> FixIt:
    """Read and check one fix-it file."""
    return parse_fixit(read_toml(path), str(path))


def _palette(value: Any, name: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LevelError(name, key, "must be a list of lines, like [\"take ticket A\", \"return ticket A\"]")
    return [" ".join(v.split()) for v in value]


def parse_fixit(data: dict[str, Any], name: str) -> FixIt:
    """Turn a fix-it's TOML table into a ``FixIt``, refusing anything unclear."""
    for key in data:
        if key == "par":
            raise LevelError(name, key, "unknown key: par is searched by the checker, never typed")
        if key not in FIXIT_KEYS:
            raise LevelError(name, key, f"unknown key (known: {', '.join(sorted(FIXIT_KEYS))})")
    common = _palette(data.get("palette", []), name, "palette")
    desks = data.get("desks")
    if not isinstance(desks, list):
        raise LevelError(name, "desks", "must be an array of tables ([[desks]])")
    palettes: list[list[str]] = []
    plain_desks = []
    for i, desk in enumerate(desks):
        check_table(desk, name, f"desks[{i}]", {"name", "role", "program", "does", "palette"})
        own = _palette(desk.get("palette", []), name, f"desks[{i}].palette")
        palettes.append(list(dict.fromkeys(common + own)))
        plain_desks.append({k: v for k, v in desk.items() if k != "palette"})
    puzzle_data = {k: v for k, v in data.items() if k != "palette"}
    puzzle_data.update(chapter=CHAPTER, win="safe", desks=plain_desks)
    puzzle = parse_puzzle(puzzle_data, name, [CHAPTER])
    machine = puzzle.machine
    kept: list[tuple[str, ...]] = []
    for d, palette in enumerate(palettes):
        # A palette line must be a line of the game on this desk (where it may go, the editor checks).
        mine = []
        for j, line in enumerate(palette):
            try:
                _parse_line(j + 1, line, machine.tables, list(machine.registers[d]))
            except ProgramError as error:
                raise LevelError(name, f"palette ({machine.names[d]}) line {j + 1}", error.reason) from None
            mine.append(line)
        kept.append(tuple(mine))
    fix = FixIt(
        id=puzzle.id, order=puzzle.order, title=puzzle.title, goal=puzzle.goal, text=puzzle.text, hint=puzzle.hint,
        lesson=puzzle.lesson, puzzle=puzzle, palettes=tuple(kept), file=name,
    )
    try:
        verdict = fix.report(fix.shipped).verdict
    except TooLarge as error:
        raise LevelError(name, "desks", f"too large to check: {error}") from None
    if verdict == "safe":
        raise LevelError(name, "desks", "the shipped program is already safe: there is nothing to fix")
    return fix
