"""An integrity error replayed: the two cashiers' steps side by side, tick by tick."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..engine import IntegrityError, money
from ..widgets.integrity_panel import KIND_TEXT, error_explanation


def timeline_steps(error: IntegrityError) -> list[tuple[int, str, str]]:
    """Return the interleaving, ending with the write that did the damage.

    The engine records a desk's step once it has run; the write that caused a
    lost update is caught while it runs, so it is added here from the error.
    """
    steps = list(error.steps)
    if error.kind == "lost_update" and error.cashiers:
        culprit = error.cashiers[0]
        if not any(tick == error.tick and who == culprit and line.startswith(f"write {error.account}")
                   for tick, who, line in steps):
            steps.append((error.tick, culprit, f"write {error.account} = {money(error.actual)}"))
    return steps


def timeline_table(error: IntegrityError) -> Table:
    """Return the interleaving as a table: one column per cashier, one row per step."""
    steps = timeline_steps(error)
    names = list(dict.fromkeys([*error.cashiers, *(who for _, who, _ in steps)]))
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("tick", justify="right", style="dim", width=4)
    for name in names:
        table.add_column(name, min_width=26)
    account = error.account
    last_write = max((i for i, (_, _, line) in enumerate(steps) if line.startswith(f"write {account}")), default=-1)
    for position, (tick, who, line) in enumerate(steps):
        cells: list[Text | str] = [""] * len(names)
        mark, style = "  ", ""
        if f"read {account}" in line:
            mark, style = "◆ ", "bold"
        if line.startswith(f"write {account}"):
            if position == last_write and error.kind == "lost_update":
                mark, style = "✗ ", "bold reverse"
            else:
                mark, style = "● ", "bold"
        cells[names.index(who)] = Text(mark + line, style=style)
        table.add_row(str(tick), *cells)
    return table


class TimelineScreen(ModalScreen[None]):
    """How one integrity error happened, read top to bottom."""

    BINDINGS = [
        Binding("escape,enter,q", "dismiss", "Close"),
    ]

    def __init__(self, error: IntegrityError) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        error = self.error
        kind = KIND_TEXT.get(error.kind, error.kind)
        with Vertical(id="timeline-box") as box:
            box.border_title = f"✗ {kind.capitalize()} on {error.account} at tick {error.tick}"
            yield Static(error_explanation(error), id="timeline-why")
            yield Static(
                f"expected {money(error.expected)} · got {money(error.actual)} · "
                f"difference {money(error.actual - error.expected, sign=True)}",
                id="timeline-numbers",
            )
            with VerticalScroll(id="timeline-steps"):
                if error.steps:
                    yield Static(timeline_table(error))
                else:
                    yield Static("The closing audit found the gap: the vault's total does not match "
                                 "the deposits and withdrawals paid out.")
            yield Static("◆ a read of the account   ● a write   ✗ the write that lost money", id="timeline-legend")
            yield Button("Close", id="timeline-close", variant="primary")

    def on_button_pressed(self) -> None:
        self.dismiss(None)
