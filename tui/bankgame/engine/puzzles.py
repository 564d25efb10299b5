"""The Puzzle Book: scheduler puzzles as data (``assets/puzzles/*.toml``).

Each puzzle file holds the primitives (accounts, locks, conditions,
mailboxes), the desks' programs as code, the goal and the verdict that wins
it. Nothing in a file says how many steps it takes: the par is the checker's
shortest schedule, computed (``Puzzle.report``).

Usage::

    book = load_book()                       # chapters, in order, with their puzzles
    puzzle = book.puzzle("lost-update")
    puzzle.report()                          # CheckReport(verdict="broken", shortest=..., ...)
    run = PuzzleRun(puzzle)
    run.movable(); run.pick(0); run.undo(); run.verdict()
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..paths import assets_dir
from .checker import VERDICTS, CheckReport, check
from .levels import LevelError, check_table, read_toml
from .machine import ROLES, DeskSpec, Machine
from .primitives import ConditionSpec, LockSpec, ProgramError, Tables, cents

PUZZLE_KEYS = {
    "id", "chapter", "order", "title", "goal", "text", "win", "hint", "accounts", "locks", "conditions",
    "mailboxes", "closed", "desks", "lesson",
}
DESK_KEYS = {"name", "role", "program", "does"}
CHAPTER_KEYS = {"id", "title", "text"}
WINS = tuple(v for v in VERDICTS)


@dataclass(frozen=True)
class Puzzle:
    """One scheduler puzzle."""

    id: str
    chapter: str
    order: int
    title: str
    goal: str
    """What winning means, on screen the whole time."""
    text: str
    win: str
    """The verdict the player must reach: ``broken``, ``deadlocked``, ``livelocked``, ``starved``,
    or ``safe`` (run it to its end and find that nothing breaks it)."""
    hint: str
    """Where to look (the first hint)."""
    lesson: str
    machine: Machine
    file: str

    def report(self) -> CheckReport:
        """Return the checker's report on this puzzle (computed once)."""
        return _report(self)

    @property
    def par(self) -> int:
        """The checker's shortest schedule's length."""
        return self.report().par


_reports: dict[tuple[str, str], CheckReport] = {}


def _report(puzzle: Puzzle) -> CheckReport:
    key = (puzzle.id, puzzle.file)
    if key not in _reports:
        _reports[key] = check(puzzle.machine)
    return _reports[key]


@dataclass(frozen=True)
class Chapter:
    """A chapter of the book and its puzzles in order."""

    id: str
    title: str
    text: str
    puzzles: tuple[Puzzle, ...]


@dataclass(frozen=True)
class Book:
    """Every chapter, in order."""

    chapters: tuple[Chapter, ...]

    @property
    def puzzles(self) -> list[Puzzle]:
        """Every puzzle, chapter by chapter."""
        return [p for c in self.chapters for p in c.puzzles]

    def puzzle(self, puzzle_id: str) -> Puzzle:
        """Return the puzzle ``puzzle_id``.

        Raises:
            KeyError: no such puzzle.
        """
        for p in self.puzzles:
            if p.id == puzzle_id:
                return p
        raise KeyError(puzzle_id)

    def ids(self) -> list[str]:
        """Every puzzle's id, in order."""
        return [p.id for p in self.puzzles]


def puzzles_dir() -> Path:
    """The folder of the puzzle files."""
    return assets_dir() / "puzzles"


@functools.cache
def load_book(folder: str | None = None) -> Book:
    """Read and check every puzzle file and ``chapters.toml``.

    Raises:
        LevelError: naming the file, the key and the reason.
    """
    root = Path(folder) if folder else puzzles_dir()
    chapters_file = root / "chapters.toml"
    data = read_toml(chapters_file)
    tables = data.get("chapters")
    if not isinstance(tables, list) or not tables:
        raise LevelError(str(chapters_file), "chapters", "must be an array of tables ([[chapters]])")
    heads = []
    for i, table in enumerate(tables):
        check_table(table, str(chapters_file), f"chapters[{i}]", CHAPTER_KEYS)
        for key in CHAPTER_KEYS:
            if not isinstance(table.get(key), str) or not table[key].strip():
                raise LevelError(str(chapters_file), f"chapters[{i}].{key}", "missing or not a string")
        heads.append(table)
    known = [t["id"] for t in heads]
    puzzles = [load_puzzle_file(path, known) for path in sorted(root.glob("*.toml")) if path.name != "chapters.toml"]
    ids = [p.id for p in puzzles]
    for p in puzzles:
        if ids.count(p.id) > 1:
            raise LevelError(p.file, "id", f"another puzzle file also has the id {p.id!r}")
    chapters = tuple(
        Chapter(t["id"], t["title"], " ".join(t["text"].split()),
                tuple(sorted((p for p in puzzles if p.chapter == t["id"]), key=lambda p: (p.order, p.id))))
        for t in heads
    )
    return Book(chapters)


def load_puzzle_file(path: Path, chapters: list[str]) -> Puzzle:
    """Read and check one puzzle file.

    Raises:
        LevelError: naming the file, the key (``desks[1].program`` line 3...) and the reason.
    """
    return parse_puzzle(read_toml(path), str(path), chapters)


