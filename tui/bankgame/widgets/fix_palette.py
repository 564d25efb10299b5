"""The palette of the Fix the Program editor: the lines the current desk may insert, numbered."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from .text import clip


class FixPalette(Widget):
    """``1 take ticket A`` … a key (or a click) inserts that line at the cursor. It only draws."""

    COMPONENT_CLASSES = {"fixpalette--key", "fixpalette--line"}

    DEFAULT_CSS = """
    FixPalette { width: 1fr; height: auto; min-height: 3; border: round $panel-lighten-2; padding: 0 1;
                 border-title-color: $text-accent; }
    FixPalette > .fixpalette--key { color: $text-accent; text-style: bold; }
    """

    class Picked(Message):
        """A palette line was clicked."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: tuple[str, ...] = ()
        self.desk = ""

    def show(self, desk: str, lines: tuple[str, ...]) -> None:
        """Draw the palette of ``desk``."""
        self.desk = desk
        self.lines = lines
        self.border_title = f"Palette · {desk}"
        self.refresh(layout=True)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return max(1, len(self.lines))

    def render(self) -> Text:
        style = self.get_component_rich_style
        width = max(6, self.size.width)
        text = Text(no_wrap=True, overflow="crop")
        if not self.lines:
            text.append(clip(f"{self.desk}: nothing to insert", width))
            return text
        for i, line in enumerate(self.lines):
            if i:
                text.append("\n")
            text.append(f"{i + 1} ", style("fixpalette--key"))
            text.append(clip(line, width - 2), style("fixpalette--line"))
        return text

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and 0 <= offset.y < len(self.lines):
            self.post_message(self.Picked(offset.y))
