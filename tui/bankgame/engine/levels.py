"""Levels as data: TOML files in ``assets/levels/``, checked key by key."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from ..paths import assets_dir
from .programs import parse_tickets


class LevelError(ValueError):
    """A level file that cannot be used: names the file, the key and the reason."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: key '{key}': {reason}")
        self.file = file
        self.key = key
        self.reason = reason


Mode = Literal["shared", "message"]
"""Shared state with tickets, or message passing to clerks who own the accounts."""
TicketScope = Literal["write", "check"]
"""What a ticket covers: the write only, or the check and the write."""
LockOrder = Literal["any", "account"]
"""The order a transfer takes its two tickets in: as it comes, or by account."""
Scheduler = Literal["seeded", "player"]
"""Who picks the next step: the seeded scheduler, or the player."""


@dataclass(frozen=True, slots=True)
class DayConfig:
    """Every knob of a day at the branch. A level gives defaults; options override."""

    mode: Mode = "shared"
    cashiers: int = 2
    accounts: int = 4
    customers: int = 40
    tickets: str = "none"
    rate_ticket: bool = False
    ticket_scope: TicketScope = "check"
    lock_order: LockOrder = "any"
    clerks: int = 2
    opening_balance: int = 100_000
    """Each account's opening balance, in cents."""
    arrival_gap: float = 1.0
    patience: int = 80
    arrival_jitter: float = 1.0
    """How much the gaps between arrivals vary: 0 steady, 1 anywhere from 0 to twice the mean."""
    deposit: float = 1.0
    withdraw: float = 0.0
    transfer: float = 0.0
    quote: float = 0.0
    hot_account: float = 0.0
    amount_min: int = 500
    amount_max: int = 5_000
    closed: tuple[int, ...] = ()
    remote_clerks: int = 0
    """Clerks of a second branch, reachable only by message."""
    remote_latency: int = 0
    """Ticks a message takes to reach the second branch, and to come back."""
    shared_available: bool = True
    message_available: bool = True
    """Whether the player may switch to message passing (a back office exists)."""
    open_desks: int = 0
    """Desks open at the start, when the player may open more (up to ``cashiers``); 0: all, fixed."""
    max_clerks: int = 0
    """Most clerks the player may put to work; 0: the number of clerks is fixed."""
    watch_ticks: int = 0
    """The watch phase: a change the player asks for by this tick starts the judged day afresh
    when it takes effect (the line of the watch phase is sent home)."""
    scheduler: Scheduler = "seeded"
    """``seeded``: the seeded scheduler picks who moves; ``player``: the player does."""
    max_ticks: int = 0
    """Safety limit on the day's length; 0 picks one from the workload."""


CHOICES: dict[str, tuple[str, ...]] = {
    "mode": get_args(Mode),
    "ticket_scope": get_args(TicketScope),
    "lock_order": get_args(LockOrder),
    "scheduler": get_args(Scheduler),
}
RANGES: dict[str, tuple[float, float]] = {
    "cashiers": (1, 16),
    "accounts": (1, 52),
    "customers": (0, 100_000),
    "clerks": (1, 16),
    "opening_balance": (0, 10_000_000),
    "arrival_gap": (0, 1000),
    "patience": (1, 100_000),
    "arrival_jitter": (0, 1),
    "deposit": (0, 1000),
    "withdraw": (0, 1000),
    "transfer": (0, 1000),
    "quote": (0, 1000),
    "hot_account": (0, 1),
    "amount_min": (1, 1_000_000),
    "amount_max": (1, 1_000_000),
    "remote_clerks": (0, 16),
    "remote_latency": (0, 100),
    "max_ticks": (0, 10_000_000),
    "open_desks": (0, 16),
    "max_clerks": (0, 16),
    "watch_ticks": (0, 100_000),
}

METRICS = (
    "served", "left", "errors", "lost_updates", "overdrafts", "deadlocks",
    "mean_wait", "max_wait", "ticks", "audit_gap", "score", "recovered_clerks",
    "desk_use", "clerk_use",
)


