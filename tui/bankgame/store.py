"""Saved progress: stars, best scores, the tutorial's place, settings, days played.

One SQLite file (standard library), ``progress.sqlite3`` in
``platformdirs.user_data_dir("bankgame")``, or in the folder named by the
environment variable ``BANKGAME_HOME``. Every change is one transaction in WAL
mode, so killing the game in the middle of a save leaves the last complete
save. The game never crashes over its save and never deletes one:

* a corrupt or unreadable file is renamed ``progress.sqlite3.corrupt-<n>``
  (its bytes untouched, with its ``-wal``/``-shm`` companions), a fresh store
  is made, and ``Store.notice`` says so;
* a folder that cannot be written gives an in-memory store (progress lasts
  until quitting, the saved progress copied in when it can be read) and a
  ``Store.notice`` saying so.

API (everything a screen needs)::

    store = open_store()            # or open_store(folder), Store.memory()
    store.notice                    # "" or a sentence to show the player once
    store.path                      # Path of the file, None when in memory

    # campaign
    store.stars("rush-hour")        # 0..3, best ever
    store.best_score("rush-hour")   # int | None
    store.unlocked("vault")         # first level always; next once previous has >= 1 star
    store.progress()                # {level_id: LevelProgress(stars, best_score, plays)}
    store.record_day(level_id, stars=2, score=310, seed=2, details={...})
        -> Recorded(stars, best_score, new_stars, new_best, unlocked)   # one transaction
    store.record_report(report, options={...})   # the same, from an engine Report
    store.history(level_id=None, limit=50) -> list[DayRecord], newest first

    # tutorial
    store.tutorial() -> TutorialState(step, status)   # status: new|started|done|skipped
    store.set_tutorial(step, status="started")
    store.reset_tutorial()

    # settings (defaults in SETTINGS: theme, speed, animations)
    store.settings() -> dict        # every setting, defaults filled in
    store.setting("speed")          # one value
    store.set_setting("speed", 2.0) # ValueError for an unknown key or a wrong type

    store.close()                   # also a context manager
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Report

FILE_NAME = "progress.sqlite3"
HOME_ENV = "BANKGAME_HOME"
SCHEMA_VERSION = 1
SETTINGS: dict[str, Any] = {"theme": "textual-dark", "speed": 1.0, "animations": True}
"""Every setting and its default; a stored value must have the default's type."""
TUTORIAL_STATUSES = ("new", "started", "done", "skipped")

_SCHEMA = {
    "meta": "key TEXT PRIMARY KEY, value TEXT NOT NULL",
    "levels": "level_id TEXT PRIMARY KEY, stars INTEGER NOT NULL DEFAULT 0, "
    "best_score INTEGER, plays INTEGER NOT NULL DEFAULT 0",
    "settings": "key TEXT PRIMARY KEY, value TEXT NOT NULL",
    "history": "id INTEGER PRIMARY KEY AUTOINCREMENT, level_id TEXT NOT NULL, seed INTEGER, "
    "stars INTEGER NOT NULL, score INTEGER NOT NULL, played_at REAL NOT NULL, details TEXT NOT NULL",
    # The Puzzle Book (see the section at the end of Store).
    "puzzles": "puzzle_id TEXT PRIMARY KEY, won INTEGER NOT NULL DEFAULT 0, stars INTEGER NOT NULL DEFAULT 0, "
    "best_steps INTEGER, hints INTEGER NOT NULL DEFAULT 0",
}


@dataclass(frozen=True, slots=True)
class LevelProgress:
    """The best a player has done on one level."""

    stars: int = 0
    best_score: int | None = None
    plays: int = 0


@dataclass(frozen=True, slots=True)
class Recorded:
    """What saving a day changed, for the results screen."""

    stars: int
    """Best stars on the level now."""
    best_score: int
    new_stars: bool
    """The day earned more stars than ever before."""
    new_best: bool
    unlocked: str | None
    """The level this day unlocked, if any."""


@dataclass(frozen=True, slots=True)
class DayRecord:
    """One day played, as the history keeps it."""

    level_id: str
    seed: int | None
    stars: int
    score: int
    played_at: float
    """Seconds since the epoch."""
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TutorialState:
    """Where the player is in the guided tutorial."""

    step: str = ""
    """The id of the current step; ``""`` before the first."""
    status: str = "new"
    """``new``, ``started``, ``done`` or ``skipped``."""


class StoreProblem(Exception):
    """The file exists but is not a save this game can use."""


