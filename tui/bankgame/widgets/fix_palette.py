"""The palette of the Fix the Program editor: the lines the current desk may insert, numbered."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message

from .panel import Panel
from .text import clip


class Palette(NamedTuple):
    """The lines one desk may insert."""

    desk: str
    lines: tuple[str, ...] = ()


class FixPalette(Panel[Palette]):
    """``1 take ticket A`` … a key (or a click) inserts that line at the cursor.

    It only draws (``show(Palette(desk, lines))``); a click on a line tells the screen (``FixPalette.Picked``).
    """

    COMPONENT_CLASSES = {"fixpalette--key", "fixpalette--line"}

    DEFAULT_CSS = """
    FixPalette { width: 1fr; height: auto; min-height: 3; border: round $panel-lighten-2; padding: 0 1;
                 border-title-color: $text-accent; }
    FixPalette > .fixpalette--key { color: $text-accent; text-style: bold; }
    """

    RELAYOUT = True
    """Another desk's palette has another number of lines."""

    class Picked(Message):
        """A palette line was clicked."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Palette(""), id=id)

    def signature(self, state: Palette) -> Palette:
        return state  # every field is drawn

    def decorate(self, state: Palette) -> None:
        self.border_title = f"Palette · {state.desk}"

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.state.lines))

    def draw(self, state: Palette) -> Text:
        style = self.get_component_rich_style
        width = max(6, self.size.width)
        text = Text(no_wrap=True, overflow="crop")
        if not state.lines:
            text.append(clip(f"{state.desk}: nothing to insert", width))
            return text
        for i, line in enumerate(state.lines):
            if i:
                text.append("\n")
            text.append(f"{i + 1} ", style("fixpalette--key"))
            text.append(clip(line, width - 2), style("fixpalette--line"))
        return text

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and 0 <= offset.y < len(self.state.lines):
            self.post_message(self.Picked(offset.y))
