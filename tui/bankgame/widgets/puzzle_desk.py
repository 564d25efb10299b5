"""One desk of a puzzle: its program drawn like code, the line a pick would run marked."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text

from ..engine.puzzle_run import PuzzleRun
from .panel import Panel
from .text import clip


class DeskRun(NamedTuple):
    """One desk of a puzzle's attempt, as its card shows it."""

    name: str
    role: str
    """``cashier``, or what else the desk is (a ``clerk``): said beside the name."""
    program: tuple[str, ...]
    """Its lines."""
    status: str
    """What it is doing (``▶ can move · holds A``)."""
    registers: tuple[str, ...]
    """What it holds in its own registers (``r = $150``)."""
    next_line: int
    ran: frozenset[int]
    """The lines it has run."""
    steps: int
    movable: bool
    """Whether a pick can move it now."""
    guided: bool
    """Whether the checker moves it next (after the third hint)."""


def desk_run(run: PuzzleRun, index: int) -> DeskRun:
    """Return desk ``index`` of the attempt ``run`` as its card shows it."""
    machine = run.machine
    guided = run.guided() == index
    status = run.desk_status(index)
    return DeskRun(
        machine.names[index], machine.desks[index].role, tuple(instr.text for instr in machine.programs[index]),
        "★ the checker moves me next · " + status if guided else status, tuple(run.registers(index)),
        run.next_line(index), frozenset(run.ran(index)), run.steps_of(index), index in run.movable(), guided,
    )


class PuzzleDesk(Panel[DeskRun]):
    """A desk's program; ``▶`` marks its next line, ``✓`` lines it has run, ``★`` the checker's next pick.

    Under its status, what the desk holds in its own registers (``r = $150``): the
    value a read got stays there while another desk changes the account.

    The screen hands it the desk (``show(desk_run(run, index))``); it only draws.
    """

    COMPONENT_CLASSES = {"desk--done", "desk--next", "desk--todo", "desk--state", "desk--lineno", "desk--registers"}

    DEFAULT_CSS = """
    PuzzleDesk { width: 1fr; height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    PuzzleDesk.-movable { border: heavy $accent; }
    PuzzleDesk.-guided { border: double $success; }
    PuzzleDesk > .desk--done { color: $text-muted; }
    PuzzleDesk > .desk--next { background: $primary 30%; text-style: bold; }
    PuzzleDesk > .desk--state { color: $text-accent; }
    PuzzleDesk > .desk--lineno { color: $text-muted; }
    PuzzleDesk > .desk--registers { color: $text-success; }
    """

    def __init__(self, run: PuzzleRun, index: int, key: str, *, id: str | None = None) -> None:
        super().__init__(desk_run(run, index), id=id)
        self.index = index
        self.key = key
        """The key that picks this desk (its number)."""

    def signature(self, state: DeskRun) -> DeskRun:
        return state  # every field is drawn

    def decorate(self, state: DeskRun) -> None:
        self.border_title = f"{self.key} · {state.name}" + ("" if state.role == "cashier" else f" ({state.role})")
        self.border_subtitle = "1 step" if state.steps == 1 else f"{state.steps} steps"
        self.set_class(state.movable, "-movable")
        self.set_class(state.guided, "-guided")

    def draw(self, state: DeskRun) -> Text:
        style = self.get_component_rich_style
        width = max(4, self.size.width)
        text = Text(no_wrap=True, overflow="crop")
        text.append(clip(state.status, width), style("desk--state"))
        if state.registers:
            text.append("\n" + clip("  ".join(state.registers), width), style("desk--registers"))
        pc = state.next_line
        program = state.program
        rows = max(1, self.size.height - 1 - (1 if state.registers else 0))
        # A long program in a short desk: keep the next line in view.
        first = 0 if len(program) <= rows else max(0, min(pc - rows // 2, len(program) - rows))
        for number, line in enumerate(program[first:first + rows], start=first):
            if number == pc:
                mark, line_style = "▶", style("desk--next")
            elif number in state.ran:
                mark, line_style = "✓", style("desk--done")
            else:
                mark, line_style = " ", style("desk--todo")
            text.append(f"\n{number + 1:>2} ", style("desk--lineno"))
            text.append(clip(f"{mark} {line}", width - 3).ljust(width - 3), line_style)
        return text
