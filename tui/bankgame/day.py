"""Open a day from a level, the player's options and a backend; where a day came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from .constants import BackendName
from .engine import (
    Backend,
    Branch,
    DayConfig,
    Level,
    LevelError,
    level_ids,
    load_level,
    load_level_file,
    make_day,
)
from .workers import make_backend

T = TypeVar("T")


@dataclass(frozen=True)
class DayOrigin:
    """What a day was opened with: what "play again" reopens and what its record says."""

    level_id: str
    seed: int | None = None
    """The seed asked for (``None``: the level's own)."""
    options: dict[str, Any] | None = None
    """``DayConfig`` fields that override the level's."""


@dataclass(frozen=True)
class Started(Generic[T]):
    """What ``start_on`` started, where it runs, and what the player is told about it."""

    value: T
    backend: BackendName
    notice: str = ""
    """Why it runs in-process when real processes were asked for (``""``: as asked)."""


def in_process_notice(error: BaseException) -> str:
    """Return the sentence that says real processes could not start and the game plays in-process."""
    return (f"Real worker processes are not available here ({error}). "
            "Playing with the in-process backend: same rules, one process.")


def start_on(backend: BackendName, start: Callable[[BackendName], T]) -> Started[T]:
    """Start something (a day, a puzzle's desks) on ``backend``; in-process when real processes cannot start.

    Raises:
        KeyError: no such level (never retried in-process).
        LevelError: an option or a level file is not valid (never retried in-process).
    """
    try:
        return Started(start(backend), backend)
    except (KeyError, LevelError):
        raise
    except Exception as error:
        if backend == "inline":
            raise
        return Started(start("inline"), "inline", in_process_notice(error))


def open_day(level_id: str, seed: int | None = None, options: dict[str, Any] | None = None,
             backend: BackendName = "inline", remote: str | None = None,
             authkey_file: str | None = None) -> tuple[Level, Branch]:
    """Return the level and a new day at its branch.

    Args:
        level_id: a built-in level id.
        seed: overrides the level's seed.
        options: ``DayConfig`` fields that override the level's.
        backend: ``inline`` or ``process``.
        remote: ``HOST:PORT`` of a ``bankgame clerk`` serving the second
            branch. Without it, the ``process`` backend starts that clerk itself
            on loopback (a real socket); ``inline`` keeps it in this process.
        authkey_file: the key shared with the remote clerk (default: beside
            the saved progress).

    Raises:
        KeyError: no such level.
        LevelError: an option is not valid (names the key and the reason).
    """
    level = load_level(level_id)
    day = make_day(options or {}, name="options", prefix="--", base=level.day)
    branch = Branch(day, seed=level.seed if seed is None else seed, backend=day_backend(day, backend, remote, authkey_file))
    return level, branch


def day_backend(day: DayConfig, backend: BackendName = "inline", remote: str | None = None,
                authkey_file: str | None = None) -> Backend:
    """Return the backend ``day`` plays on: ``backend``, with the day's remote clerks (a second
    branch) across a real socket for the ``process`` backend or when ``remote`` names a clerk.

    Every way of opening a day goes through here (a level, a level file, a replay, a program),
    so a day with a second branch puts its clerk across TCP however it was opened.
    """
    local = make_backend(backend)
    if not day.remote_clerks or (remote is None and backend != "process"):
        return local
    from .workers.remote import network_backend

    try:
        return network_backend(local, day.clerks, day.remote_clerks, remote, authkey_file)
    except BaseException:
        local.close()
        raise


def load_custom_level(path: str | Path) -> Level:
    """Read a teacher's own level file, checked as the built-in levels are.

    Raises:
        LevelError: naming the file, the key and the reason (also for an id
            a built-in level has: its saved stars are the built-in level's).
    """
    level = load_level_file(Path(path))
    if level.id in level_ids():
        raise LevelError(str(path), "id", f"{level.id!r} is the id of a built-in level: give your level its own")
    return level


def open_file_day(path: str | Path, seed: int | None = None, options: dict[str, Any] | None = None,
                  backend: BackendName = "inline") -> tuple[Level, Branch]:
    """Return the level of a level file and a new day at its branch (see ``open_day``).

    Raises:
        LevelError: the file, or an option, is not valid (names the file, the key and the reason).
    """
    level = load_custom_level(path)
    day = make_day(options or {}, name="options", prefix="--", base=level.day)
    return level, Branch(day, seed=level.seed if seed is None else seed, backend=day_backend(day, backend))
