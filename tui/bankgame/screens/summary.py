"""A plain end-of-day summary, shown when no results screen is available."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..engine import Report


class SummaryScreen(ModalScreen[str]):
    """The day's report; dismissed with ``"retry"`` or ``"close"``."""

    BINDINGS = [Binding("escape", "dismiss('close')", "Close"), Binding("r", "dismiss('retry')", "Play again")]

    def __init__(self, title: str, report: Report, debrief: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.report = report
        self.debrief = debrief

    def compose(self) -> ComposeResult:
        report = self.report
        stars = "★" * report.stars + "☆" * (3 - report.stars) if report.goals else ""
        with Vertical(id="summary-box") as box:
            box.border_title = f"Day over · {self.title_text} {stars}".rstrip()
            yield Static(report.to_text(), id="summary-report")
            if self.debrief:
                yield Static(self.debrief, id="summary-debrief")
            with Horizontal(id="summary-buttons"):
                yield Button("Play again (r)", id="retry", variant="primary")
                yield Button("Close (esc)", id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "close")
