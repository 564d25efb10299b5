"""One line of the day's state: running or paused, tick, seed, speed, mode, backend."""

from __future__ import annotations

from rich.text import Text
from .lines import TextLines

from ..engine import Branch


class StatusBar(TextLines):
    """The clock of the branch, in ticks (never wall-clock time)."""

    COMPONENT_CLASSES = {"status--paused", "status--running", "status--mode", "status--note", "status--over"}

    DEFAULT_CSS = """
    StatusBar { height: 1; }
    """

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.branch = branch
        self.paused = False
        self.speed = 1.0
        self.backend = branch.backend.name
        self.note = ""
        self._signature: tuple = ()

    def show(self, paused: bool, speed: float, note: str = "") -> None:
        """Draw the state the screen reports (paused, speed) with the branch's."""
        branch = self.branch
        self.paused, self.speed, self.note = paused, speed, note
        signature = (paused, speed, note, branch.tick, branch.mode, branch.pending_mode, branch.over)
        if signature != self._signature:
            self._signature = signature
            self.refresh()

    def render(self) -> Text:
        # The fullest line that fits: the backend, the tick rate and the long
        # words go first, so that a pending switch or a note is never cut.
        width = self.size.width
        wide = width >= 110
        choices = ((True, wide, True, True), (True, False, True, True), (False, False, True, True),
                   (False, False, True, False), (False, False, False, False), (False, False, False, False, True))
        for backend, rate, long_pending, hint, *short in choices:
            text = self._line(backend, rate, long_pending, hint, bool(short))
            if text.cell_len <= width:
                return text
        return text

    def _line(self, backend: bool, rate: bool, long_pending: bool, hint: bool = True, short: bool = False) -> Text:
        branch = self.branch
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        if branch.over:
            text.append(" ■ DAY OVER ", style("status--over"))
        elif self.paused and branch.tick == 0:
            text.append(" ‖ DOORS CLOSED ", style("status--paused"))
            text.append(" space opens them" if hint else " space", style("status--note"))
        elif self.paused:
            text.append(" ‖ PAUSED ", style("status--paused"))
        else:
            text.append(" ▶ RUNNING ", style("status--running"))
        if self.note:
            text.append(f" {self.note}", style("status--note"))
        speed = f"{self.speed:g}×"
        per_second = 10 * self.speed
        ticks_per_second = f" ({per_second:g} tick{'s' * (per_second != 1)}/s)" if rate else ""
        # The seed is on screen so that a class can play the very same day again (--seed N).
        text.append(f"  tick {branch.tick:>4} · seed {branch.seed} · speed {speed}{ticks_per_second} · ")
        if short:  # the narrowest line: the words a pending switch needs stay, the mode gets shorter
            mode = "shared state" if branch.mode == "shared" else "messages"
        else:
            mode = "shared state + tickets" if branch.mode == "shared" else "message passing"
        text.append(f"{mode}", style("status--mode"))
        if branch.pending_mode:
            later = "once the desks are free" if long_pending else "soon"
            text.append(f" → {branch.pending_mode} {later}", style("status--note"))
        if backend:
            real = self.backend.startswith("process")
            tcp = self.backend.endswith("+tcp")  # a clerk across a socket (the second branch)
            if self.size.width >= 110:
                text.append((" · real worker processes" if real else " · in-process backend") + (" + a clerk over TCP" if tcp else ""))
            else:
                text.append((" · processes" if real else " · in-process") + (" + TCP" if tcp else ""))
        return text
