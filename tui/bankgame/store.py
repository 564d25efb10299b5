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
  ``Store.notice`` saying so;
* a SQLite file that is not a bankgame save is set aside untouched (never
  switched to WAL, never given our tables);
* a row of any table that is not what the game writes (edited by hand, say) is moved to the
  ``aside`` table, with the reason, and ``Store.notice`` says so;
* a change that cannot be saved (a full disk, a save locked for too long)
  never raises: the game plays on, ``Store.problem`` says why, and
  ``Store.on_problem`` (set by the app) is told. Games sharing one save wait
  for each other (a busy timeout, then retries): no change is lost to
  "database is locked".

API (everything a screen needs)::

    store = open_store()            # or open_store(folder), Store.memory()
    store.notice                    # "" or a sentence to show the player once
    store.problem                   # "" or why the last change was not saved
    store.on_problem = callback     # called with that sentence when a change is not saved
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
    store.set_settings({...})       # several, in one transaction

    store.close()                   # also a context manager
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .engine import Report

FILE_NAME = "progress.sqlite3"
HOME_ENV = "BANKGAME_HOME"
SCHEMA_VERSION = 1
SETTINGS: dict[str, Any] = {"theme": "textual-dark", "speed": 1.0, "animations": True, "unlock_all": False}
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
    # Fix the Program: the best program per fix-it puzzle (see the section at the end of Store).
    "fixits": "puzzle_id TEXT PRIMARY KEY, stars INTEGER NOT NULL DEFAULT 0, held INTEGER NOT NULL DEFAULT 0, "
    "tickets INTEGER NOT NULL DEFAULT 0, program TEXT NOT NULL DEFAULT ''",
    "aside": "id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, row TEXT NOT NULL, "
    "reason TEXT NOT NULL, set_aside_at REAL NOT NULL",
}
"""Every table of a save. ``aside`` keeps rows the game could not use, with why."""
INTERNAL_TABLES = {"sqlite_sequence"}
"""SQLite's own tables, which a bankgame save may hold besides ours."""

BUSY_TIMEOUT = 10.0
"""Seconds SQLite waits for another game's change to finish before saying "locked"."""
RETRY_FOR = 30.0
"""Seconds a change keeps retrying while the save stays locked, before it is given up."""
INT64 = (-(2**63), 2**63 - 1)
"""What a SQLite integer holds; a seed beyond it is kept, exactly, as text in ``details``."""

# What the store returns is a NamedTuple, read-only like a frozen dataclass: the
# title opens the store before its first frame, and six dataclasses took longer
# to define (each compiles its generated methods) than the rest of this module.


class LevelProgress(NamedTuple):
    """The best a player has done on one level."""

    stars: int = 0
    best_score: int | None = None
    plays: int = 0


class Recorded(NamedTuple):
    """What saving a day changed, for the results screen."""

    stars: int
    """Best stars on the level now."""
    best_score: int
    new_stars: bool
    """The day earned more stars than ever before."""
    new_best: bool
    unlocked: str | None
    """The level this day unlocked, if any."""
    saved: bool = True
    """False when the day could not be saved (``Store.problem`` says why)."""


class DayRecord(NamedTuple):
    """One day played, as the history keeps it."""

    level_id: str
    seed: int | None
    stars: int
    score: int
    played_at: float
    """Seconds since the epoch."""
    details: dict[str, Any]


class TutorialState(NamedTuple):
    """Where the player is in the guided tutorial."""

    step: str = ""
    """The id of the current step; ``""`` before the first."""
    status: str = "new"
    """``new``, ``started``, ``done`` or ``skipped``."""


class StoreProblem(Exception):
    """The file exists but is not a save this game can use."""


