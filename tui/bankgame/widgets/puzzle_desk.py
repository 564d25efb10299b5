"""One desk of a puzzle: its program drawn like code, the line a pick would run marked."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ..engine.puzzle_run import PuzzleRun
from .text import clip


class PuzzleDesk(Widget):
    """A desk's program; ``▶`` marks its next line, ``✓`` lines it has run, ``★`` the checker's next pick.

    Under its status, what the desk holds in its own registers (``r = $150``): the
    value a read got stays there while another desk changes the account.

    The screen hands it the attempt (``show``); it only draws.
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
        super().__init__(id=id)
        self.run = run
        self.index = index
        self.key = key

    def show(self, run: PuzzleRun) -> None:
        """Draw ``run`` (the screen's attempt, after any move)."""
        self.run = run
        name = run.machine.names[self.index]
        role = run.machine.desks[self.index].role
        self.border_title = f"{self.key} · {name}" + ("" if role == "cashier" else f" ({role})")
        steps = run.steps_of(self.index)
        self.border_subtitle = "1 step" if steps == 1 else f"{steps} steps"
        self.set_class(self.index in run.movable(), "-movable")
        self.set_class(run.guided() == self.index, "-guided")
        self.refresh()

    def render(self) -> Text:
        style = self.get_component_rich_style
        run = self.run
        width = max(4, self.size.width)
        text = Text(no_wrap=True, overflow="crop")
        status = run.desk_status(self.index)
        if run.guided() == self.index:
            status = "★ the checker moves me next · " + status
        text.append(clip(status, width), style("desk--state"))
        registers = run.registers(self.index)
        if registers:
            text.append("\n" + clip("  ".join(registers), width), style("desk--registers"))
        pc = run.next_line(self.index)
        ran = run.ran(self.index)
        program = run.machine.programs[self.index]
        rows = max(1, self.size.height - 1 - (1 if registers else 0))
        # A long program in a short desk: keep the next line in view.
        first = 0 if len(program) <= rows else max(0, min(pc - rows // 2, len(program) - rows))
        for number, instr in enumerate(program[first:first + rows], start=first):
            if number == pc:
                mark, line_style = "▶", style("desk--next")
            elif number in ran:
                mark, line_style = "✓", style("desk--done")
            else:
                mark, line_style = " ", style("desk--todo")
            text.append(f"\n{number + 1:>2} ", style("desk--lineno"))
            text.append(clip(f"{mark} {instr.text}", width - 3).ljust(width - 3), line_style)
        return text
