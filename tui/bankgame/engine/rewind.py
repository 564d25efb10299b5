"""Step back and jump to any tick: a day rebuilt from its seed and stamped actions.

A day is deterministic: its configuration, its seed and the player's actions
stamped with their tick give the same day every time. So going back to tick
``t`` needs no saved states: a fresh branch, on a fresh backend, plays the day
again up to ``t`` (as Break the Bank's undo does), and the old one is closed.

The tape keeps every action the player made, also those after the tick shown:
stepping forward again replays them, like a recording. A new action made at an
earlier tick starts a new future: the recorded actions after it are dropped.

At tick ``t`` every action stamped ``t`` or earlier has been applied (the state
the player saw at ``t``, after acting there).
"""

from __future__ import annotations

import dataclasses
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .backend import Backend
from .branch import Branch, Desk
from .levels import DayConfig
from .primitives import Holders
from .replay import apply_action

Action = tuple[int, str, str]
MARK_SPANS = 512  # error marks kept for the scrubber, whose line is a few hundred cells at most


class Marks:
    """The ticks of a day's integrity errors, for the scrubber, at most ``limit`` kept.

    A day without tickets errs every few ticks, for as long as it runs. Once
    more than ``limit`` ticks are marked, marks are merged into spans twice as
    wide (1, 2, 4, … ticks), each kept as the first tick of its span: by then
    a cell of the scrubber's line covers more ticks than a span, so the line
    drawn is the same but for a mark landing at most one cell early (on a
    line up to 256 cells wide).
    """

    def __init__(self, ticks: Iterable[int] = (), limit: int = MARK_SPANS) -> None:
        self.limit = limit
        self.span = 1
        """How many ticks one mark stands for (a power of two)."""
        self._ticks: set[int] = set()
        for tick in ticks:
            self.add(tick)

    def add(self, tick: int) -> None:
        """Mark ``tick`` (its span's first tick)."""
        self._ticks.add(tick - tick % self.span)
        while len(self._ticks) > self.limit:
            self.span *= 2
            self._ticks = {t - t % self.span for t in self._ticks}

    def drop_after(self, tick: int) -> None:
        """Forget the marks after ``tick`` (a new future starts there)."""
        self._ticks = {t for t in self._ticks if t <= tick}

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._ticks))

    def __len__(self) -> int:
        return len(self._ticks)

    def __contains__(self, tick: object) -> bool:
        return isinstance(tick, int) and tick - tick % self.span in self._ticks


class Tape:
    """A day that can go back as well as forward.

    Args:
        branch: the day being played (its recorded actions are the tape's).
        backends: makes a fresh backend for each rebuild (the same kind as the
            branch's); the in-process backend when ``None``.
        recorded: actions to play as the day goes forward (a replay file's);
            the branch's own actions when ``None``.
    """

    def __init__(self, branch: Branch, backends: Callable[[], Backend] | None = None,
                 recorded: list[Action] | None = None) -> None:
        self.branch = branch
        self.backends = backends
        self.recorded: list[Action] = sorted(recorded if recorded is not None else branch.actions, key=lambda a: a[0])
        self._applied = len(branch.actions) if recorded is None else 0
        """How many of ``recorded`` the branch has had applied."""
        self._seen = len(branch.actions)
        """How many of ``branch.actions`` the tape has accounted for."""
        self.furthest = branch.tick
        """The furthest tick this day has reached: where the scrubber ends."""
        self.marks = Marks(error.tick for error in branch.errors)
        """Ticks at which an integrity error happened, ahead of the tick shown too (bounded: ``Marks``)."""
        self._errors = branch.errors.total
        self._apply_due()

    @property
    def day(self) -> DayConfig:
        """The day's configuration."""
        return self.branch.day

    @property
    def tick(self) -> int:
        """The tick shown now."""
        return self.branch.tick

    def sync(self) -> None:
        """Take in the actions the player made since the last call; they start a new future."""
        actions = self.branch.actions
        if len(actions) > self._seen:
            new = actions[self._seen:]
            self.recorded = self.recorded[: self._applied] + list(new)
            self._applied = len(self.recorded)
            self._seen = len(actions)
            self.furthest = self.branch.tick  # the old future is gone
            self.marks.drop_after(self.branch.tick)

    def forward(self, ticks: int = 1, each: Callable[[Branch], None] | None = None,
                until: Callable[[], bool] | None = None) -> int:
        """Run up to ``ticks`` ticks, replaying recorded actions at their ticks.

        Args:
            ticks: how many.
            each: called after every tick (the screen samples its sparklines).
            until: asked after every tick; ``True`` stops there (the tutorial
                stops on its first error).

        Returns:
            How many ticks ran (fewer when the day ends).
        """
        self.sync()
        ran = 0
        branch = self.branch
        while ran < ticks and not branch.over:
            branch.step_tick()
            ran += 1
            if branch.errors.total != self._errors:
                self._errors = branch.errors.total
                self.marks.add(branch.errors[-1].tick)
            self._apply_due()
            if each is not None:
                each(branch)
            if until is not None and until():
                break
        self.furthest = max(self.furthest, branch.tick)
        return ran

    def goto(self, tick: int, each: Callable[[Branch], None] | None = None) -> Branch:
        """Show the day at ``tick``: forward from here, or rebuilt from the start when earlier.

        Returns:
            The branch now played (a new object after a rebuild; the old one is closed).
        """
        self.sync()
        tick = max(0, tick)
        if tick >= self.branch.tick:
            self.forward(tick - self.branch.tick, each)
            return self.branch
        old = self.branch
        backend = self.backends() if self.backends is not None else None
        fresh = Branch(old.day, seed=old.seed, backend=backend, code=old.code)
        saved = self._applied, self._seen, self._errors
        try:
            self.branch, self._applied, self._seen, self._errors = fresh, 0, 0, 0
            self._apply_due()
            self.forward(tick, each)
        except BaseException:
            fresh.close()
            self.branch = old
            self._applied, self._seen, self._errors = saved
            raise
        old.close()
        fresh.drain_events()  # what happened on the way back was seen the first time
        return fresh

    def back(self, ticks: int = 1, each: Callable[[Branch], None] | None = None) -> Branch:
        """Step back ``ticks`` ticks (not before tick 0)."""
        return self.goto(self.branch.tick - ticks, each)

    def _apply_due(self) -> None:
        branch = self.branch
        recorded = self.recorded
        while self._applied < len(recorded) and recorded[self._applied][0] <= branch.tick:
            _, kind, argument = recorded[self._applied]
            apply_action(branch, kind, argument)
            self._applied += 1
        self._seen = len(branch.actions)

    def close(self) -> None:
        """Release the branch's backend."""
        self.branch.close()


def state_of(branch: Branch) -> dict[str, Any]:
    """Return everything a day is at this moment, as plain data (to compare two days).

    Every attribute of the branch is in it but the backend object and the
    events not yet drained (a screen drains them as it draws); the backend's
    own ledger is in it as ``backend_balances``.
    """
    state = {key: _plain(value) for key, value in vars(branch).items() if key not in ("backend", "events")}
    state["backend_balances"] = list(branch.backend.balances())
    return state


def _plain(value: Any) -> Any:
    if isinstance(value, random.Random):
        return value.getstate()
    if isinstance(value, Holders):
        return [sorted(holders) for holders in value.sets]
    if isinstance(value, Desk):
        return {name: _plain(getattr(value, name)) for name in Desk.__slots__}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # A customer's ``label`` is text cached the first time it is drawn: not state.
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "label"}
    if isinstance(value, (list, tuple, deque)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