def _locked(error: sqlite3.Error) -> bool:
    """Whether ``error`` only says another game is saving right now (worth waiting for)."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def why_not_saved(error: BaseException) -> str:
    """Return, in a player's words, why a change was not saved (SQLite's words in brackets)."""
    text = str(error)
    low = text.lower()
    if "full" in low or (isinstance(error, OSError) and error.errno == errno.ENOSPC):
        reason = "the disk is full"
    elif _locked(error) if isinstance(error, sqlite3.Error) else False:
        reason = "another program kept the save locked"
    elif "readonly" in low or "read-only" in low or "permission" in low:
        reason = "the save cannot be written"
    elif "i/o" in low or isinstance(error, OSError):
        reason = "the disk failed to write it"
    else:
        reason = "the save could not be written"
    return f"{reason} ({text})"


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
    """Open, check and prepare a save; raise ``StoreProblem`` or ``sqlite3.Error``.

    Nothing is changed in the file before it is known to be a bankgame save
    (or an empty file): a foreign database is set aside exactly as it was.
    """
    memory = str(path) == ":memory:"
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    try:
        if not memory:
            result = conn.execute("PRAGMA integrity_check").fetchone()
            if not result or result[0] != "ok":
                raise StoreProblem(f"integrity check: {result[0] if result else 'no answer'}")
            _check_ours(conn)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        _prepare(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_ours(conn: sqlite3.Connection) -> None:
    """Raise ``StoreProblem`` unless the database is empty or holds only a bankgame save's tables."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    foreign = sorted(tables - set(_SCHEMA) - INTERNAL_TABLES)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise StoreProblem(f"it is a SQLite database of another program (tables: {shown})")
    for table in tables & set(_SCHEMA):
        _check_columns(conn, table, _SCHEMA[table])
    if tables and "meta" not in tables:
        raise StoreProblem("it is not a bankgame save (it has no meta table)")
    if tables and conn.execute("SELECT 1 FROM meta WHERE key = 'schema'").fetchone() is None:
        # Our tables hold nothing another program could not have (a key-value "meta" is common):
        # only the schema row the game writes first says the file is ours.
        raise StoreProblem("it is not a bankgame save (its meta table has no schema)")


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
        _roll_back(conn)
        raise


