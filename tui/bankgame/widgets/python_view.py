"""A desk's transaction as the Python it stands for, the current step's line marked."""

from __future__ import annotations

import textwrap
from typing import NamedTuple

from rich.text import Text

from ..engine.python_code import DeskPython
from .panel import Panel
from .text import clip

ORDER_NOTE = "The game picks the order of the steps, so a day replays. The Lab and an export (x) let the OS pick."
"""What the game's scheduler is, said where the player reads the real code."""
EMPTY = "No customer at this desk."


class Listing(NamedTuple):
    """What the Python view shows: a desk's code, the line of the step about to run marked."""

    code: DeskPython | None = None
    """``None``: the desk has no program (``empty`` says why)."""
    current: int = -1
    """The line of the step about to run (``-1``: none)."""
    mark: str = "▶"
    """``▶`` for a step that runs, ``◷`` for one that waits."""
    title: str = ""
    empty: str = EMPTY
    comment: str = ""
    """If given, replaces the marked line's own comment (``leaving the with: ...``)."""


class PythonView(Panel[Listing]):
    """Python lines like a tiny editor: ``▶`` marks the line of the step about to run.

    The screen hands it what to show (``show(Listing(...))``); it only draws.
    """

    COMPONENT_CLASSES = {
        "python--code", "python--current", "python--comment", "python--lineno", "python--note", "python--empty",
    }

    DEFAULT_CSS = """
    PythonView { height: 1fr; border: round $panel-lighten-2; padding: 0 1; border-title-color: $text-accent; }
    PythonView > .python--code { color: $text; }
    PythonView > .python--current { background: $primary 30%; text-style: bold; }
    PythonView > .python--comment { color: $text-muted; }
    PythonView > .python--lineno { color: $text-muted; }
    PythonView > .python--note { color: $text-muted; text-style: italic; }
    PythonView > .python--empty { color: $text-muted; text-style: italic; }
    """

    def __init__(self, *, note: str = ORDER_NOTE, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Listing(), id=id, classes=classes)
        self.note = note
        """Said under the code (the screen's, fixed): who picks the order of the steps."""

    def signature(self, state: Listing) -> Listing:
        return state  # every field is drawn (the code compared by identity first, so an unchanged one is cheap)

    def decorate(self, state: Listing) -> None:
        self.border_title = state.title

    def draw(self, state: Listing) -> Text:
        style = self.get_component_rich_style
        width, height = self.size
        text = Text(no_wrap=True, overflow="crop")
        note = textwrap.wrap(self.note, max(10, width))[:3] if self.note and height >= 8 else []
        note_rows = len(note) + 1 if note else 0
        rows = max(0, height - note_rows)
        code = state.code
        if code is None:
            text.append(clip(state.empty, width), style("python--empty"))
        else:
            lines = code.lines
            top = 0
            if len(lines) > rows and state.current >= 0:
                # Keep the marked line in view, with the line before it.
                top = min(max(0, state.current - 2), len(lines) - rows)
            shown = lines[top:top + rows]
            for offset, line in enumerate(shown):
                number = top + offset
                if offset:
                    text.append("\n")
                current = number == state.current
                mark = state.mark if current else " "
                text.append(f"{number + 1:>2}{mark}", style("python--lineno"))
                body = "    " * line.indent + line.code
                room = max(0, width - 3)
                cell = Text(clip(body, room), style("python--current" if current else "python--code"))
                comment = state.comment if current and state.comment else line.comment
                if comment and len(body) + 4 < room:
                    cell.append(clip(f"  # {comment}", room - len(body)), style("python--comment"))
                if current:
                    cell.pad_right(room - cell.cell_len)
                    cell.stylize(style("python--current"))
                text.append_text(cell)
        if note:
            used = text.plain.count("\n") + 1
            text.append("\n" * max(1, height - used - len(note) + 1))
            text.append("\n".join(clip(line, width) for line in note), style("python--note"))
        return text
