"""Horizontal bars with their values written beside them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rich.bar import Bar as RichBar
from rich.table import Table
from rich.text import Text
from textual.geometry import Size

from .lines import laid_out
from .panel import Panel


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value and the value as the player reads it."""

    label: str
    value: float
    text: str


class Chart(NamedTuple):
    """The bars of a chart, and the value a full bar stands for."""

    bars: tuple[Bar, ...] = ()
    maximum: float | None = None
    """``None``: the largest value."""


class BarChart(Panel[Chart]):
    """A small horizontal bar chart; every bar carries its number (never length alone).

    The screen hands it the bars (``show(Chart(bars, maximum))``); it only draws.
    """

    DEFAULT_CSS = """
    BarChart { height: auto; width: 1fr; }
    BarChart > .bar-chart--label { color: $text; }
    BarChart > .bar-chart--bar { color: $accent; background: $boost; }
    BarChart > .bar-chart--value { color: $text; text-style: bold; }
    BarChart > .bar-chart--empty { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {"bar-chart--label", "bar-chart--bar", "bar-chart--value", "bar-chart--empty"}

    RELAYOUT = True
    """Another number of bars takes another number of lines."""

    def __init__(
        self, bars: Sequence[Bar] = (), maximum: float | None = None, empty: str = "No data yet.",
        *, id: str | None = None, classes: str | None = None,
    ) -> None:
        super().__init__(Chart(tuple(bars), maximum), id=id, classes=classes)
        self.empty = empty
        """Said while there are no bars (the screen's, fixed)."""

    def signature(self, state: Chart) -> Chart:
        return state  # every field is drawn

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines_at(width))

    def draw(self, state: Chart) -> Text:
        return Text("\n").join(self._lines_at(self.size.width))

    def _lines_at(self, width: int) -> list[Text]:
        state = self.state
        style = self.get_component_rich_style
        if not state.bars:  # said in full, on as many lines as it needs
            return laid_out(self.app.console, Text(self.empty, style=style("bar-chart--empty")), width)
        top = state.maximum if state.maximum is not None else max(bar.value for bar in state.bars)
        top = top if top > 0 else 1.0
        bar_style = style("bar-chart--bar")
        label_width = max(len(bar.label) for bar in state.bars)
        value_width = max(len(bar.text) for bar in state.bars)
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(width=label_width, no_wrap=True, style=style("bar-chart--label"))
        grid.add_column(ratio=1)
        grid.add_column(width=value_width, justify="right", no_wrap=True, style=style("bar-chart--value"))
        for bar in state.bars:
            end = max(0.0, min(top, bar.value))
            grid.add_row(
                bar.label,
                # A style without a colour has None: Rich's Bar makes a Style of it, where None is allowed.
                RichBar(top, 0, end, color=bar_style.color, bgcolor=bar_style.bgcolor),  # type: ignore[arg-type]
                bar.text,
            )
        return laid_out(self.app.console, grid, width)
