"""One line of the day's state: running or paused, tick, seed, speed, mode, backend."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text

from ..engine import Branch
from .panel import Panel
from .text import seed_text


class Clock(NamedTuple):
    """The day and how the screen plays it."""

    branch: Branch
    paused: bool = False
    speed: float = 1.0
    note: str = ""
    """A passing note (a ticket flipped, "escape again leaves the day")."""


class StatusBar(Panel[Clock]):
    """The clock of the branch, in ticks (never wall-clock time)."""

    COMPONENT_CLASSES = {"status--paused", "status--running", "status--mode", "status--note", "status--over"}

    DEFAULT_CSS = """
    StatusBar { height: 1; }
    StatusBar > .status--paused { background: $warning; color: $text; text-style: bold; }
    StatusBar > .status--running { background: $success; color: $background; text-style: bold; }
    StatusBar > .status--over { background: $primary; color: $background; text-style: bold; }
    StatusBar > .status--mode { text-style: bold; color: $text-accent; }
    StatusBar > .status--note { color: $text-warning; }
    """

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(Clock(branch), id=id)

    def signature(self, state: Clock) -> tuple:
        branch = state.branch
        return (state.paused, state.speed, state.note, branch.tick, branch.seed, branch.mode, branch.pending_mode,
                branch.over, branch.backend.name)

    def draw(self, state: Clock) -> Text:
        # The fullest line that fits: the backend, the tick rate and the long
        # words go first, so that a pending switch or a note is never cut.
        width = self.size.width
        wide = width >= 110
        choices = ((True, wide, True, True), (True, False, True, True), (False, False, True, True),
                   (False, False, True, False), (False, False, False, False), (False, False, False, False, True))
        for backend, rate, long_pending, hint, *short in choices:
            text = self._line(state, backend, rate, long_pending, hint, bool(short))
            if text.cell_len <= width:
                return text
        return text

    def _line(self, state: Clock, backend: bool, rate: bool, long_pending: bool, hint: bool = True,
              short: bool = False) -> Text:
        branch = state.branch
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        if branch.over:
            text.append(" ■ DAY OVER ", style("status--over"))
        elif state.paused and branch.tick == 0:
            text.append(" ‖ DOORS CLOSED ", style("status--paused"))
            text.append(" space opens them" if hint else " space", style("status--note"))
        elif state.paused:
            text.append(" ‖ PAUSED ", style("status--paused"))
        else:
            text.append(" ▶ RUNNING ", style("status--running"))
        if state.note:
            text.append(f" {state.note}", style("status--note"))
        speed = f"{state.speed:g}×"
        per_second = 10 * state.speed
        ticks_per_second = f" ({per_second:g} tick{'s' * (per_second != 1)}/s)" if rate else ""
        # The seed is on screen so that a class can play the very same day again (--seed N).
        text.append(f"  tick {branch.tick:>4} · seed {seed_text(branch.seed)} · speed {speed}{ticks_per_second} · ")
        if short:  # the narrowest line: the words a pending switch needs stay, the mode gets shorter
            mode = "shared state" if branch.mode == "shared" else "messages"
        else:
            mode = "shared state + tickets" if branch.mode == "shared" else "message passing"
        text.append(f"{mode}", style("status--mode"))
        if branch.pending_mode:
            later = "once the desks are free" if long_pending else "soon"
            text.append(f" → {branch.pending_mode} {later}", style("status--note"))
        if backend:
            real = branch.backend.name.startswith("process")
            tcp = branch.backend.name.endswith("+tcp")  # a clerk across a socket (the second branch)
            if self.size.width >= 110:
                text.append((" · real worker processes" if real else " · in-process backend") + (" + a clerk over TCP" if tcp else ""))
            else:
                text.append((" · processes" if real else " · in-process") + (" + TCP" if tcp else ""))
        return text
