"""Open a day from a level, the player's options and a backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .engine import (
    Branch,
    Level,
    LevelError,
    level_ids,
    load_level,
    load_level_file,
    make_day,
)
from .workers import make_backend


def open_day(level_id: str, seed: int | None = None, options: dict[str, Any] | None = None, backend: str = "inline",
             remote: str | None = None, authkey_file: str | None = None) -> tuple[Level, Branch]:
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
    chosen = make_backend(backend)
    if day.remote_clerks and (remote is not None or backend == "process"):
        from .workers.remote import network_backend

        try:
            chosen = network_backend(chosen, day.clerks, day.remote_clerks, remote, authkey_file)
        except BaseException:
            chosen.close()
            raise
    branch = Branch(day, seed=level.seed if seed is None else seed, backend=chosen)
    return level, branch


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
                  backend: str = "inline") -> tuple[Level, Branch]:
    """Return the level of a level file and a new day at its branch (see ``open_day``).

    Raises:
        LevelError: the file, or an option, is not valid (names the file, the key and the reason).
    """
    level = load_custom_level(path)
    day = make_day(options or {}, name="options", prefix="--", base=level.day)
    return level, Branch(day, seed=level.seed if seed is None else seed, backend=make_backend(backend))