def data_folder() -> Path:
    """Return the folder of the save: ``$BANKGAME_HOME`` or the platform's user data folder."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("bankgame", appauthor=False))


def open_store(folder: Path | str | None = None) -> Store:
    """Open the saved progress, never raising.

    Args:
        folder: where ``progress.sqlite3`` lives; ``None`` uses ``data_folder()``.

    Returns:
        A store on the file; or a fresh one after setting a bad file aside; or
        one in memory when the folder cannot be written. ``notice`` says which.
    """
    folder = Path(folder) if folder is not None else data_folder()
    path = folder / FILE_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return Store.memory(_unsaved(folder, error.strerror or str(error)))
    notice = ""
    try:
        return Store(_connect(path), path)
    except StoreProblem as problem:
        reason = str(problem)
    except sqlite3.OperationalError as error:
        # Cannot open or write: a read-only folder, a locked file, a folder
        # where the file should be. An existing file we cannot read is set aside.
        if path.is_file() and not os.access(path, os.R_OK):
            reason = "no permission to read it"
        else:
            return Store.memory(_unsaved(folder, str(error)), copy_from=path)
    except sqlite3.DatabaseError as error:
        reason = str(error)
    try:
        aside = set_aside(path)
    except OSError as error:
        return Store.memory(
            f"Your saved progress in {path} could not be read ({reason}) and could not be moved aside "
            f"({error.strerror}). Progress this session will not be saved."
        )
    notice = (
        f"Your saved progress could not be read ({reason}). It was kept as {aside.name} in {folder}, "
        "untouched, and a fresh save was started."
    )
    try:
        return Store(_connect(path), path, notice)
    except (sqlite3.Error, StoreProblem) as error:
        return Store.memory(notice + " " + _unsaved(folder, str(error)))


def _unsaved(folder: Path, reason: str) -> str:
    return f"Progress cannot be saved in {folder} ({reason}). You can play; progress lasts until you quit."


def set_aside(path: Path) -> Path:
    """Rename a bad save (and its WAL companions) to ``<name>.corrupt-<n>``; return the new path.

    Raises:
        OSError: the rename failed.
    """
    n = 1
    while any(path.with_name(f"{path.name}{tail}.corrupt-{n}").exists() for tail in ("", "-wal", "-shm")):
        n += 1
    target = path.with_name(f"{path.name}.corrupt-{n}")
    os.replace(path, target)
    for tail in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + tail)
        if companion.exists():
            os.replace(companion, path.with_name(f"{path.name}{tail}.corrupt-{n}"))
    return target


def _connect(path: Path | str) -> sqlite3.Connection:
    """Open, check and prepare a save; raise ``StoreProblem`` or ``sqlite3.Error``."""
    memory = str(path) == ":memory:"
    conn = sqlite3.connect(str(path), timeout=2.0, isolation_level=None, check_same_thread=False)
    try:
        if not memory:
            result = conn.execute("PRAGMA integrity_check").fetchone()
            if not result or result[0] != "ok":
                raise StoreProblem(f"integrity check: {result[0] if result else 'no answer'}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        _prepare(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _prepare(conn: sqlite3.Connection) -> None:
    """Make or check the tables, in one transaction; raise ``StoreProblem`` or ``sqlite3.Error``."""
    conn.execute("BEGIN IMMEDIATE")  # also proves the file can be written
    try:
        for table, columns in _SCHEMA.items():
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
            _check_columns(conn, table, columns)
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif row[0] != str(SCHEMA_VERSION):
            raise StoreProblem(f"it was saved by another version of the game (schema {row[0]})")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _check_columns(conn: sqlite3.Connection, table: str, columns: str) -> None:
    want = [c.split()[0] for c in columns.split(", ")]
    have = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    if have != want:
        raise StoreProblem(f"table {table} is not a bankgame table")


class Store:
    """Saved progress on one SQLite connection. Build it with ``open_store()``."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, notice: str = "") -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.path = path
        """The file, or ``None`` for a store in memory."""
        self.notice = notice
        """A sentence for the player about the save (set aside, not saved), or ``""``."""
        self._campaign: list[str] | None = None

    @classmethod
    def memory(cls, notice: str = "", copy_from: Path | None = None) -> Store:
        """Return a store that lives only until the game quits.

        Args:
            notice: what to tell the player.
            copy_from: a save that can be read but not written: its progress is
                copied in, so the player still sees their stars.
        """
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        if copy_from is not None and copy_from.is_file():
            for query in ("mode=ro", "immutable=1"):
                try:
                    source = sqlite3.connect(f"{copy_from.resolve().as_uri()}?{query}", uri=True)
                    try:
                        source.backup(conn)
                    finally:
                        source.close()
                    break
                except sqlite3.Error:
                    conn.close()
                    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        try:
            _prepare(conn)
        except (sqlite3.Error, StoreProblem):
            conn.close()
            conn = _connect(":memory:")
        return cls(conn, None, notice)

    @property
    def persistent(self) -> bool:
        """Whether progress reaches a file."""
        return self.path is not None

    # ----------------------------------------------------------- plumbing
    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def _write(self, statements: list[tuple[str, tuple]]) -> None:
        """Run ``statements`` as one transaction: all of them land, or none."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    self._conn.execute(sql, args)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the file (progress is already saved)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------- campaign
    def campaign(self) -> list[str]:
        """Return the campaign's level ids in order (the sandbox is not one)."""
        if self._campaign is None:
            from .engine import all_levels

            self._campaign = [level.id for level in all_levels() if level.id != "sandbox"]
        return self._campaign

    def set_campaign(self, level_ids: list[str]) -> None:
        """Use ``level_ids`` as the campaign order (tests, custom campaigns)."""
        self._campaign = list(level_ids)

    def stars(self, level_id: str) -> int:
        """Return the most stars ever earned on ``level_id`` (0 if never)."""
        rows = self._read("SELECT stars FROM levels WHERE level_id = ?", (level_id,))
        return rows[0][0] if rows else 0

    def best_score(self, level_id: str) -> int | None:
        """Return the best score on ``level_id``, or ``None`` if never played."""
        rows = self._read("SELECT best_score FROM levels WHERE level_id = ?", (level_id,))
        return rows[0][0] if rows else None

    def progress(self) -> dict[str, LevelProgress]:
        """Return every level played: stars, best score, plays."""
        rows = self._read("SELECT level_id, stars, best_score, plays FROM levels")
        return {row[0]: LevelProgress(row[1], row[2], row[3]) for row in rows}

    def unlocked(self, level_id: str) -> bool:
        """Whether ``level_id`` can be played: the first level always, each next
        one once the one before has at least one star. Levels outside the
        campaign (the sandbox) are always open."""
        order = self.campaign()
        if level_id not in order:
            return level_id == "sandbox"
        index = order.index(level_id)
        return index == 0 or self.stars(order[index - 1]) >= 1

    def record_day(
        self, level_id: str, stars: int, score: int, seed: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> Recorded:
        """Save a finished day: history, best stars, best score, in one transaction.

        Args:
            level_id: the level played.
            stars: stars the day earned (0..3).
            score: the day's score.
            seed: the day's seed.
            details: small JSON-able facts about the day (mode, served, errors...).

        Returns:
            What changed: new stars, a new best score, a level unlocked.
        """
        if not 0 <= stars <= 3:
            raise ValueError(f"stars must be 0..3, not {stars}")
        before = self.progress().get(level_id, LevelProgress())
        was_open = self._next_level(level_id)
        self._write([
            ("INSERT INTO history (level_id, seed, stars, score, played_at, details) VALUES (?, ?, ?, ?, ?, ?)",
             (level_id, seed, stars, score, time.time(), json.dumps(details or {}, sort_keys=True))),
            ("INSERT INTO levels (level_id, stars, best_score, plays) VALUES (?, ?, ?, 1) "
             "ON CONFLICT(level_id) DO UPDATE SET stars = max(stars, excluded.stars), "
             "best_score = max(coalesce(best_score, excluded.best_score), excluded.best_score), plays = plays + 1",
             (level_id, stars, score)),
        ])
        after = self.progress()[level_id]
        unlocked = None
        if was_open is not None and not was_open[1] and self.unlocked(was_open[0]):
            unlocked = was_open[0]
        return Recorded(
            stars=after.stars, best_score=after.best_score if after.best_score is not None else score,
            new_stars=stars > before.stars, new_best=before.best_score is None or score > before.best_score,
            unlocked=unlocked,
        )

    def record_report(self, report: Report, options: dict[str, Any] | None = None) -> Recorded:
        """Save a day from its engine ``Report`` (and the player's options)."""
        kinds = [error.kind for error in report.errors]
        details = {
            "mode": report.mode, "ticks": report.ticks, "served": report.served, "left": report.left,
            "errors": len(kinds), "lost_updates": kinds.count("lost_update"),
            "deadlocks": len(report.deadlocks), "wait_mean": report.wait_mean, "options": options or {},
        }
        return self.record_day(report.level, report.stars, report.score, report.seed, details)

    def _next_level(self, level_id: str) -> tuple[str, bool] | None:
        order = self.campaign()
        if level_id not in order or order.index(level_id) + 1 >= len(order):
            return None
        following = order[order.index(level_id) + 1]
        return following, self.unlocked(following)

    def history(self, level_id: str | None = None, limit: int = 50) -> list[DayRecord]:
        """Return the days played, newest first (of one level, or all)."""
        sql = "SELECT level_id, seed, stars, score, played_at, details FROM history"
        args: tuple = ()
        if level_id is not None:
            sql += " WHERE level_id = ?"
            args = (level_id,)
        rows = self._read(sql + " ORDER BY id DESC LIMIT ?", args + (limit,))
        return [DayRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    # ----------------------------------------------------------- tutorial
    def tutorial(self) -> TutorialState:
        """Return where the player is in the tutorial."""
        rows = dict(self._read("SELECT key, value FROM meta WHERE key IN ('tutorial_step', 'tutorial_status')"))
        return TutorialState(rows.get("tutorial_step", ""), rows.get("tutorial_status", "new"))

    def set_tutorial(self, step: str, status: str = "started") -> None:
        """Save the tutorial's current step and status."""
        if status not in TUTORIAL_STATUSES:
            raise ValueError(f"status must be one of {', '.join(TUTORIAL_STATUSES)}")
        self._write([
            ("INSERT OR REPLACE INTO meta VALUES ('tutorial_step', ?)", (step,)),
            ("INSERT OR REPLACE INTO meta VALUES ('tutorial_status', ?)", (status,)),
        ])

    def reset_tutorial(self) -> None:
        """Forget the tutorial's position: it starts again from the first step."""
        self._write([("DELETE FROM meta WHERE key IN ('tutorial_step', 'tutorial_status')", ())])

    # ----------------------------------------------------------- settings
    def settings(self) -> dict[str, Any]:
        """Return every setting, defaults filled in."""
        values = dict(SETTINGS)
        for key, raw in self._read("SELECT key, value FROM settings"):
            if key in SETTINGS:
                try:
                    value = json.loads(raw)
                except ValueError:
                    continue
                if _fits(key, value):
                    values[key] = value
        return values

    def setting(self, key: str) -> Any:
        """Return one setting."""
        if key not in SETTINGS:
            raise KeyError(key)
        return self.settings()[key]

    def set_setting(self, key: str, value: Any) -> None:
        """Save one setting.

        Raises:
            ValueError: an unknown key, or a value of the wrong type.
        """
        if key not in SETTINGS:
            raise ValueError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
        if isinstance(SETTINGS[key], float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not _fits(key, value):
            raise ValueError(f"setting {key!r} must be a {type(SETTINGS[key]).__name__}")
        self._write([("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, json.dumps(value)))])

    # -------------------------------------------------------- Puzzle Book
    def puzzles(self) -> dict[str, PuzzleProgress]:
        """Return each puzzle played: won, best stars, fewest steps to a win, most hints used."""
        rows = self._read("SELECT puzzle_id, won, stars, best_steps, hints FROM puzzles")
        return {row[0]: PuzzleProgress(bool(row[1]), row[2], row[3], row[4]) for row in rows}

    def record_puzzle(self, puzzle_id: str, won: bool, stars: int, steps: int, hints: int) -> None:
        """Save an attempt at a puzzle (a win, or hints used): the best of each is kept."""
        if not 0 <= stars <= 3 or not 0 <= hints <= 3:
            raise ValueError("stars and hints are 0..3")
        self._write([(
            "INSERT INTO puzzles (puzzle_id, won, stars, best_steps, hints) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(puzzle_id) DO UPDATE SET won = max(won, excluded.won), stars = max(stars, excluded.stars), "
            "best_steps = CASE WHEN excluded.best_steps IS NULL THEN best_steps "
            "ELSE min(coalesce(best_steps, excluded.best_steps), excluded.best_steps) END, "
            "hints = max(hints, excluded.hints)",
            (puzzle_id, int(won), stars, steps if won else None, hints),
        )])


@dataclass(frozen=True, slots=True)
class PuzzleProgress:
    """One puzzle's saved progress."""

    won: bool = False
    stars: int = 0
    best_steps: int | None = None
    hints: int = 0
    """The most hints used in an attempt."""


def _fits(key: str, value: Any) -> bool:
    default = SETTINGS[key]
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))
