"""The scrubber: the day so far as one line, to jump to any tick with the mouse or the keys."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message

from ..engine.rewind import Tape
from .panel import Panel


class Scrubber(Panel[Tape], can_focus=True):
    """``0 ├━━━━━━●──✗──┤ 412``: where the day is, how far it has been, its errors.

    The line runs from tick 0 to the furthest tick the day has reached (or the
    end of a replayed day). ``●`` is the tick shown, ``━`` the ticks behind it,
    ``─`` the ticks already played ahead of it, ``✗`` an integrity error and
    ``◆`` an action of the player. A click or a drag jumps; with the focus
    (``g``), ← → move one tick, PageUp/PageDown ten, Home/End to either end.
    The scrubber only posts the tick asked for; the screen asks the tape.
    """

    BINDINGS = [
        Binding("left", "move(-1)", "Back a tick", show=False),
        Binding("right", "move(1)", "On a tick", show=False),
        Binding("shift+left,pageup", "move(-10)", "Back ten", show=False),
        Binding("shift+right,pagedown", "move(10)", "On ten", show=False),
        Binding("home", "to_end(0)", "Tick 0", show=False),
        Binding("end", "to_end(1)", "Furthest tick", show=False),
        Binding("enter", "done", "Done", show=False),
    ]

    COMPONENT_CLASSES = {"scrubber--label", "scrubber--past", "scrubber--ahead", "scrubber--head",
                         "scrubber--error", "scrubber--action", "scrubber--hint"}

    DEFAULT_CSS = """
    Scrubber { height: 1; }
    Scrubber > .scrubber--label { color: $text-muted; }
    Scrubber > .scrubber--past { color: $text-accent; }
    Scrubber > .scrubber--ahead { color: $text-muted; }
    Scrubber > .scrubber--head { color: $text-warning; text-style: bold; }
    Scrubber > .scrubber--error { color: $text-error; text-style: bold; }
    Scrubber > .scrubber--action { color: $text-success; }
    Scrubber > .scrubber--hint { color: $text-muted; }
    """

    @dataclass
    class Jumped(Message):
        """The player asked to see the day at ``tick``."""

        tick: int

    def __init__(self, tape: Tape, *, end: int = 0, id: str | None = None) -> None:
        super().__init__(tape, id=id)
        self.end = end
        """The last tick of the line when it is known ahead (a replay); else the furthest reached."""
        self._dragging = False
        self.wanted: int | None = None
        """The tick asked for and not yet shown (keys come faster than a day rebuilds)."""

    # ---------------------------------------------------------------- state
    @property
    def tape(self) -> Tape:
        """The day as a recording."""
        return self.state

    @property
    def last(self) -> int:
        """The tick at the right end of the line."""
        return max(self.end, self.tape.furthest, self.tape.tick, 1)

    def signature(self, tape: Tape) -> tuple:
        # The latest error mark and action with their counts: a day stepped back keeps its first ones.
        return (tape.tick, tape.furthest, self.end, len(tape.marks), max(tape.marks, default=-1), len(tape.recorded),
                tuple(tape.recorded[-1:]))

    def _bar(self) -> tuple[int, int]:
        """Return where the bar starts and how wide it is, in cells."""
        start = len(self._label())
        return start, max(4, self.size.width - start - len(self._tail()))

    def _label(self) -> str:
        return " 0 ├"  # the tick shown is in the status bar just above

    def _tail(self) -> str:
        hint = "  ← → PgUp/PgDn Home/End · enter done" if self.has_focus else "  , back · g scrub"
        return f"┤ {self.last}{hint if self.size.width >= 70 else ''}"

    def tick_at(self, x: int) -> int:
        """Return the tick under column ``x`` of the widget."""
        start, width = self._bar()
        cell = max(0, min(width - 1, x - start))
        return round(cell * self.last / (width - 1))

    # -------------------------------------------------------------- drawing
    def draw(self, tape: Tape) -> Text:
        style = self.get_component_rich_style
        width = self._bar()[1]
        last = self.last

        def cell_of(tick: int) -> int:
            return min(width - 1, round(tick * (width - 1) / last))

        head = cell_of(tape.tick)
        furthest = cell_of(max(tape.furthest, tape.tick))
        cells = [("━", "scrubber--past") if i < head else ("─", "scrubber--ahead") if i <= furthest else ("·", "scrubber--ahead")
                 for i in range(width)]
        for tick, _, _ in tape.recorded:
            cells[cell_of(tick)] = ("◆", "scrubber--action")
        for tick in tape.marks:
            cells[cell_of(tick)] = ("✗", "scrubber--error")
        cells[head] = ("●", "scrubber--head")
        text = Text(no_wrap=True, overflow="crop")
        text.append(self._label(), style("scrubber--label"))
        for symbol, name in cells:
            text.append(symbol, style(name))
        tail = self._tail()
        number_end = tail.find("  ") if "  " in tail else len(tail)
        text.append(tail[:number_end], style("scrubber--label"))
        text.append(tail[number_end:], style("scrubber--hint"))
        return text

    # --------------------------------------------------------------- input
    def _jump(self, tick: int) -> None:
        self.wanted = max(0, min(self.last, tick))
        self.post_message(self.Jumped(self.wanted))

    def action_move(self, delta: int) -> None:
        """Ask for the tick ``delta`` ticks from the one shown (or from the one asked for last)."""
        self._jump((self.tape.tick if self.wanted is None else self.wanted) + delta)

    def action_to_end(self, which: int) -> None:
        """Ask for tick 0 (``0``) or the furthest tick (``1``)."""
        self._jump(self.last if which else 0)

    def action_done(self) -> None:
        """Give the focus back to the branch."""
        self.screen.set_focus(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._dragging = True
        self.capture_mouse()
        self._jump(self.tick_at(event.x))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging:
            self._jump(self.tick_at(event.x))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