@dataclass(frozen=True, slots=True)
class Goal:
    """One goal of a level; the n-th goal met in order gives the n-th star."""

    text: str
    metric: str
    at_least: float | None = None
    at_most: float | None = None
    missed: str = ""
    """Why a day misses this goal, for the debrief."""

    def met(self, value: float) -> bool:
        """Return whether ``value`` of this goal's metric meets it."""
        if self.at_least is not None and value < self.at_least:
            return False
        if self.at_most is not None and value > self.at_most:
            return False
        return True


@dataclass(frozen=True, slots=True)
class Level:
    """A level: a day configuration plus the story and goals around it."""

    id: str
    title: str
    order: int
    seed: int
    day: DayConfig
    lessons: tuple[str, ...] = ()
    briefing: str = ""
    debrief: str = ""
    goals: tuple[Goal, ...] = ()


TOP_KEYS = {"id", "title", "order", "seed", "lessons", "briefing", "debrief", "day", "goals"}
RETIRED_KEYS = {
    "challenges": "no longer read: Break the Bank's challenges are now the Puzzle Book's puzzles "
                  "(files in assets/puzzles/); remove this table from the level",
}
"""Keys older level files may still have, and what a teacher should do about each."""
GOAL_KEYS = {"text", "metric", "at_least", "at_most", "missed"}


def levels_dir() -> Path:
    """Return the folder of the built-in levels."""
    return assets_dir() / "levels"


def level_ids() -> list[str]:
    """Return the ids of the built-in levels in campaign order (sandbox last)."""
    return [level.id for level in all_levels()]


def all_levels() -> list[Level]:
    """Return every built-in level, in campaign order."""
    levels = [load_level_file(path) for path in sorted(levels_dir().glob("*.toml"))]
    return sorted(levels, key=lambda level: level.order)


def load_level(level_id: str) -> Level:
    """Return the built-in level ``level_id``.

    Raises:
        KeyError: no level has that id.
        LevelError: its file is not valid.
    """
    # Files are named ``NN-id.toml`` so that a folder listing shows the campaign order.
    for path in levels_dir().glob("*.toml"):
        if path.stem == level_id or path.stem.partition("-")[2] == level_id:
            return load_level_file(path)
    raise KeyError(level_id)


def load_level_file(path: Path) -> Level:
    """Read and check one level file.

    Raises:
        LevelError: naming the file, the key and the reason.
    """
    return parse_level(read_toml(path), str(path))


def read_toml(path: Path) -> dict[str, Any]:
    """Return the table a level or chapter file holds.

    Raises:
        LevelError: the file cannot be read or is not valid TOML.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise LevelError(str(path), "(file)", f"not valid TOML: {error}") from None
    except OSError as error:
        raise LevelError(str(path), "(file)", f"cannot be read: {error.strerror}") from None


def parse_level(data: dict[str, Any], name: str = "<level>") -> Level:
    """Turn a level's TOML table into a ``Level``, refusing anything unclear."""
    for key in data:
        if key in RETIRED_KEYS:
            raise LevelError(name, key, RETIRED_KEYS[key])
        if key not in TOP_KEYS:
            raise LevelError(name, key, f"unknown key (known: {', '.join(sorted(TOP_KEYS))})")
    for key in ("id", "title"):
        if key not in data:
            raise LevelError(name, key, "missing")
        if not isinstance(data[key], str) or not data[key].strip():
            raise LevelError(name, key, "must be a non-empty string")
    order = _int(data.get("order", 99), name, "order")
    seed = _int(data.get("seed", 1), name, "seed")
    lessons = data.get("lessons", [])
    if not isinstance(lessons, list) or not all(isinstance(x, str) for x in lessons):
        raise LevelError(name, "lessons", "must be a list of strings")
    for key in ("briefing", "debrief"):
        if not isinstance(data.get(key, ""), str):
            raise LevelError(name, key, "must be a string")
    day_table = data.get("day", {})
    if not isinstance(day_table, dict):
        raise LevelError(name, "day", "must be a table")
    day = make_day(day_table, name, prefix="day.")
    goals_data = data.get("goals", [])
    if not isinstance(goals_data, list):
        raise LevelError(name, "goals", "must be an array of tables ([[goals]])")
    goals = tuple(_goal(g, name, i) for i, g in enumerate(goals_data))
    if len(goals) > 3:
        raise LevelError(name, "goals", "at most three goals (one per star)")
    return Level(
        id=data["id"], title=data["title"], order=order, seed=seed, day=day,
        lessons=tuple(lessons), briefing=data.get("briefing", "").strip(),
        debrief=data.get("debrief", "").strip(), goals=goals,
    )


