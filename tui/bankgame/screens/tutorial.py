"""The guided tutorial, played on the live branch screen.

The branch screen as the player knows it, plus a panel with the current step
and the widget it talks about highlighted. ``bankgame.tutorial.Tutorial``
decides when a step is done; this screen only tells it what happened.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding

from ..constants import BackendName
from ..day import open_day
from ..engine import Branch, Level, load_level
from ..paths import assets_dir
from ..store import Store
from ..tutorial import Tutorial, holds, load_tutorial
from ..widgets.integrity_panel import IntegrityPanel
from ..widgets.tutorial_panel import TutorialPanel, lesson
from .branch import BRANCH_CSS, BranchScreen

HIGHLIGHT = "-tutorial-target"
"""The class of the highlighted widget (styled in ``assets/styles/tutorial.tcss``)."""


def chapter_day(tutorial: Tutorial, backend: BackendName) -> tuple[Level, Branch]:
    """Return the level and a new day of the tutorial's current chapter on ``backend``."""
    chapter = tutorial.chapter
    base = load_level(chapter.level)
    level = dataclasses.replace(base, title=f"Tutorial · {chapter.title}", goals=(), lessons=chapter.lessons)
    _, branch = open_day(chapter.level, chapter.seed, chapter.day, backend)
    return level, branch


def new_tutorial(store: Store | None) -> Tutorial:
    """Return the tutorial from ``assets/tutorial``, resumed from the saved progress (again from the start once finished)."""
    tutorial = Tutorial(load_tutorial(), store)
    if tutorial.finished:
        tutorial.restart()
    return tutorial


class TutorialScreen(BranchScreen):
    """The branch screen with the tutorial on it.

    Args:
        tutorial: the tutorial and its position.
        day: the level and the day of the tutorial's chapter (``chapter_day``;
            the app opens it, off the UI thread on real processes).
        paused: start the chapter's day paused (the first step says so).
        speed: one of ``SPEEDS``.
    """

    CSS_PATH = [BRANCH_CSS, assets_dir() / "styles" / "tutorial.tcss"]

    BINDINGS = [
        # The tutorial's panel always says these two: the footer keeps its room for the day's keys.
        Binding("n", "tutorial_next", "Next", show=False),
        Binding("x", "tutorial_skip", "Skip tutorial", show=False),
    ]

    def __init__(self, tutorial: Tutorial, day: tuple[Level, Branch], *, paused: bool = True,
                 speed: float = 1.0) -> None:
        self.tutorial = tutorial
        self._chapter = tutorial.chapter_index
        level, branch = day
        super().__init__(level, branch, paused=paused, speed=speed)
        self._results_shown = True  # a tutorial day has no results screen: it is not a level played
        self._step_started = time.monotonic()
        self._highlighted = ""

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if widget.id == "goals":
                yield TutorialPanel(lesson(self.tutorial), id="tutorial")
            yield widget

    def on_mount(self) -> None:
        # BranchScreen.on_mount runs too (Textual calls each class's handler).
        self.set_interval(1.0, self._show_step)
        # The first error is the clean one to replay (later ones may be a cascade from it).
        self.query_one(IntegrityPanel).cursor = 0
        self._show_step()

    def on_unmount(self) -> None:
        self.branch.close()

    # ------------------------------------------------------------- the steps
    def refresh_view(self) -> None:
        """Redraw the branch, then ask the tutorial whether the step is done."""
        super().refresh_view()
        if not self._current():
            return
        if self.tutorial.observe(self.branch):
            self._step_done()
        elif self.branch.over and not self.tutorial.finished:
            self._reopen()

    def hold(self) -> bool:
        """Stop the day on the tick where the step's error or deadlock first happened."""
        step = self.tutorial.step
        return (step is not None and self._current() and step.condition[0] in ("error", "deadlock")
                and holds(step, self.branch))

    def _current(self) -> bool:
        """Whether this screen's day is the tutorial's current chapter (not one being left)."""
        return self._chapter == self.tutorial.chapter_index

    def _tell(self, kind: str, argument: str = "") -> None:
        if self._current() and self.tutorial.feed(kind, argument):
            self._step_done()

    def _step_done(self) -> None:
        self._step_started = time.monotonic()
        if self.tutorial.finished:
            self.notify("Tutorial complete. The campaign is waiting: escape opens it.", title="★ Tutorial")
        elif self.tutorial.chapter_index != self._chapter:
            self.app.open_tutorial(self.tutorial, speed=self.speed)
            return
        self._show_step()

    def _reopen(self) -> None:
        """The chapter's day ended before its steps: open it again, from the chapter's start."""
        self.tutorial.start_chapter()
        self.notify("The day ended; here is a new one.", title="Tutorial")
        self.app.open_tutorial(self.tutorial, speed=self.speed)

    def _show_step(self) -> None:
        step = self.tutorial.step
        target = step.highlight if step is not None else ""
        if target != self._highlighted:
            for widget in self.query(f".{HIGHLIGHT}"):
                widget.remove_class(HIGHLIGHT)
            if target:
                for widget in self.query(f"#{target}"):
                    widget.add_class(HIGHLIGHT)
                    # On a short terminal the side column scrolls: bring what the step points at into view.
                    self.call_after_refresh(widget.scroll_visible, animate=False)
            self._highlighted = target
        self.query_one(TutorialPanel).show(lesson(self.tutorial, self._hint()))

    # --------------------------------------------------------------- actions
    def action_toggle_pause(self) -> None:
        """Pause or resume the day."""
        self._act(super().action_toggle_pause, "toggle_pause")

    def action_step(self) -> None:
        """Pause and run exactly one tick."""
        self._act(super().action_step, "step")

    def action_switch_mode(self) -> None:
        """Ask the branch to switch between shared state and message passing."""
        self._act(super().action_switch_mode, "switch_mode")

    def action_tickets(self) -> None:
        """Focus the ticket board (shared mode)."""
        self._act(super().action_tickets, "tickets")

    def action_kill_clerk(self) -> None:
        """Kill the busiest clerk for real (message mode); it is restarted."""
        self._act(super().action_kill_clerk, "kill_clerk")

    def _act(self, action: Callable[[], None], name: str) -> None:
        # An action whose tick completed the step must not also complete the next one.
        before = self.tutorial.position
        action()
        if self.tutorial.position == before:
            self._tell("action", name)

    def action_tutorial_next(self) -> None:
        """Go on from a step that only asks to read, or from any step once its hint is shown."""
        step = self.tutorial.step
        if step is not None and step.until != "next" and self._current() and self._hint():
            self.tutorial.move_on()  # stuck past the hint: the player may go on
            self._step_done()
            return
        self._tell("next")

    def _hint(self) -> str:
        return self.tutorial.hint(time.monotonic() - self._step_started)

    def action_leave(self) -> None:
        """Leave the focused panel; once the tutorial is done, escape opens the campaign, as the panel says."""
        if self.focused is None and self.tutorial.status == "done":
            self.app.show_levels()
            return
        super().action_leave()

    def action_tutorial_skip(self) -> None:
        """End the tutorial here (it can be started again from the title)."""
        if not self.tutorial.finished:
            self.tutorial.skip()
            self.notify("Tutorial skipped. The branch is yours; escape leaves.", title="Tutorial")
            self._show_step()
