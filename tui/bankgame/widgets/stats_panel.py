"""Live numbers of the day with sparklines: served, waiting, throughput, errors."""

from __future__ import annotations

from collections import deque

from rich.text import Text

from ..engine import Branch
from .panel import BranchPanel
from .text import sparkline

HISTORY = 240
THROUGHPUT_WINDOW = 20
"""Throughput counts the customers served over this many ticks."""


class StatsPanel(BranchPanel):
    """Four labelled sparklines, sampled once per tick."""

    COMPONENT_CLASSES = {"stats--label", "stats--value", "stats--spark", "stats--bad"}

    DEFAULT_CSS = """
    StatsPanel { height: 4; }
    StatsPanel > .stats--label { color: $text-muted; }
    StatsPanel > .stats--value { text-style: bold; }
    StatsPanel > .stats--spark { color: $text-accent; }
    StatsPanel > .stats--bad { color: $text-error; }
    """

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(branch, id=id)
        self.history: dict[str, deque[float]] = {name: deque(maxlen=HISTORY) for name in ("served", "waiting", "throughput", "errors")}
        self._served_at: deque[int] = deque(maxlen=THROUGHPUT_WINDOW + 1)
        self._sampled_tick = -1
        self.border_title = "Live"

    def signature(self, branch: Branch) -> tuple:
        # The sparklines are this panel's own samples: the tick sampled last and how many are kept say when they moved.
        return (self._sampled_tick, len(self.history["served"]), branch.served, branch.left, len(branch.queue),
                branch.errors.total, branch.deadlocks.total)

    def sample(self, branch: Branch | None = None) -> None:
        """Record this tick's numbers (once per tick); the next ``show`` draws them.

        Args:
            branch: the day to sample; this panel's when ``None`` (a day being rebuilt is another).
        """
        branch = branch or self.branch
        if branch.tick == self._sampled_tick:
            return
        self._sampled_tick = branch.tick
        self._served_at.append(branch.served)
        self.history["served"].append(branch.served)
        self.history["waiting"].append(len(branch.queue))
        self.history["throughput"].append(self._served_at[-1] - self._served_at[0])
        self.history["errors"].append(branch.errors.total)

    def clear(self) -> None:
        """Forget every sample (the day goes back and is sampled again as it is rebuilt)."""
        for history in self.history.values():
            history.clear()
        self._served_at.clear()
        self._sampled_tick = -1
        self.refresh()

    def draw(self, branch: Branch) -> Text:
        width = self.size.width
        style = self.get_component_rich_style
        cells = [
            # A separator keeps "80" and "32 left" from reading as "8032 left".
            ("served", f"{branch.served}", f" · {branch.left} left" if branch.left else ""),
            ("waiting", f"{len(branch.queue)}", ""),
            ("throughput", f"{(self.history['throughput'][-1] if self.history['throughput'] else 0) / THROUGHPUT_WINDOW:.1f}", "/tick"),
            ("errors", f"{branch.errors.total}", f" ⊗ {branch.deadlocks.total}" if branch.deadlocks else ""),
        ]
        # Two sparklines per row when there is room, else one per row.
        per_row = 2 if width >= 70 else 1
        column = width // per_row
        text = Text(no_wrap=True, overflow="crop")
        for position, (name, value, note) in enumerate(cells):
            head = f"{name:<10} {value:>4}{note:<10} "
            spark = sparkline(list(self.history[name]), column - len(head) - 2)
            bad = name == "errors" and branch.errors
            text.append(head[:11], style("stats--label"))
            text.append(head[11:], style("stats--bad" if bad else "stats--value"))
            text.append(spark.ljust(column - len(head) - 2), style("stats--bad" if bad else "stats--spark"))
            text.append("\n" if (position + 1) % per_row == 0 else "  ")
        text.rstrip()
        return text
