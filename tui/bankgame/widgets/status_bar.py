"""One line of the day's state: running or paused, tick, speed, mode, backend."""

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
        branch = self.branch
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        if branch.over:
            text.append(" ■ DAY OVER ", style("status--over"))
        elif self.paused and branch.tick == 0:
            text.append(" ‖ DOORS CLOSED ", style("status--paused"))
            text.append(" space opens them", style("status--note"))
        elif self.paused:
            text.append(" ‖ PAUSED ", style("status--paused"))
        else:
            text.append(" ▶ RUNNING ", style("status--running"))
        wide = self.size.width >= 110
        speed = f"{self.speed:g}×"
        rate = f" ({10 * self.speed:g} ticks/s)" if wide else ""
        text.append(f"  tick {branch.tick:>4} · speed {speed}{rate} · ")
        mode = "shared state + tickets" if branch.mode == "shared" else "message passing"
        text.append(f"{mode}", style("status--mode"))
        if branch.pending_mode:
            text.append(f" → {branch.pending_mode} once the desks are free", style("status--note"))
        real = self.backend.startswith("process")
        tcp = self.backend.endswith("+tcp")  # a clerk across a socket (the second branch)
        if wide:
            text.append((" · real worker processes" if real else " · in-process backend") + (" + a clerk over TCP" if tcp else ""))
        else:
            text.append((" · processes" if real else " · in-process") + (" + TCP" if tcp else ""))
        if self.note:
            text.append(f" · {self.note}", style("status--note"))
        return text
