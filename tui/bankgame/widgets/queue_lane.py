"""The queue lane: customers waiting, with their transaction and patience."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ..engine import Branch
from .text import clip, customer_text

PATIENCE_CELLS = 4


class QueueLane(Widget):
    """One widget for the whole queue: draws only the rows that fit, then "+N more"."""

    COMPONENT_CLASSES = {"queue--id", "queue--patience", "queue--impatient", "queue--more", "queue--empty"}

    DEFAULT_CSS = """
    QueueLane { height: 1fr; }
    """

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.branch = branch
        self._signature: tuple = ()
        self.border_title = "Queue"

    def update_view(self) -> None:
        """Redraw if the queue changed since the last drawing."""
        branch = self.branch
        queue = branch.queue
        head = queue[0].id if queue else -1
        # Patience bars shrink with time, so a non-empty queue changes every tick.
        signature = (len(queue), head, branch.tick if queue else -1, self.size)
        if signature != self._signature:
            self._signature = signature
            self.border_title = f"Queue · {len(queue)} waiting"
            self.refresh()

    def render(self) -> Text:
        branch = self.branch
        queue = branch.queue
        width, height = self.size
        if not queue:
            return Text("nobody waiting", style=self.get_component_rich_style("queue--empty"), justify="center")
        rows = min(height, len(queue))
        more = 0
        if len(queue) > height:
            rows = max(0, height - 1)
            more = len(queue) - rows
        id_style = self.get_component_rich_style("queue--id")
        calm = self.get_component_rich_style("queue--patience")
        impatient = self.get_component_rich_style("queue--impatient")
        tick = branch.tick
        text = Text(no_wrap=True, overflow="crop")
        for index in range(rows):
            customer = queue[index]
            left = max(0, customer.patience - (tick - customer.arrival))
            filled = round(left / customer.patience * PATIENCE_CELLS) if customer.patience else 0
            bar = "▮" * filled + "▯" * (PATIENCE_CELLS - filled)
            low = left * 4 < customer.patience
            label = f"#{customer.id} "
            tail = f" {'!' if low else ' '}{bar}"
            body = clip(customer_text(customer), width - len(label) - len(tail))
            text.append(label, id_style)
            text.append(body.ljust(width - len(label) - len(tail)))
            text.append(tail, impatient if low else calm)
            text.append("\n")
        if more:
            text.append(f"+{more} more", self.get_component_rich_style("queue--more"))
        else:
            text.rstrip()
        return text
