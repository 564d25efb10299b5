"""The base of every panel: it draws one state, and draws again only when what it shows changed.

A panel says what it shows in ``signature(state)`` (every field of the state
that ``draw(state)`` reads) and how it looks in ``draw(state)``. ``show(state)``
compares the signature with the one last drawn and redraws only when they
differ, so an unchanged panel costs one tuple comparison a frame. A field read
by ``draw`` but missing from ``signature`` leaves the panel stale: the test of
each panel (tests/ui/test_panels.py) plays a day and, after every tick, checks
that what is on screen is what a fresh drawing of the state would be.

A panel a screen hands a state of its own (a ``NamedTuple`` or a frozen
dataclass of exactly what it draws) returns that state as its signature, and
its test changes each field alone.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

from rich.text import Text

from ..engine import Branch
from .lines import TextLines

StateT = TypeVar("StateT")

_NEVER = object()
"""The signature of a panel not drawn yet: equal to no signature."""


class Panel(TextLines, Generic[StateT]):
    """A widget drawn from ``state``: ``signature(state)`` says when, ``draw(state)`` says what.

    Args:
        state: the state to show first (shown again with ``show``).
        id: the widget's id.
        classes: its classes.
    """

    RELAYOUT = False
    """Whether a new drawing can change the panel's height (a new layout is costlier than a repaint)."""

    def __init__(self, state: StateT, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.state = state
        """The state drawn (the latest given to ``show``)."""
        self._shown: Hashable = _NEVER

    def signature(self, state: StateT) -> Hashable:
        """Return every field of ``state`` that ``draw`` reads: a new value means a new drawing."""
        raise NotImplementedError

    def draw(self, state: StateT) -> Text:
        """Return the panel's content for ``state``."""
        raise NotImplementedError

    def decorate(self, state: StateT) -> None:
        """Set what is drawn around the content (border titles, classes); called on each new drawing."""

    def show(self, state: StateT) -> bool:
        """Show ``state``, drawing again only if what the panel shows changed.

        Returns:
            Whether the panel is drawn again.
        """
        # The size and the focus change the drawing too (the cursor is drawn only with the focus).
        signature = (self.signature(state), self.size, self.has_focus)
        self.state = state  # a rebuilt day that looks the same is kept, and drawn the same
        if signature == self._shown:
            return False
        self._shown = signature
        self.decorate(state)
        self.refresh(layout=self.RELAYOUT)
        return True

    def redraw(self) -> None:
        """Draw again at the next ``show`` whatever the signature (the panel's own settings changed)."""
        self._shown = _NEVER
        self.refresh()

    def render(self) -> Text:
        return self.draw(self.state)


class BranchPanel(Panel[Branch]):
    """A panel showing the day itself: the branch screen shows each one the latest day, every frame."""

    @property
    def branch(self) -> Branch:
        """The day shown."""
        return self.state
