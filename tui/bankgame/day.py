"""Open a day from a level, the player's options and a backend."""

from __future__ import annotations

from typing import Any

from .engine import Branch, Level, load_level, make_day
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
    branch.network_note = getattr(chosen, "shared_block", "")
    return level, branch
