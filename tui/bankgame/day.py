"""Open a day from a level, the player's options and a backend."""

from __future__ import annotations

from typing import Any

from .engine import Branch, Level, load_level, make_day
from .workers import make_backend


def open_day(level_id: str, seed: int | None = None, options: dict[str, Any] | None = None, backend: str = "inline") -> tuple[Level, Branch]:
    """Return the level and a new day at its branch.

    Args:
        level_id: a built-in level id.
        seed: overrides the level's seed.
        options: ``DayConfig`` fields that override the level's.
        backend: ``inline`` or ``process``.

    Raises:
        KeyError: no such level.
        LevelError: an option is not valid (names the key and the reason).
    """
    level = load_level(level_id)
    day = make_day(options or {}, name="options", prefix="--", base=level.day)
    return level, Branch(day, seed=level.seed if seed is None else seed, backend=make_backend(backend))