def _roll_back(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already (it does on a full disk).

    A ROLLBACK with no transaction fails with "cannot rollback", which would
    hide the error that matters ("database or disk is full").
    """
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _check_columns(conn: sqlite3.Connection, table: str, columns: str) -> None:
    want = [c.split()[0] for c in columns.split(", ")]
    have = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    if have != want:
        raise StoreProblem(f"table {table} is not a bankgame table")


class Store:
    """Saved progress on one SQLite connection. Build it with ``open_store()``."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None, notice: str = "") -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        """The file, or ``None`` for a store in memory."""
        self.notice = notice
        """A sentence for the player about the save (set aside, not saved), or ``""``."""
        self.problem = ""
        """Why the last change or read failed, in a player's words; ``""`` once one works again."""
        self.on_problem: Callable[[str], None] | None = None
        """Told each time a change is not saved (the app shows it); the game plays on."""
        self._campaign: list[str] | None = None
        aside = _set_aside_bad_rows(conn)
        if aside:
            self.notice = (self.notice + " " if self.notice else "") + aside

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
        """Run a query; on a save that cannot be read, report it and return no rows."""
        try:
            return self._retrying(lambda: self._conn.execute(sql, args).fetchall())
        except sqlite3.Error as error:
            self._report(f"Saved progress could not be read: {why_not_saved(error)}.")
            return []

    def _write(self, statements: list[tuple[str, tuple]]) -> bool:
        """Run ``statements`` as one short transaction: all of them land, or none.

        Returns:
            Whether they were saved. A failure never raises: it is reported
            (``problem``, ``on_problem``) and the game plays on.
        """

        def transaction() -> None:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    self._conn.execute(sql, args)
                self._conn.execute("COMMIT")
            except BaseException:
                _roll_back(self._conn)
                raise

        try:
            self._retrying(transaction)
        except sqlite3.Error as error:
            self._report(f"Not saved: {why_not_saved(error)}. You can keep playing.")
            return False
        self.problem = ""
        return True

    def _retrying(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` under the lock; while another game holds the save, wait and try again."""
        deadline = time.monotonic() + RETRY_FOR
        pause = 0.01
        while True:
            with self._lock:
                try:
                    return work()
                except sqlite3.Error as error:
                    if not _locked(error) or time.monotonic() > deadline:
                        raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)

    def _report(self, sentence: str) -> None:
        self.problem = sentence
        if self.on_problem is not None:
            self.on_problem(sentence)

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
        found = self.progress().get(level_id)
        return found.stars if found is not None else 0

    def best_score(self, level_id: str) -> int | None:
        """Return the best score on ``level_id``, or ``None`` if never played."""
        found = self.progress().get(level_id)
        return found.best_score if found is not None else None

    def progress(self) -> dict[str, LevelProgress]:
        """Return every level played: stars, best score, plays."""
        rows = self._read("SELECT level_id, stars, best_score, plays FROM levels")
        return {row[0]: LevelProgress(row[1], row[2], row[3]) for row in rows if _bad_row("levels", row) is None}

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
        details = dict(details or {})
        if seed is not None and not INT64[0] <= seed <= INT64[1]:
            details["seed"], seed = str(seed), None  # kept exactly; SQLite integers stop at 2**63 - 1
        saved = self._write([
            ("INSERT INTO history (level_id, seed, stars, score, played_at, details) VALUES (?, ?, ?, ?, ?, ?)",
             (level_id, seed, stars, score, time.time(), json.dumps(details, sort_keys=True))),
            (("INSERT INTO levels (level_id, stars, best_score, plays) VALUES (?, ?, ?, 1) "
              "ON CONFLICT(level_id) DO UPDATE SET stars = max(stars, excluded.stars), "
              "best_score = max(coalesce(best_score, excluded.best_score), excluded.best_score), plays = plays + 1"),
             (level_id, stars, score)),
        ])
        if not saved:  # what the day would have changed, for the results screen; nothing is kept
            best = score if before.best_score is None else max(before.best_score, score)
            return Recorded(stars=max(stars, before.stars), best_score=best, new_stars=stars > before.stars,
                            new_best=before.best_score is None or score > before.best_score, unlocked=None,
                            saved=False)
        after = self.progress().get(level_id, LevelProgress(stars, score, 1))
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
        counts = dict(report.error_counts)  # every error of the day; report.errors keeps the first and latest
        details = {
            "mode": report.mode, "ticks": report.ticks, "served": report.served, "left": report.left,
            "errors": sum(counts.values()), "lost_updates": counts.get("lost_update", 0),
            "deadlocks": report.deadlock_count, "wait_mean": report.wait_mean, "options": options or {},
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
        days = []
        for row in rows:
            if _bad_row("history", row) is None:
                details = json.loads(row[5])
                seed = int(details["seed"]) if row[1] is None and _is_seed_text(details.get("seed")) else row[1]
                days.append(DayRecord(row[0], seed, row[2], row[3], row[4], details))
        return days

    # ----------------------------------------------------------- tutorial
    def tutorial(self) -> TutorialState:
        """Return where the player is in the tutorial."""
        rows = dict(self._read("SELECT key, value FROM meta WHERE key IN ('tutorial_step', 'tutorial_status')"))
        if rows.get("tutorial_status", "new") not in TUTORIAL_STATUSES or not isinstance(rows.get("tutorial_step", ""), str):
            return TutorialState()
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
        self.set_settings({key: value})

    def set_settings(self, values: dict[str, Any]) -> bool:
        """Save several settings in one transaction; return whether they were saved.

        Raises:
            ValueError: an unknown key, or a value of the wrong type.
        """
        rows = []
        for key, value in values.items():
            if key not in SETTINGS:
                raise ValueError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
            if isinstance(SETTINGS[key], float) and _is_int(value):
                value = float(value)
            if not _fits(key, value):
                raise ValueError(f"setting {key!r} must be a {type(SETTINGS[key]).__name__}")
            rows.append(("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, json.dumps(value))))
        return self._write(rows)

    # -------------------------------------------------------- Puzzle Book
    def puzzles(self) -> dict[str, PuzzleProgress]:
        """Return each puzzle played: won, best stars, fewest steps to a win, most hints used."""
        rows = self._read("SELECT puzzle_id, won, stars, best_steps, hints FROM puzzles")
        return {row[0]: PuzzleProgress(bool(row[1]), row[2], row[3], row[4]) for row in rows
                if _bad_row("puzzles", row) is None}

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


    # -------------------------------------------------------- Fix the Program
    def fixits(self) -> dict[str, FixitProgress]:
        """Return each fix-it puzzle's best fix: its stars, cost and program (as a program file's text)."""
        rows = self._read("SELECT puzzle_id, stars, held, tickets, program FROM fixits")
        return {row[0]: FixitProgress(row[1], row[2], row[3], row[4]) for row in rows
                if _bad_row("fixits", row) is None}

    def record_fixit(self, puzzle_id: str, stars: int, held: int, tickets: int, program: str) -> bool:
        """Keep this fix if it is the best so far (more stars, then fewer ticket-held steps, then fewer tickets);
        return whether it was kept."""
        if not 1 <= stars <= 3 or held < 0 or tickets < 0:
            raise ValueError("a saved fix has 1..3 stars and a cost of zero or more")
        best = self.fixits().get(puzzle_id)
        if best is not None and (-best.stars, best.held, best.tickets) <= (-stars, held, tickets):
            return False
        return self._write([(
            "INSERT OR REPLACE INTO fixits (puzzle_id, stars, held, tickets, program) VALUES (?, ?, ?, ?, ?)",
            (puzzle_id, stars, held, tickets, program),
        )])


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_seed_text(value: Any) -> bool:
    return isinstance(value, str) and value.lstrip("-").isdigit()


def _bad_row(table: str, row: tuple) -> str | None:
    """Return why ``row`` (the table's columns, in order, after ``id`` for history) is not one the game writes."""
    if table == "levels":
        level_id, stars, best, plays = row
        if not isinstance(level_id, str) or not level_id:
            return f"level_id {level_id!r} is not a level id"
        if not _is_int(stars) or not 0 <= stars <= 3:
            return f"stars {stars!r} is not 0 to 3"
        if best is not None and not _is_int(best):
            return f"best_score {best!r} is not a whole number"
        if not _is_int(plays) or plays < 0:
            return f"plays {plays!r} is not a count"
    elif table == "history":
        level_id, seed, stars, score, played_at, details = row
        if not isinstance(level_id, str) or not level_id:
            return f"level_id {level_id!r} is not a level id"
        if seed is not None and not _is_int(seed):
            return f"seed {seed!r} is not a whole number"
        if not _is_int(stars) or not 0 <= stars <= 3:
            return f"stars {stars!r} is not 0 to 3"
        if not _is_int(score):
            return f"score {score!r} is not a whole number"
        if not isinstance(played_at, (int, float)) or isinstance(played_at, bool):
            return f"played_at {played_at!r} is not a time"
        try:
            parsed = json.loads(details) if isinstance(details, str) else None
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return "details is not a JSON object"
    elif table == "settings":
        key, raw = row
        try:
            value = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            return f"{key!r}: {raw!r} is not JSON"
        if key in SETTINGS and not _fits(key, value):
            return f"{key!r}: {raw!r} is not a {type(SETTINGS[key]).__name__}"
    elif table == "meta":
        key, value = row
        if key == "tutorial_status" and value not in TUTORIAL_STATUSES:
            return f"tutorial_status {value!r} is not one of {', '.join(TUTORIAL_STATUSES)}"
        if key == "tutorial_step" and not isinstance(value, str):
            return f"tutorial_step {value!r} is not a step id"
    elif table == "puzzles":
        puzzle_id, won, stars, best_steps, hints = row
        if not isinstance(puzzle_id, str) or not puzzle_id:
            return f"puzzle_id {puzzle_id!r} is not a puzzle id"
        if won not in (0, 1) or isinstance(won, float):
            return f"won {won!r} is not 0 or 1"
        if not _is_int(stars) or not 0 <= stars <= 3:
            return f"stars {stars!r} is not 0 to 3"
        if best_steps is not None and (not _is_int(best_steps) or best_steps < 0):
            return f"best_steps {best_steps!r} is not a count"
        if not _is_int(hints) or not 0 <= hints <= 3:
            return f"hints {hints!r} is not 0 to 3"
    elif table == "fixits":
        puzzle_id, stars, held, tickets, program = row
        if not isinstance(puzzle_id, str) or not puzzle_id:
            return f"puzzle_id {puzzle_id!r} is not a fix-it id"
        if not _is_int(stars) or not 0 <= stars <= 3:
            return f"stars {stars!r} is not 0 to 3"
        if not _is_int(held) or held < 0:
            return f"held {held!r} is not a count"
        if not _is_int(tickets) or tickets < 0:
            return f"tickets {tickets!r} is not a count"
        if not isinstance(program, str):
            return f"program {program!r} is not a program's text"
    return None


_ROW_COLUMNS = {
    "levels": "level_id, stars, best_score, plays",
    "history": "level_id, seed, stars, score, played_at, details",
    "settings": "key, value",
    "meta": "key, value",
    "puzzles": "puzzle_id, won, stars, best_steps, hints",
    "fixits": "puzzle_id, stars, held, tickets, program",
}


def _set_aside_bad_rows(conn: sqlite3.Connection) -> str:
    """Move every row the game cannot use to the ``aside`` table; return a notice, or ``""``.

    Rows are moved, never deleted: ``aside`` keeps each one as JSON with its
    table and the reason. A save that cannot be written keeps its rows (the
    reads skip them).
    """
    bad: list[tuple[str, int, list[Any], str]] = []
    try:
        for table, columns in _ROW_COLUMNS.items():
            for rowid, *row in conn.execute(f"SELECT rowid, {columns} FROM {table}"):
                reason = _bad_row(table, tuple(row))
                if reason is not None:
                    bad.append((table, rowid, row, reason))
    except sqlite3.Error:
        return ""
    if not bad:
        return ""
    try:
        conn.execute("BEGIN IMMEDIATE")
        for table, rowid, row, reason in bad:
            conn.execute("INSERT INTO aside (table_name, row, reason, set_aside_at) VALUES (?, ?, ?, ?)",
                         (table, json.dumps(row, default=repr), reason, time.time()))
            conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))
        conn.execute("COMMIT")
    except sqlite3.Error:
        _roll_back(conn)
        return (f"{len(bad)} row(s) of your saved progress are not what the game writes "
                f"(first: table {bad[0][0]}, {bad[0][3]}); they are ignored.")
    first = bad[0]
    return (f"{len(bad)} row(s) of your saved progress are not what the game writes and were set aside "
            f"in its table 'aside' (first: table {first[0]}, {first[3]}).")

class PuzzleProgress(NamedTuple):
    """One puzzle's saved progress."""

    won: bool = False
    stars: int = 0
    best_steps: int | None = None
    hints: int = 0
    """The most hints used in an attempt."""


class FixitProgress(NamedTuple):
    """One fix-it puzzle's best fix."""

    stars: int = 0
    held: int = 0
    tickets: int = 0
    program: str = ""
    """The programs as a program file's text (``engine.program_text``)."""


def _fits(key: str, value: Any) -> bool:
    default = SETTINGS[key]
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))
