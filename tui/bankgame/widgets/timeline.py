"""Two cashiers side by side, tick by tick: the interleaving behind an error."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from ..engine import IntegrityError, TrailStep, money


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


class Timeline(Widget):
    """A side-by-side timeline: one column per cashier, one row per tick.

    Steps in the same row happened in the same tick. Reads of the account at
    issue are marked ◆, writes ●, and the write that broke the ledger, if
    given, is highlighted and says what it cost (see ``legend``).
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

    def __init__(
        self,
        steps: Sequence[TrailStep] = (),
        cashiers: Sequence[str] = (),
        culprit: TrailStep | None = None,
        *,
        account: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._steps: tuple[TrailStep, ...] = tuple(steps)
        self._cashiers: tuple[str, ...] = tuple(cashiers)
        self._culprit = culprit
        self._account = account

    @property
    def steps(self) -> tuple[TrailStep, ...]:
        """The steps shown, in tick order."""
        return self._steps

    @property
    def columns(self) -> tuple[str, ...]:
        """The cashiers shown, one per column, in the order given then first seen."""
        names = list(dict.fromkeys(self._cashiers))
        rows = self._steps + ((self._culprit,) if self._culprit else ())
        for step in rows:
            if step.cashier not in names:
                names.append(step.cashier)
        return tuple(names)

    def show(
        self, steps: Sequence[TrailStep], cashiers: Sequence[str] = (), culprit: TrailStep | None = None,
        account: str = "",
    ) -> None:
        """Show ``steps``, with ``culprit`` and the reads and writes of ``account`` marked."""
        self._steps = tuple(steps)
        self._cashiers = tuple(cashiers)
        self._culprit = culprit
        self._account = account
        self.refresh(layout=True)

    def show_error(self, error: IntegrityError | None) -> None:
        """Show the interleaving behind ``error`` (or nothing for ``None``)."""
        if error is None:
            self.show(())
        else:
            self.show(steps_before_culprit(error), error.cashiers, culprit_step(error), error.account)

    def cells(self) -> list[tuple[int, dict[str, list[TrailStep]], str]]:
        """Return ``(tick, cashier → steps, culprit)`` per row, in tick order.

        ``culprit`` names the cashier whose cell in that row broke the ledger, or is ``""``.
        """
        by_tick: dict[int, dict[str, list[TrailStep]]] = {}
        steps = sorted(self._steps, key=lambda step: step.tick) + ([self._culprit] if self._culprit else [])
        for step in steps:
            by_tick.setdefault(step.tick, {}).setdefault(step.cashier, []).append(step)
        culprit = self._culprit
        return [(tick, cells, culprit.cashier if culprit and culprit.tick == tick else "")
                for tick, cells in sorted(by_tick.items())]

    def rows(self) -> list[tuple[int, dict[str, str], str]]:
        """Return ``(tick, cashier → line, culprit)`` per row, in tick order (a cell's lines joined by ``; ``)."""
        return [(tick, {name: "; ".join(step.line for step in steps) for name, steps in cells.items()}, culprit)
                for tick, cells, culprit in self.cells()]

    def render(self) -> RenderableType:
        """Draw the timeline as a table."""
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
        mark = step_mark(steps, self._account)
        line = "; ".join(step.line for step in steps)
        if culprit:
            component = "timeline--culprit"
        else:
            component = "timeline--step" if mark == "  " else "timeline--access"
        return Text(mark + line, style=self.get_component_rich_style(component))
