"""Deadlocks: the latest cycle of cashiers each waiting for the next one's ticket."""

from __future__ import annotations

from rich.text import Text

from ..engine import Branch
from .panel import BranchPanel


class DeadlockPanel(BranchPanel):
    """Shows the newest deadlock's cycle and who gave way, or a calm ✓."""

    COMPONENT_CLASSES = {"deadlock--ok", "deadlock--cycle", "deadlock--note"}

    DEFAULT_CSS = """
    DeadlockPanel { height: auto; max-height: 8; }
    DeadlockPanel > .deadlock--ok { color: $text-success; }
    DeadlockPanel > .deadlock--cycle { color: $text-error; text-style: bold; }
    DeadlockPanel > .deadlock--note { color: $text-warning; }
    """

    RELAYOUT = True  # rare: its height changes only with a new deadlock

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(branch, id=id)
        self.border_title = "Deadlocks"

    def signature(self, branch: Branch) -> tuple:
        # The total, not the list: a long day keeps only its first and latest deadlocks.
        return (branch.deadlocks.total,)

    def decorate(self, branch: Branch) -> None:
        count = branch.deadlocks.total
        self.border_title = f"Deadlocks · ⊗ {count}" if count else "Deadlocks · ✓"
        self.set_class(bool(count), "-deadlocked")

    def draw(self, branch: Branch) -> Text:
        deadlocks = branch.deadlocks
        style = self.get_component_rich_style
        if not deadlocks:
            return Text("✓ no deadlocks: no cycle of waits", style=style("deadlock--ok"))
        latest = deadlocks[-1]
        text = Text()
        names = [entry[0] for entry in latest.cycle]
        text.append(f"⊗ tick {latest.tick}: a cycle, nobody can move\n", style("deadlock--cycle"))
        for position, (cashier, holds, waits_for) in enumerate(latest.cycle):
            following = names[(position + 1) % len(names)]
            text.append(f" {cashier} holds {holds or '—'}, wants {waits_for} → {following}\n")
        text.append(f"✗ broken: {latest.victim} gave its tickets back", style("deadlock--note"))
        return text
