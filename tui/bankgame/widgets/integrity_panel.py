"""The Integrity panel: every integrity error as it happens; select one to see why."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive

from ..engine import Branch, IntegrityError, money
from .panel import BranchPanel
from .text import CREATED_WHY, clip, created, dollars, gap_text

KIND_TEXT = {"lost_update": "lost update", "overdraft": "overdraft", "audit": "audit gap"}


def error_gap(error: IntegrityError) -> str:
    """Return what an error cost, always with a positive amount: ``$23 lost``, ``$9 created``, ``$16 below zero``."""
    if error.kind == "overdraft":
        return f"{dollars(abs(error.actual))} below zero"
    gap = error.actual - error.expected
    return f"{dollars(abs(gap))} {'created' if gap > 0 else 'lost'}"


def error_line(error: IntegrityError) -> str:
    """Return one error in a line: ``✗ t42 lost update on A: $23 lost · Ann & Ben``."""
    kind = KIND_TEXT.get(error.kind, error.kind)
    who = " & ".join(error.cashiers)
    where = f" on {error.account}" if error.account != "vault" else ""
    return f"✗ t{error.tick} {kind}{where}: {error_gap(error)}" + (f" · {who}" if who else "")


def error_headline(error: IntegrityError) -> str:
    """Return what went wrong, in dollars, in a sentence or two (the first error's toast says this)."""
    if error.kind == "audit":
        return (f"Closing audit: the vault holds {money(error.actual)}, but the deposits and withdrawals paid out "
                f"say {money(error.expected)}: {gap_text(error.expected, error.actual)}.")
    return error.explanation


def error_explanation(error: IntegrityError) -> str:
    """Return why the error happened, in dollars (and what "created" means, when it was)."""
    text = error_headline(error)
    if error.kind != "overdraft" and created(error.expected, error.actual):
        text += f"\n{CREATED_WHY}"
    return text


class IntegrityPanel(BranchPanel, can_focus=True):
    """The list of integrity errors, newest last; ``enter`` or a click opens a timeline."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("enter", "select", "Timeline", show=True),
    ]

    COMPONENT_CLASSES = {"integrity--error", "integrity--ok", "integrity--cursor", "integrity--note"}

    DEFAULT_CSS = """
    IntegrityPanel { height: 1fr; min-height: 3; }
    IntegrityPanel > .integrity--ok { color: $text-success; }
    IntegrityPanel > .integrity--error { color: $text-error; }
    IntegrityPanel > .integrity--cursor { background: $accent 30%; }
    IntegrityPanel > .integrity--note { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(-1)
    """The selected error; -1 follows the newest."""

    @dataclass
    class ErrorSelected(Message):
        """The player asked to see how error number ``index`` happened."""

        index: int

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(branch, id=id)
        self.border_title = "Integrity"

    def signature(self, branch: Branch) -> tuple:
        # The total, not the list: a long day keeps only its first and latest errors.
        return (branch.errors.total, self.cursor)

    def decorate(self, branch: Branch) -> None:
        count = branch.errors.total
        self.border_title = f"Integrity · ✗ {count} error{'s' * (count != 1)}" if count else "Integrity · ✓"
        self.set_class(bool(count), "-errors")

    def selected(self) -> int:
        """Return the index of the selected error (the newest if none was chosen)."""
        count = len(self.branch.errors)
        if not count:
            return -1
        return count - 1 if self.cursor < 0 else min(self.cursor, count - 1)

    def action_cursor(self, delta: int) -> None:
        """Move the selection."""
        count = len(self.branch.errors)
        if count:
            self.cursor = max(0, min(count - 1, self.selected() + delta))

    def action_select(self) -> None:
        """Open the timeline of the selected error."""
        index = self.selected()
        if index >= 0:
            self.post_message(self.ErrorSelected(index))

    def _top(self) -> int:
        rows = max(1, self.size.height - 1)
        return max(0, self.selected() - rows + 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self._top() + offset.y
        if 0 <= index < len(self.branch.errors):
            self.cursor = index
            self.action_select()

    def draw(self, branch: Branch) -> Text:
        errors = branch.errors
        width, height = self.size
        style = self.get_component_rich_style
        if not errors:
            return Text(clip("✓ no integrity errors so far", width), style("integrity--ok"))
        text = Text(no_wrap=True, overflow="crop")
        rows = max(1, height - 1)
        top = self._top()
        selected = self.selected()
        for index in range(top, min(len(errors), top + rows)):
            mark = "›" if index == selected else " "
            line = Text(clip(f"{mark}{error_line(errors[index])}", width), style("integrity--error"))
            if index == selected and self.has_focus:
                line.pad_right(width - line.cell_len)
                line.stylize(style("integrity--cursor"))
            text.append_text(line)
            text.append("\n")
        text.append(clip("enter/click: see the interleaving", width), style("integrity--note"))
        return text
