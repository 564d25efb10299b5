"""The guided tutorial's brain: steps as data, and when each one is done.

Textual-free. The tutorial is a list of chapters (``assets/tutorial/*.toml``),
each a live day at the branch (a ``[day]`` of options on a base level) and a
few steps. A step shows a line of text, highlights one widget (by id) and is
complete when its ``until`` condition holds:

=======================  ===================================================
``action:NAME``          the player ran screen action NAME (``toggle_pause``,
                         ``step``, ``tickets``, ``switch_mode``...)
``next``                 the player pressed the tutorial's "next" key
``served:N``             N customers served in this chapter's day
``ticket_on:R``          resource R (``vault``, ``rates``, ``A``...) has a ticket
``ticket_off:R``         resource R has no ticket
``all_accounts_ticketed`` every account has its own ticket
``scope:S`` ``order:O``  the ticket scope / lock order is S / O
``mode:M``               the branch runs in mode M
``error:KIND``           an integrity error of KIND happened (``lost_update``,
                         ``overdraft``)
``deadlock``             a deadlock happened
``clerk_killed``         the player killed a clerk
``clerk_recovered``      a clerk was restarted
=======================  ===================================================

The screen calls ``observe(branch)`` after each redraw and ``feed(...)`` on
the player's actions; both advance at most one step, so every step's text
is on screen at least once. The position is saved to the store after every
step; the tutorial resumes at the start of the chapter it was left in (each
chapter is a fresh day, so no step talks about a moment the new day has not
had). ``skip()`` ends it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engine import LevelError
from .engine.levels import check_table, read_toml
from .paths import assets_dir

PREDICATES = (
    "served", "ticket_on", "ticket_off", "all_accounts_ticketed", "scope", "mode", "order",
    "error", "deadlock", "clerk_killed", "clerk_recovered",
)
"""Conditions read from the branch's state."""
EVENTS = ("action", "next")
"""Conditions the screen feeds in."""
NEEDS_ARGUMENT = {"action", "served", "ticket_on", "ticket_off", "scope", "mode", "order", "error"}
CHAPTER_KEYS = {"id", "title", "lessons", "level", "seed", "day", "steps"}
STEP_KEYS = {"id", "text", "highlight", "until", "hint", "hint_after"}
DEFAULT_HINT_AFTER = 20.0


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the player is asked to do."""

    id: str
    text: str
    until: str
    highlight: str = ""
    """The id of the widget to highlight (``tickets``, ``integrity``...), or ``""``."""
    hint: str = ""
    hint_after: float = DEFAULT_HINT_AFTER
    """Seconds on this step before the hint shows."""

    @property
    def condition(self) -> tuple[str, str]:
        """Return ``(kind, argument)`` of ``until``."""
        kind, _, argument = self.until.partition(":")
        return kind, argument


@dataclass(frozen=True, slots=True)
class Chapter:
    """A live day and the steps played in it."""

    id: str
    title: str
    steps: tuple[Step, ...]
    lessons: tuple[str, ...] = ()
    level: str = "sandbox"
    """The level whose day the ``day`` options change."""
    seed: int = 1
    day: dict[str, Any] = field(default_factory=dict)
    """``DayConfig`` options for this chapter's day."""


def tutorial_dir() -> Path:
    """Return the folder of the tutorial's chapters."""
    return assets_dir() / "tutorial"


def load_tutorial(folder: Path | None = None) -> list[Chapter]:
    """Read every chapter (``NN-id.toml``, in file-name order), checked.

    Raises:
        LevelError: a chapter file is not valid (names the file, the key and the reason).
    """
    folder = folder or tutorial_dir()
    chapters = [load_chapter(path) for path in sorted(folder.glob("*.toml"))]
    seen: set[str] = set()
    for chapter in chapters:
        for step in chapter.steps:
            key = f"{chapter.id}/{step.id}"
            if key in seen:
                raise LevelError(str(folder), key, "two steps share this id")
            seen.add(key)
    return chapters


