"""One desk's program in the Fix the Program editor: the cursor, the fixed lines, a proof played back."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message

from .panel import Panel
from .text import clip


@dataclass(frozen=True)
class DeskView:
    """What the desk shows; the screen builds it from the editor (and a proof being played back)."""

    name: str
    key: str
    lines: tuple[str, ...]
    fixed: tuple[bool, ...]
    cursor: int
    """The line the cursor is on (``len(lines)``: the place after the last line); -1 on another desk."""
    status: str = ""
    """During a proof: what the desk is doing (``◷ waiting for ticket A``)."""
    next_line: int = -1
    """During a proof: the line it runs next."""
    ran: frozenset[int] = frozenset()
    damage: int = -1
    """During a proof: the line whose step broke the program (the damaging write)."""


class FixDesk(Panel[DeskView]):
    """A desk's lines: ``▸`` the cursor, ``■`` a fixed line (the customer's own), ``▶``/``✓`` a proof, ``✗`` the damage.

    It only draws (``show(view)``); a click on a line tells the screen (``FixDesk.Clicked``).
    """

    COMPONENT_CLASSES = {"fixdesk--fixed", "fixdesk--free", "fixdesk--cursor", "fixdesk--next", "fixdesk--done",
                         "fixdesk--damage", "fixdesk--state", "fixdesk--lineno"}

    DEFAULT_CSS = """
    FixDesk { width: 1fr; height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    FixDesk.-current { border: heavy $accent; }
    FixDesk > .fixdesk--fixed { color: $text-muted; }
    FixDesk > .fixdesk--free { color: $text; text-style: bold; }
    FixDesk > .fixdesk--cursor { background: $accent 40%; }
    FixDesk > .fixdesk--next { background: $primary 30%; text-style: bold; }
    FixDesk > .fixdesk--done { color: $text-muted; }
    FixDesk > .fixdesk--damage { background: $error 60%; color: $text; text-style: bold; }
    FixDesk > .fixdesk--state { color: $text-accent; }
    FixDesk > .fixdesk--lineno { color: $text-muted; }
    """

    class Clicked(Message):
        """A line (or the place after the last) was clicked."""

        def __init__(self, desk: int, line: int) -> None:
            super().__init__()
            self.desk = desk
            self.line = line

    def __init__(self, index: int, view: DeskView, *, id: str | None = None) -> None:
        super().__init__(view, id=id)
        self.index = index

    def signature(self, state: DeskView) -> DeskView:
        return state  # every field is drawn

    def decorate(self, state: DeskView) -> None:
        self.border_title = f"{state.key} · {state.name}"
        self.border_subtitle = "1 line" if len(state.lines) == 1 else f"{len(state.lines)} lines"
        self.set_class(state.cursor >= 0, "-current")

    def draw(self, view: DeskView) -> Text:
        style = self.get_component_rich_style
        width = max(6, self.size.width)
        text = Text(no_wrap=True, overflow="crop")
        text.append(clip(view.status or "■ the desk's own line · the others are yours", width), style("fixdesk--state"))
        rows = max(1, self.size.height - 1)
        shown = list(range(len(view.lines) + 1))
        focus = view.cursor if view.cursor >= 0 else max(view.next_line, view.damage, 0)
        first = 0 if len(shown) <= rows else max(0, min(focus - rows // 2, len(shown) - rows))
        for number in shown[first:first + rows]:
            text.append("\n")
            if number == len(view.lines):
                mark = "▸" if view.cursor == number else " "
                row = f"   {mark} · end ·"
                text.append(row.ljust(width), style("fixdesk--cursor") if view.cursor == number else style("fixdesk--lineno"))
                continue
            line = view.lines[number]
            if number == view.damage:
                mark, line_style = "✗", style("fixdesk--damage")
            elif number == view.next_line:
                mark, line_style = "▶", style("fixdesk--next")
            elif number in view.ran:
                mark, line_style = "✓", style("fixdesk--done")
            else:
                mark = "■" if view.fixed[number] else " "
                line_style = style("fixdesk--fixed") if view.fixed[number] else style("fixdesk--free")
            if number == view.cursor:
                mark = "▸"
                line_style = line_style + style("fixdesk--cursor")
            text.append(f"{number + 1:>2} ", style("fixdesk--lineno"))
            text.append(clip(f"{mark} {line}", width - 3).ljust(width - 3), line_style)
        return text

    def on_click(self, event: events.Click) -> None:
        rows = max(1, self.size.height - 1)
        total = len(self.state.lines) + 1
        focus = self.state.cursor if self.state.cursor >= 0 else max(self.state.next_line, self.state.damage, 0)
        first = 0 if total <= rows else max(0, min(focus - rows // 2, total - rows))
        offset = event.get_content_offset(self)
        if offset is None:
            return  # on the border
        line = first + offset.y - 1  # the content's first row is the desk's status
        if offset.y >= 1 and 0 <= line < total:
            self.post_message(self.Clicked(self.index, line))
