"""Stars as symbols: ★ earned, ☆ not yet (never colour alone)."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

FULL = "★"
EMPTY = "☆"


def stars_content(stars: int, total: int = 3) -> Content:
    """Return ``stars`` of ``total`` as ``★★☆``, earned stars in the warning colour."""
    stars = max(0, min(total, stars))
    return Content.assemble((FULL * stars, "$warning"), (EMPTY * (total - stars), "$text-muted"))


class Stars(Widget):
    """A row of stars: how many of a level's stars were earned."""

    DEFAULT_CSS = """
    Stars { width: auto; height: 1; }
    """

    stars: reactive[int] = reactive(0)
    """Stars earned."""
    total: reactive[int] = reactive(3)
    """Stars on offer."""

    def __init__(self, stars: int = 0, total: int = 3, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.set_reactive(Stars.stars, stars)
        self.set_reactive(Stars.total, total)

    def render(self) -> Content:
        """Draw the stars."""
        return stars_content(self.stars, self.total)