def load_chapter(path: Path) -> Chapter:
    """Read and check one chapter file."""
    from .engine import load_level, make_day

    name = str(path)
    data = read_toml(path)
    for key in data:
        if key not in CHAPTER_KEYS:
            raise LevelError(name, key, f"unknown key (known: {', '.join(sorted(CHAPTER_KEYS))})")
    for key in ("id", "title"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise LevelError(name, key, "missing or not a string")
    level_id = data.get("level", "sandbox")
    try:
        base = load_level(level_id).day
    except KeyError:
        raise LevelError(name, "level", f"no level {level_id!r}") from None
    day = data.get("day", {})
    if not isinstance(day, dict):
        raise LevelError(name, "day", "must be a table")
    make_day(day, name, prefix="day.", base=base)  # every option checked now, not mid-tutorial
    seed = data.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise LevelError(name, "seed", "must be a whole number")
    steps_data = data.get("steps")
    if not isinstance(steps_data, list) or not steps_data:
        raise LevelError(name, "steps", "must be a non-empty array of tables ([[steps]])")
    steps = tuple(_step(table, name, i) for i, table in enumerate(steps_data))
    return Chapter(
        id=data["id"], title=data["title"], steps=steps, lessons=tuple(data.get("lessons", ())),
        level=level_id, seed=seed, day=dict(day),
    )


def _step(table: Any, name: str, index: int) -> Step:
    where = f"steps[{index}]"
    check_table(table, name, where, STEP_KEYS)
    for key in ("id", "text", "until"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise LevelError(name, f"{where}.{key}", "missing or not a string")
    step = Step(
        id=table["id"], text=" ".join(table["text"].split()), until=table["until"],
        highlight=table.get("highlight", ""), hint=" ".join(table.get("hint", "").split()),
        hint_after=float(table.get("hint_after", DEFAULT_HINT_AFTER)),
    )
    kind, argument = step.condition
    if kind not in PREDICATES + EVENTS:
        raise LevelError(name, f"{where}.until", f"unknown condition {kind!r} (known: {', '.join(PREDICATES + EVENTS)})")
    if kind in NEEDS_ARGUMENT and not argument:
        raise LevelError(name, f"{where}.until", f"{kind!r} needs an argument, as in {kind}:…")
    if kind == "served" and not argument.isdigit():
        raise LevelError(name, f"{where}.until", "served:N needs a number")
    if step.hint_after < 0:
        raise LevelError(name, f"{where}.hint_after", "must be 0 or more")
    return step


def holds(step: Step, branch: Any) -> bool:
    """Return whether ``step``'s condition holds on ``branch`` (state conditions only)."""
    kind, argument = step.condition
    if kind == "served":
        return branch.served >= int(argument)
    if kind == "ticket_on":
        return branch.mode == "shared" and branch.has_ticket(argument)
    if kind == "ticket_off":
        return not branch.has_ticket(argument)
    if kind == "all_accounts_ticketed":
        return len(branch.layout.accounts) == branch.day.accounts
    if kind == "scope":
        return branch.layout.scope == argument
    if kind == "order":
        return branch.layout.order == argument
    if kind == "mode":
        return branch.mode == argument and not branch.pending_mode
    if kind == "error":
        return any(error.kind == argument for error in branch.errors)
    if kind == "deadlock":
        return bool(branch.deadlocks)
    if kind == "clerk_killed":
        return any(action == "kill_clerk" for _, action, _ in branch.actions)
    if kind == "clerk_recovered":
        return branch.recovered_clerks > 0
    return False


class Tutorial:
    """Where the player is in the tutorial, and what completes the step.

    Args:
        chapters: the tutorial (``load_tutorial()``).
        store: saved progress (``bankgame.store``), or ``None`` to keep nothing.
        restart: start from the first step even if a position was saved.
    """

    def __init__(self, chapters: list[Chapter], store: Any = None, restart: bool = False) -> None:
        if not chapters:
            raise ValueError("a tutorial needs at least one chapter")
        self.chapters = chapters
        self.store = store
        self.chapter_index = 0
        self.step_index = 0
        self.status = "new"
        """``new``, ``started``, ``done`` or ``skipped``."""
        if store is not None and not restart:
            saved = store.tutorial()
            if saved.status in ("done", "skipped"):
                self.status = saved.status
            elif saved.step:
                found = self._find(saved.step)
                if found is not None:
                    # Each chapter is a fresh day: it starts again from its first
                    # step, so no step talks about a moment this day has not had.
                    self.chapter_index = found[0]
                    self.status = "started"

    # ----------------------------------------------------------- position
    @property
    def finished(self) -> bool:
        """Whether the tutorial is over (done or skipped)."""
        return self.status in ("done", "skipped")

    @property
    def chapter(self) -> Chapter:
        """The chapter being played."""
        return self.chapters[self.chapter_index]

    @property
    def step(self) -> Step | None:
        """The current step, or ``None`` once finished."""
        return None if self.finished else self.chapter.steps[self.step_index]

    @property
    def position(self) -> str:
        """``chapter/step`` of the current step (``""`` once finished)."""
        step = self.step
        return f"{self.chapter.id}/{step.id}" if step else ""

    def progress(self) -> tuple[int, int]:
        """Return ``(steps done, steps in all)``."""
        done = sum(len(c.steps) for c in self.chapters[: self.chapter_index]) + self.step_index
        total = sum(len(c.steps) for c in self.chapters)
        return (total, total) if self.status == "done" else (done, total)

    def _find(self, position: str) -> tuple[int, int] | None:
        chapter_id, _, step_id = position.partition("/")
        for ci, chapter in enumerate(self.chapters):
            if chapter.id == chapter_id:
                for si, step in enumerate(chapter.steps):
                    if step.id == step_id:
                        return ci, si
                return ci, 0
        return None

    # ------------------------------------------------------------ advance
    def feed(self, kind: str, argument: str = "") -> bool:
        """Tell the tutorial what the player did: ``feed("action", "step")``, ``feed("next")``.

        Returns:
            Whether it completed the current step.
        """
        step = self.step
        if step is None:
            return False
        want, want_argument = step.condition
        if want != kind or want not in EVENTS:
            return False
        if want_argument and want_argument not in ("*", argument):
            return False
        self._advance()
        return True

    def observe(self, branch: Any) -> bool:
        """Check the current step's condition on ``branch``; advance if it holds.

        Returns:
            Whether it completed the current step.
        """
        step = self.step
        if step is None or step.condition[0] in EVENTS or not holds(step, branch):
            return False
        self._advance()
        return True

    def _advance(self) -> None:
        self.step_index += 1
        if self.step_index >= len(self.chapter.steps):
            if self.chapter_index + 1 >= len(self.chapters):
                self.step_index -= 1
                self.status = "done"
                self._save()
                return
            self.chapter_index += 1
            self.step_index = 0
        self.status = "started"
        self._save()

    def move_on(self) -> bool:
        """Leave the current step without its condition (a player stuck past the hint).

        Returns:
            Whether there was a step to leave.
        """
        if self.step is None:
            return False
        self._advance()
        return True

    def skip(self) -> None:
        """End the tutorial here; it is not shown again unless restarted."""
        self.status = "skipped"
        self._save()

    def restart(self) -> None:
        """Go back to the first step."""
        self.chapter_index = self.step_index = 0
        self.status = "started"
        self._save()

    def start_chapter(self) -> None:
        """Go back to the first step of the current chapter (its day was reopened)."""
        self.step_index = 0
        self._save()

    def hint(self, seconds_on_step: float) -> str:
        """Return the current step's hint once it has been shown long enough, else ``""``."""
        step = self.step
        if step is None or not step.hint or seconds_on_step < step.hint_after:
            return ""
        return step.hint

    def _save(self) -> None:
        if self.store is None:
            return
        if self.finished:
            self.store.set_tutorial("", self.status)
        else:
            self.store.set_tutorial(self.position, self.status)