def make_day(values: dict[str, Any], name: str = "<options>", prefix: str = "", base: DayConfig | None = None) -> DayConfig:
    """Return ``base`` (or the defaults) with ``values`` applied, each one checked.

    Raises:
        LevelError: an unknown key, a value of the wrong type or out of range.
    """
    base = base or DayConfig()
    fields = {f.name: f for f in dataclasses.fields(DayConfig)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        where = prefix + key
        if key not in fields:
            raise LevelError(name, where, "unknown key")
        default = getattr(DayConfig(), key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise LevelError(name, where, "must be true or false")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise LevelError(name, where, "must be a whole number")
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise LevelError(name, where, "must be a number")
            value = float(value)
        elif isinstance(default, str):
            if not isinstance(value, str):
                raise LevelError(name, where, "must be a string")
        elif isinstance(default, tuple):
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                raise LevelError(name, where, "must be a list of account numbers")
            value = tuple(value)
        if key == "tickets":
            try:
                parse_tickets(value, values.get("accounts", base.accounts))
            except ValueError as error:
                raise LevelError(name, where, f"must be none, vault, accounts or a list of resources: {error}") from None
        if key in CHOICES and value not in CHOICES[key]:
            raise LevelError(name, where, f"must be one of {', '.join(CHOICES[key])}, not {value!r}")
        if key in RANGES:
            low, high = RANGES[key]
            if not low <= value <= high:
                raise LevelError(name, where, f"must be between {low:g} and {high:g}, not {value}")
        changes[key] = value
    day = dataclasses.replace(base, **changes)
    if day.amount_max < day.amount_min:
        raise LevelError(name, prefix + "amount_max", "must not be below amount_min")
    if day.open_desks > day.cashiers:
        raise LevelError(name, prefix + "open_desks", "must not be above cashiers")
    for account in day.closed:
        if not 0 <= account < day.accounts:
            raise LevelError(name, prefix + "closed", f"account {account} does not exist")
    return day


def _int(value: Any, name: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LevelError(name, key, "must be a whole number")
    return value


def check_table(table: Any, name: str, where: str, known: Collection[str]) -> dict[str, Any]:
    """Return ``table`` if it is a table whose keys are all ``known``.

    Args:
        table: A value read from a TOML file.
        name: The file, for the error.
        where: Where the table sits in the file, such as ``goals[0]``.
        known: The keys the table may have.

    Raises:
        LevelError: not a table, or a key it should not have.
    """
    if not isinstance(table, dict):
        raise LevelError(name, where, "must be a table")
    for key in table:
        if key not in known:
            raise LevelError(name, f"{where}.{key}", "unknown key")
    return table


def _goal(data: Any, name: str, index: int) -> Goal:
    where = f"goals[{index}]"
    check_table(data, name, where, GOAL_KEYS)
    text = data.get("text")
    if not isinstance(text, str) or not text:
        raise LevelError(name, f"{where}.text", "missing or not a string")
    metric = data.get("metric")
    if metric not in METRICS:
        raise LevelError(name, f"{where}.metric", f"must be one of {', '.join(METRICS)}")
    bounds = {}
    for key in ("at_least", "at_most"):
        if key in data:
            if isinstance(data[key], bool) or not isinstance(data[key], (int, float)):
                raise LevelError(name, f"{where}.{key}", "must be a number")
            bounds[key] = data[key]
    if not bounds:
        raise LevelError(name, where, "needs at_least or at_most")
    missed = data.get("missed", "")
    if not isinstance(missed, str):
        raise LevelError(name, f"{where}.missed", "must be a string")
    return Goal(text=text, metric=metric, missed=" ".join(missed.split()), **bounds)
