"""A one-line choice: ``‹ value ›``, cycled with the arrow keys, enter or a click."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class Choice(Widget, can_focus=True):
    """Pick one of a few labelled values without a drop-down.

    Args:
        options: ``(label, value)`` pairs.
        value: the value chosen at first.
    """

    BINDINGS = [
        Binding("left", "move(-1)", "Previous", show=False),
        Binding("right,enter,space", "move(1)", "Next", show=False),
    ]

    DEFAULT_CSS = """
    Choice { height: 1; width: 1fr; padding: 0 1; background: $boost; }
    Choice:focus { background: $accent 30%; text-style: bold; }
    """

    index: reactive[int] = reactive(0)
    """Position of the chosen option."""

    @dataclass
    class Changed(Message):
        """The player chose another value."""

        choice: Choice
        value: Any

    def __init__(self, options: list[tuple[str, Any]], value: Any, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.options = options
        values = [v for _, v in options]
        self.set_reactive(Choice.index, values.index(value) if value in values else 0)

    @property
    def value(self) -> Any:
        """The value chosen."""
        return self.options[self.index][1]

    def action_move(self, step: int) -> None:
        """Choose the previous or next option (it wraps around)."""
        self.index = (self.index + step) % len(self.options)
        self.post_message(self.Changed(self, self.value))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        self.action_move(-1 if offset is not None and offset.x < 2 else 1)

    def render(self) -> Text:
        label = self.options[self.index][0]
        return Text(f"‹ {label} ›  ({self.index + 1}/{len(self.options)})")
