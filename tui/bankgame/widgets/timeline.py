"""Two cashiers side by side, tick by tick: the interleaving behind an error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich import box
from rich.table import Table
from rich.text import Text
from textual.geometry import Size

from ..engine import IntegrityError, TrailStep, money
from .lines import laid_out
from .panel import Panel


def legend(account: str) -> str:
    """Return what the marks in a timeline of an error on ``account`` mean."""
    return f"◆ reads {account} · ● writes {account} · ✗ the write that broke it"


def step_mark(steps: Sequence[TrailStep], account: str) -> str:
    """Return the mark of a cell: ``"● "`` if it writes ``account``, ``"◆ "`` if it reads it, else blanks.

    Args:
        steps: the steps in the cell (what each read or wrote, whatever its line says).
        account: The account the error is about; ``""`` marks nothing.

    Returns:
        Two characters to put before the line, so that lines stay aligned.
    """
    touched = {step.access for step in steps if account and step.account == account}
    return "● " if "write" in touched else "◆ " if "read" in touched else "  "


def culprit_step(error: IntegrityError) -> TrailStep | None:
    """Return the write that made ``error`` as a timeline row, or ``None``.

    ``error.steps`` ends with that write's program line; the row adds what it
    wrote and what it cost, from the error's own numbers (an error without
    that line gets ``write <account> = <amount>``).
    """
    if not error.cashiers or error.kind == "audit":
        return None
    wrote = f"write {error.account} = {money(error.actual)}"
    last = error.steps[-1] if error.steps else None
    if last and last[0] == error.tick and last[1] == error.cashiers[0]:
        wrote = last[2]  # the write's line, with the value it wrote
    if error.kind == "lost_update":
        gap = error.actual - error.expected
        line = f"{wrote}  ✗ {money(abs(gap))} {'created' if gap > 0 else 'lost'}"
    elif error.kind == "overdraft":
        line = f"{wrote}  ✗ {money(abs(error.actual))} below zero"
    else:
        line = f"✗ {error.kind.replace('_', ' ')}"
    return TrailStep(error.tick, error.cashiers[0], line, "write", error.account, error.actual)


def steps_before_culprit(error: IntegrityError) -> tuple[TrailStep, ...]:
    """Return ``error.steps`` without the culprit write itself (its row says more)."""
    steps = error.steps
    culprit = culprit_step(error)
    if culprit and steps and steps[-1][:2] == culprit[:2]:
        return steps[:-1]
    return steps


class Interleaving(NamedTuple):
    """What a timeline shows: the steps of the cashiers, the write that broke the ledger, the account at issue."""

    steps: tuple[TrailStep, ...] = ()
    """In tick order."""
    cashiers: tuple[str, ...] = ()
    """The columns, in this order first (then any other cashier, as first seen)."""
    culprit: TrailStep | None = None
    """The write that broke the ledger: its row says what it cost."""
    account: str = ""
    """Its reads and writes are marked (``""``: none)."""


def interleaving(error: IntegrityError | None) -> Interleaving:
    """Return the interleaving behind ``error`` (nothing for ``None``)."""
    if error is None:
        return Interleaving()
    return Interleaving(steps_before_culprit(error), tuple(error.cashiers), culprit_step(error), error.account)


class Timeline(Panel[Interleaving]):
    """A side-by-side timeline: one column per cashier, one row per tick.

    Steps in the same row happened in the same tick. Reads of the account at
    issue are marked ◆, writes ●, and the write that broke the ledger, if
    given, is highlighted and says what it cost (see ``legend``). The screen
    hands it what to show (``show(interleaving(error))``); it only draws.
    """

    DEFAULT_CSS = """
    Timeline {
        height: auto;
        width: 1fr;
    }
    Timeline > .timeline--header { text-style: bold; color: $text; }
    Timeline > .timeline--tick { color: $text-muted; }
    Timeline > .timeline--step { color: $text; }
    Timeline > .timeline--access { color: $text; text-style: bold; }
    Timeline > .timeline--idle { color: $text-disabled; }
    Timeline > .timeline--culprit { color: $text-error; background: $error-muted; text-style: bold; }
    Timeline > .timeline--empty { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {
        "timeline--header", "timeline--tick", "timeline--step", "timeline--access", "timeline--idle",
        "timeline--culprit", "timeline--empty",
    }

    RELAYOUT = True
    """Other steps take another number of rows."""

    def __init__(self, state: Interleaving = Interleaving(), *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(state, id=id, classes=classes)

    def signature(self, state: Interleaving) -> Interleaving:
        return state  # every field is drawn

    @property
    def columns(self) -> tuple[str, ...]:
        """The cashiers shown, one per column, in the order given then first seen."""
        state = self.state
        names = list(dict.fromkeys(state.cashiers))
        rows = state.steps + ((state.culprit,) if state.culprit else ())
        for step in rows:
            if step.cashier not in names:
                names.append(step.cashier)
        return tuple(names)

    def cells(self) -> list[tuple[int, dict[str, list[TrailStep]], str]]:
        """Return ``(tick, cashier → steps, culprit)`` per row, in tick order.

        ``culprit`` names the cashier whose cell in that row broke the ledger, or is ``""``.
        """
        by_tick: dict[int, dict[str, list[TrailStep]]] = {}
        culprit = self.state.culprit
        steps = sorted(self.state.steps, key=lambda step: step.tick) + ([culprit] if culprit else [])
        for step in steps:
            by_tick.setdefault(step.tick, {}).setdefault(step.cashier, []).append(step)
        return [(tick, cells, culprit.cashier if culprit and culprit.tick == tick else "")
                for tick, cells in sorted(by_tick.items())]

    def rows(self) -> list[tuple[int, dict[str, str], str]]:
        """Return ``(tick, cashier → line, culprit)`` per row, in tick order (a cell's lines joined by ``; ``)."""
        return [(tick, {name: "; ".join(step.line for step in steps) for name, steps in cells.items()}, culprit)
                for tick, cells, culprit in self.cells()]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines_at(width))

    def draw(self, state: Interleaving) -> Text:
        return Text("\n").join(self._lines_at(self.size.width))

    def _lines_at(self, width: int) -> list[Text]:
        """Return the timeline laid out at ``width``: a table whose long cells go on on the next line."""
        return laid_out(self.app.console, self._table(), width)

    def _table(self) -> Table | Text:
        style = self.get_component_rich_style
        columns = self.columns
        if not columns:
            return Text("No steps to replay.", style=style("timeline--empty"))
        table = Table(
            box=box.MINIMAL, expand=True, pad_edge=False, show_edge=False,
            header_style=style("timeline--header"), border_style=style("timeline--tick"),
        )
        table.add_column("tick", justify="right", width=5, style=style("timeline--tick"), no_wrap=True)
        for name in columns:
            table.add_column(name, ratio=1, overflow="fold")
        idle = Text("  ·", style=style("timeline--idle"))
        for tick, cells, culprit in self.cells():
            table.add_row(Text(str(tick)), *(
                self._cell(cells[name], name == culprit) if name in cells else idle for name in columns
            ))
        return table

    def _cell(self, steps: list[TrailStep], culprit: bool) -> Text:
        """Return one cashier's cell: its mark, then its lines, styled by what it did."""
        mark = step_mark(steps, self.state.account)
        line = "; ".join(step.line for step in steps)
        if culprit:
            component = "timeline--culprit"
        else:
            component = "timeline--step" if mark == "  " else "timeline--access"
        return Text(mark + line, style=self.get_component_rich_style(component))
