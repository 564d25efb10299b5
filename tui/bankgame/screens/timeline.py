"""An integrity error replayed: the two cashiers' steps side by side, tick by tick."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Static

from ..engine import IntegrityError, money
from ..widgets.integrity_panel import KIND_TEXT, error_explanation
from ..widgets.text import gap_text
from ..widgets.timeline import Timeline, interleaving, legend
from .modal import Modal


def numbers_line(error: IntegrityError) -> str:
    """Return an error's numbers in words a player reads (an overdraft has no "expected" balance)."""
    if error.kind == "overdraft":
        return (f"{error.account} was {money(error.expected)} · written {money(error.actual)} · "
                f"{money(abs(error.actual))} below zero")
    if error.kind == "audit":
        return f"expected {money(error.expected)} · counted {money(error.actual)} · {gap_text(error.expected, error.actual)}"
    return (f"should be {money(error.expected)} · written {money(error.actual)} · "
            f"{gap_text(error.expected, error.actual)}")


class TimelineScreen(Modal[None]):
    """How one integrity error happened, read top to bottom."""

    BINDINGS = [
        Binding("escape,enter,q", "dismiss", "Close"),
        Binding("y", "python", "Python"),
    ]

    def __init__(self, error: IntegrityError) -> None:
        super().__init__()
        self.error = error
        self.python = False
        """Whether the steps are shown as the Python statements they stand for (y)."""

    def compose(self) -> ComposeResult:
        error = self.error
        kind = KIND_TEXT.get(error.kind, error.kind)
        with Vertical(id="timeline-box") as box:
            box.border_title = f"✗ {kind.capitalize()} on {error.account} at tick {error.tick}"
            yield Static(error_explanation(error), id="timeline-why")
            yield Static(numbers_line(error), id="timeline-numbers")
            with VerticalScroll(id="timeline-steps"):
                if error.steps:
                    yield Timeline(interleaving(error))
                else:
                    yield Static("The closing audit found the gap: the vault's total does not match "
                                 "the deposits and withdrawals paid out.")
            if error.steps:
                yield Static(legend(error.account) + " · y: as Python", id="timeline-legend")
            yield Button("Close", id="timeline-close", variant="primary", compact=True)

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_python(self) -> None:
        """Show each step as the Python statement it stands for, or as the game's line again."""
        from dataclasses import replace

        from ..engine.python_code import python_line

        if not self.error.steps:
            return
        self.python = not self.python
        error = self.error
        if self.python:
            # Only the lines change: what each step read or wrote is the same in Python.
            error = replace(error, steps=tuple(step._replace(line=python_line(step.line)) for step in error.steps))
        self.query_one(Timeline).show(interleaving(error))
        words = "Python: a ticket is lock.acquire() / lock.release(); y: the game's steps"
        self.query_one("#timeline-legend", Static).update(
            legend(self.error.account) + (f" · {words}" if self.python else " · y: as Python"))