def _text(data: dict[str, Any], key: str, name: str, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise LevelError(name, key, "missing or not a string" if required else "must be a string")
    return " ".join(value.split())


def parse_puzzle(data: dict[str, Any], name: str, chapters: list[str]) -> Puzzle:
    """Turn a puzzle's TOML table into a ``Puzzle``, refusing anything unclear."""
    for key in data:
        if key == "par":
            raise LevelError(name, key, "unknown key: a puzzle's par is the checker's shortest schedule, never typed")
        if key not in PUZZLE_KEYS:
            raise LevelError(name, key, f"unknown key (known: {', '.join(sorted(PUZZLE_KEYS))})")
    puzzle_id = _text(data, "id", name)
    chapter = data.get("chapter")
    if chapter not in chapters:
        raise LevelError(name, "chapter", f"must be one of {', '.join(chapters)}")
    order = data.get("order", 99)
    if isinstance(order, bool) or not isinstance(order, int):
        raise LevelError(name, "order", "must be a whole number")
    win = data.get("win")
    if win not in WINS:
        raise LevelError(name, "win", f"must be one of {', '.join(WINS)}")
    accounts = data.get("accounts")
    if not isinstance(accounts, dict) or not accounts:
        raise LevelError(name, "accounts", "must be a table of opening balances in dollars, like { A = 100 }")
    for account, value in accounts.items():
        if account != "rates" and not (account.isalpha() and account.isupper() and len(account) <= 2):
            raise LevelError(name, f"accounts.{account}", "an account is named by capital letters (A, B, AA) or is 'rates'")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value > 1_000_000:
            raise LevelError(name, f"accounts.{account}", "must be a number of dollars from 0 to 1000000")
    locks = tuple(_lock(t, name, i) for i, t in enumerate(_list(data, "locks", name)))
    lock_names = [lock.name for lock in locks]
    if len(set(lock_names)) != len(lock_names):
        raise LevelError(name, "locks", "two locks share a name")
    conditions = []
    for i, t in enumerate(_list(data, "conditions", name)):
        check_table(t, name, f"conditions[{i}]", {"name", "lock"})
        if not isinstance(t.get("name"), str) or t.get("lock") not in lock_names:
            raise LevelError(name, f"conditions[{i}]", "needs a name and the name of one of the locks")
        conditions.append(ConditionSpec(t["name"], t["lock"]))
    mailboxes = _list(data, "mailboxes", name)
    if not all(isinstance(m, str) and m.strip() for m in mailboxes):
        raise LevelError(name, "mailboxes", "must be a list of names")
    desk_tables = _list(data, "desks", name)
    if not 1 <= len(desk_tables) <= 6:
        raise LevelError(name, "desks", "a puzzle has 1 to 6 desks ([[desks]])")
    desk_names = []
    for i, t in enumerate(desk_tables):
        check_table(t, name, f"desks[{i}]", DESK_KEYS)
        if not isinstance(t.get("name"), str) or not t["name"].strip():
            raise LevelError(name, f"desks[{i}].name", "missing or not a string")
        desk_names.append(t["name"])
    if len(set(desk_names)) != len(desk_names):
        raise LevelError(name, "desks", "two desks share a name")
    account_names = tuple(accounts)
    tables = Tables(locks=locks, conditions=tuple(conditions), accounts=account_names,
                    mailboxes=tuple(mailboxes), desks=tuple(desk_names))
    desks = tuple(_desk(t, name, i, account_names) for i, t in enumerate(desk_tables))
    closed = data.get("closed", [])
    if not isinstance(closed, list) or any(c not in account_names for c in closed):
        raise LevelError(name, "closed", "must be a list of the puzzle's accounts")
    try:
        machine = Machine(tables, desks, tuple(cents(f"{v:.2f}") for v in accounts.values()),
                          frozenset(account_names.index(c) for c in closed))
    except ProgramError as error:
        index = desk_names.index(error.desk)  # type: ignore[attr-defined]
        raise LevelError(name, f"desks[{index}].program", f"{error}") from None
    return Puzzle(
        id=puzzle_id, chapter=chapter, order=order, title=_text(data, "title", name), goal=_text(data, "goal", name),
        text=_text(data, "text", name, required=False), win=win, hint=_text(data, "hint", name),
        lesson=_text(data, "lesson", name, required=False), machine=machine, file=name,
    )


def _list(data: dict[str, Any], key: str, name: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise LevelError(name, key, "must be a list")
    return value


def _lock(table: Any, name: str, index: int) -> LockSpec:
    check_table(table, name, f"locks[{index}]", {"name", "permits"})
    lock_name = table.get("name")
    if not isinstance(lock_name, str) or not lock_name.strip():
        raise LevelError(name, f"locks[{index}].name", "missing or not a string")
    permits = table.get("permits", 1)
    if isinstance(permits, bool) or not isinstance(permits, int) or not 1 <= permits <= 8:
        raise LevelError(name, f"locks[{index}].permits", "must be a whole number from 1 to 8")
    return LockSpec(lock_name, permits)


def _desk(table: dict[str, Any], name: str, index: int, accounts: tuple[str, ...]) -> DeskSpec:
    where = f"desks[{index}]"
    role = table.get("role", "cashier")
    if role not in ROLES:
        raise LevelError(name, f"{where}.role", f"must be one of {', '.join(ROLES)}")
    program = table.get("program")
    if not isinstance(program, str) or not program.strip():
        raise LevelError(name, f"{where}.program", "missing: the desk's lines, one a line")
    lines = tuple(line.strip() for line in program.strip().splitlines())
    if any(not line for line in lines):
        raise LevelError(name, f"{where}.program", "a blank line is not a line of code")
    does = table.get("does", {})
    if not isinstance(does, dict):
        raise LevelError(name, f"{where}.does", "must be a table like { A = 50 } (dollars in, or out if negative)")
    for account, amount in does.items():
        if account not in accounts:
            raise LevelError(name, f"{where}.does.{account}", "not one of the puzzle's accounts")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise LevelError(name, f"{where}.does.{account}", "must be a number of dollars")
    effect = tuple((a, round(v * 100)) for a, v in does.items())
    return DeskSpec(table["name"], lines, ((0, effect),), role)
