"""Horizontal bars with their values written beside them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.bar import Bar as RichBar
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value and the value as the player reads it."""

    label: str
    value: float
    text: str


class BarChart(Widget):
    """A small horizontal bar chart; every bar carries its number (never length alone)."""

    DEFAULT_CSS = """
    BarChart { height: auto; width: 1fr; }
    BarChart > .bar-chart--label { color: $text; }
    BarChart > .bar-chart--bar { color: $accent; background: $boost; }
    BarChart > .bar-chart--value { color: $text; text-style: bold; }
    BarChart > .bar-chart--empty { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {"bar-chart--label", "bar-chart--bar", "bar-chart--value", "bar-chart--empty"}

    def __init__(
        self, bars: Sequence[Bar] = (), maximum: float | None = None, empty: str = "No data yet.",
        *, id: str | None = None, classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._bars = tuple(bars)
        self._maximum = maximum
        self._empty = empty

    @property
    def bars(self) -> tuple[Bar, ...]:
        """The bars drawn."""
        return self._bars

    def show(self, bars: Sequence[Bar], maximum: float | None = None) -> None:
        """Draw ``bars``, scaled to ``maximum`` (the largest value by default)."""
        self._bars = tuple(bars)
        self._maximum = maximum
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        """Draw the chart."""
        style = self.get_component_rich_style
        if not self._bars:
            return Text(self._empty, style=style("bar-chart--empty"))
        top = self._maximum if self._maximum is not None else max(bar.value for bar in self._bars)
        top = top if top > 0 else 1.0
        bar_style = style("bar-chart--bar")
        label_width = max(len(bar.label) for bar in self._bars)
        value_width = max(len(bar.text) for bar in self._bars)
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(width=label_width, no_wrap=True, style=style("bar-chart--label"))
        grid.add_column(ratio=1)
        grid.add_column(width=value_width, justify="right", no_wrap=True, style=style("bar-chart--value"))
        for bar in self._bars:
            end = max(0.0, min(top, bar.value))
            grid.add_row(
                bar.label,
                # A style without a colour has None: Rich's Bar makes a Style of it, where None is allowed.
                RichBar(top, 0, end, color=bar_style.color, bgcolor=bar_style.bgcolor),  # type: ignore[arg-type]
                bar.text,
            )
        return grid
