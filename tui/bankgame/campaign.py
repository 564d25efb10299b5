"""The campaign's shape: which levels are open, what to play next, the lessons.

Plain Python (no Textual): the title, level select, briefing and results
screens render what these functions compute.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from .engine import Level, Report, all_levels
from .engine.report import settings_text
from .paths import assets_dir

SANDBOX = "sandbox"


class Progress(Protocol):
    """What the campaign needs to know of the player's saved progress."""

    def stars(self, level_id: str) -> int:
        """Return the most stars earned on ``level_id`` (0 if never passed)."""

    def best_score(self, level_id: str) -> int | None:
        """Return the best score on ``level_id`` (``None`` if never played)."""


class MemoryProgress:
    """Progress held in a dict: a new player, or a test's fixture.

    Args:
        stars: level id → best stars earned.
    """

    def __init__(self, stars: dict[str, int] | None = None) -> None:
        self._stars = dict(stars or {})

    def stars(self, level_id: str) -> int:
        """Return the most stars earned on ``level_id``."""
        return self._stars.get(level_id, 0)

    def best_score(self, level_id: str) -> int | None:
        """A new player's progress keeps no scores."""
        return None

    def record(self, level_id: str, stars: int) -> None:
        """Keep ``stars`` for ``level_id`` if they beat the best so far."""
        self._stars[level_id] = max(stars, self._stars.get(level_id, 0))


@dataclass(frozen=True, slots=True)
class LevelState:
    """A campaign level as the level select shows it."""

    level: Level
    number: int
    """1-based position in the campaign."""
    stars: int
    locked: bool
    after: str = ""
    """Title of the level to pass first, when locked."""

    @property
    def passed(self) -> bool:
        """Whether the level was passed (one star or more)."""
        return self.stars >= 1


def campaign_levels() -> list[Level]:
    """Return the campaign's levels in order (the sandbox left out)."""
    return list(_campaign())


@lru_cache(maxsize=1)
def _campaign() -> tuple[Level, ...]:
    # The built-in level files do not change while the game runs; reading
    # them once keeps the title's first frame quick.
    return tuple(level for level in all_levels() if level.id != SANDBOX)


def level_states(progress: Progress, levels: list[Level] | None = None, unlock_all: bool = False) -> list[LevelState]:
    """Return each campaign level with its stars and lock.

    A level is locked while the level before it has no star; the first level
    is always open, and every level with ``unlock_all`` (a teacher's setting).
    """
    levels = campaign_levels() if levels is None else levels
    states: list[LevelState] = []
    previous: LevelState | None = None
    for number, level in enumerate(levels, start=1):
        stars = max(0, min(3, int(progress.stars(level.id))))
        locked = not unlock_all and previous is not None and (previous.locked or not previous.passed)
        state = LevelState(level, number, stars, locked, previous.level.title if locked and previous else "")
        states.append(state)
        previous = state
    return states


def next_to_play(progress: Progress, levels: list[Level] | None = None) -> LevelState | None:
    """Return the first open level not yet passed, or ``None`` when all are passed."""
    for state in level_states(progress, levels):
        if not state.locked and not state.passed:
            return state
    return None


def level_after(level_id: str, levels: list[Level] | None = None) -> Level | None:
    """Return the campaign level after ``level_id``, or ``None`` at the end."""
    levels = campaign_levels() if levels is None else levels
    ids = [level.id for level in levels]
    if level_id not in ids:
        return None
    index = ids.index(level_id) + 1
    return levels[index] if index < len(levels) else None


@dataclass(frozen=True, slots=True)
class Lesson:
    """One lesson of DESIGN.md §1."""

    id: str
    title: str
    text: str


@lru_cache(maxsize=1)
def lessons() -> dict[str, Lesson]:
    """Return the lessons by id (``L1`` … ``L10``), from ``assets/lessons.toml``."""
    data = tomllib.loads((assets_dir() / "lessons.toml").read_text(encoding="utf-8"))
    return {key: Lesson(key, value["title"], value["text"]) for key, value in data.items()}


def lesson_titles(level: Level) -> str:
    """Return a level's lessons in one line: ``Lost updates · A ticket is a mutex``.

    The lessons' codes (``L2``) are for level files and docs; players read their titles.
    """
    known = lessons()
    return " · ".join(known[key].title for key in level.lessons if key in known)


METRIC_WORDS = {
    "served": "served", "left": "left unhappy", "errors": "integrity errors",
    "lost_updates": "lost updates", "overdrafts": "overdrafts", "deadlocks": "deadlocks",
    "mean_wait": "mean wait", "max_wait": "longest wait", "ticks": "ticks",
    "audit_gap": "audit gap", "score": "score", "recovered_clerks": "clerks recovered",
    "desk_use": "open desks busy", "clerk_use": "clerks busy",
}
"""How each goal metric is named to the player."""


def metric_name(metric: str) -> str:
    """Return a goal metric as the player reads it: ``lost_updates`` → ``lost updates``."""
    return METRIC_WORDS.get(metric, metric.replace("_", " "))


def debrief_text(level: Level, report: Report) -> str:
    """Return the debrief of a day: what the player did, and why it worked or what it missed.

    Three stars give the level's own debrief (the lesson, explained); fewer
    give the first missed goal's reason.
    """
    lines = []
    if report.settings:
        lines.append(f"You played with {settings_text(report.settings)}.")
    if report.judged_from:
        lines.append(f"The goals were judged from tick {report.judged_from}, when your change took effect; "
                     "the line of the watch phase was sent home.")
    missed = [goal for goal, (_, met) in zip(level.goals, report.goals) if not met]
    if missed and report.watch_ticks and report.changed_late:
        lines.append(f"Some of your changes came after the first {report.watch_ticks} ticks: the goals count the day "
                     "from your last change within them (or from the opening).")
    if missed and missed[0].missed:
        lines.append(missed[0].missed)
    elif not missed and level.debrief:
        lines.append(" ".join(level.debrief.split()))
    return "\n\n".join(lines)
