"""The queue lane: customers waiting, with their transaction and patience."""

from __future__ import annotations

from rich.text import Text

from ..engine import Branch
from .panel import BranchPanel
from .text import clip, customer_text

PATIENCE_CELLS = 4
CELL = 28
"""Columns given to one customer in the lane."""


class QueueLane(BranchPanel):
    """One widget for the whole queue, drawn as a lane toward the desks.

    Only the customers that fit are drawn, then "+N more": a queue of 300 costs
    what a queue of 12 costs.
    """

    COMPONENT_CLASSES = {"queue--id", "queue--patience", "queue--impatient", "queue--more", "queue--empty"}

    DEFAULT_CSS = """
    QueueLane { height: 4; }
    QueueLane > .queue--id { color: $text-muted; }
    QueueLane > .queue--patience { color: $text-success; }
    QueueLane > .queue--impatient { color: $text-error; text-style: bold; }
    QueueLane > .queue--more { color: $text-accent; text-style: bold; }
    QueueLane > .queue--empty { color: $text-muted; }
    """

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(branch, id=id)
        self.border_title = "Queue"

    def signature(self, branch: Branch) -> tuple:
        queue = branch.queue
        # Patience bars shrink with time, so a non-empty queue changes every tick.
        return (len(queue), queue[0].id if queue else -1, branch.tick if queue else -1, branch.left)

    def decorate(self, branch: Branch) -> None:
        left = f" · {branch.left} left unhappy" if branch.left else ""
        self.border_title = f"Queue · {len(branch.queue)} waiting{left}"

    def draw(self, branch: Branch) -> Text:
        queue = branch.queue
        width, height = self.size
        if not queue:
            return Text("nobody waiting", style=self.get_component_rich_style("queue--empty"))
        per_row = max(1, width // CELL)
        cell = width // per_row
        slots = per_row * max(1, height)
        shown = min(len(queue), slots)
        more = 0
        if len(queue) > slots:
            shown = slots - 1
            more = len(queue) - shown
        id_style = self.get_component_rich_style("queue--id")
        calm = self.get_component_rich_style("queue--patience")
        impatient = self.get_component_rich_style("queue--impatient")
        tick = branch.tick
        text = Text(no_wrap=True, overflow="crop")
        for index in range(shown):
            customer = queue[index]
            left = max(0, customer.patience - (tick - customer.arrival))
            filled = round(left / customer.patience * PATIENCE_CELLS) if customer.patience else 0
            bar = "▮" * filled + "▯" * (PATIENCE_CELLS - filled)
            low = left * 4 < customer.patience
            label = f"#{customer.id} "
            tail = f"{'!' if low else ' '}{bar}  "
            room = cell - len(label) - len(tail)
            text.append(label, id_style)
            text.append(clip(customer_text(customer), room).ljust(room))
            text.append(tail, impatient if low else calm)
            if index % per_row == per_row - 1 and index != shown - 1:
                text.append("\n")
        if more:
            text.append(f"+{more} more", self.get_component_rich_style("queue--more"))
        return text
