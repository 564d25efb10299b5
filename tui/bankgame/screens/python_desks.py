"""The Python view's glue on a screen of desks (the branch, a puzzle): which desk it shows, its title, the palette.

``y`` walks the desks and, after the last, closes the view; the palette names
each desk. A screen says how its desk's code is made and which line is marked;
the rest is here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence

from textual.app import SystemCommand

from ..engine.python_code import DeskPython
from ..widgets.python_view import Listing, PythonView


class PythonDesks:
    """Which desk's code the Python view shows (``None``: the view is closed).

    Args:
        names: the desks' names, in order.
        what: what a desk's code is, for the palette (``Its transaction as Python, ...``).
    """

    def __init__(self, names: Sequence[str], what: str) -> None:
        self.names = tuple(names)
        self.what = what
        self.desk: int | None = None
        """The desk shown (``None``: the view is closed)."""
        self._code: dict[int, tuple[Hashable, DeskPython]] = {}

    def walk(self) -> None:
        """Go to the next desk (the first if the view is closed); after the last, close the view."""
        if self.desk is None:
            self.desk = 0
        elif self.desk + 1 < len(self.names):
            self.desk += 1
        else:
            self.desk = None

    def choose(self, desk: int | None) -> None:
        """Show desk ``desk`` (``None``, or a desk that is not there: close the view)."""
        self.desk = desk if desk is None or 0 <= desk < len(self.names) else None

    def code(self, made_from: Hashable, make: Callable[[], DeskPython]) -> DeskPython:
        """Return the shown desk's code, made by ``make`` again only when ``made_from`` changes."""
        assert self.desk is not None
        kept = self._code.get(self.desk)
        if kept is None or kept[0] != made_from:
            kept = self._code[self.desk] = (made_from, make())
        return kept[1]

    def title(self, about: str = "") -> str:
        """Return the view's title: ``Python · Ann · <about> · y: next desk``."""
        assert self.desk is not None
        more = "y: next desk" if self.desk + 1 < len(self.names) else "y: close"
        return " · ".join(("Python", self.names[self.desk], *((about,) if about else ()), more))

    def show(self, view: PythonView, listing: Callable[[int], Listing]) -> None:
        """Show the chosen desk in ``view`` (``listing(desk)`` says what), or hide ``view`` if none is."""
        view.display = self.desk is not None
        if self.desk is not None:
            view.show(listing(self.desk))

    def commands(self, choose: Callable[[int | None], None]) -> Iterator[SystemCommand]:
        """Yield the palette's entries: each desk's Python, and closing the view while it is open."""
        for index, name in enumerate(self.names):
            yield SystemCommand(f"Python of {name}'s desk", self.what, lambda i=index: choose(i))
        if self.desk is not None:
            yield SystemCommand("Close the Python view", "Back to the desks alone (y after the last desk)",
                                lambda: choose(None))
