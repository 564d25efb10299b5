"""One cashier's whole program in Break the Bank: done lines, the next line, the rest."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ..engine.challenge import ChallengeRun
from ..engine.programs import Step, ticket_text
from .text import clip


class ProgramView(Widget):
    """A cashier's program drawn like code; ``▶`` marks the line a pick would run.

    Unlike the branch's desk card it keeps the program on screen after the
    last line, so the player can read back the order that broke (or did not
    break) the bank.
    """

    COMPONENT_CLASSES = {"program--done", "program--next", "program--todo", "program--state", "program--lineno"}

    DEFAULT_CSS = """
    ProgramView { width: 1fr; height: 1fr; border: round $panel-lighten-2; padding: 0 1; }
    ProgramView.-next { border: heavy $accent; }
    ProgramView > .program--done { color: $text-muted; }
    ProgramView > .program--next { background: $primary 30%; text-style: bold; }
    ProgramView > .program--state { color: $text-accent; }
    ProgramView > .program--lineno { color: $text-muted; }
    """

    def __init__(self, run: ChallengeRun, index: int, program: list[Step], key: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.run = run
        self.index = index
        self.program = program
        """The program as dealt at the start (the engine drops it once it ends)."""
        self.key = key

    def show(self, run: ChallengeRun, program: list[Step]) -> None:
        """Draw ``run`` (a new object after an undo)."""
        self.run, self.program = run, program
        desk = run.branch.desks[self.index]
        self.border_title = f"{desk.name} · press {self.key}"
        steps = sum(1 for p in run.picks if p == self.index)
        self.border_subtitle = "1 step" if steps == 1 else f"{steps} steps"
        self.set_class(self.index in run.movable(), "-next")
        self.refresh()

    def pc(self) -> int:
        """Return the line the cashier would run next (``len(program)``: finished)."""
        desk = self.run.branch.desks[self.index]
        if desk.busy:
            return desk.pc
        if desk.served:
            return len(self.program)
        # Sent back by a deadlock: the lines it ran are on the branch's trail.
        return sum(1 for _, _, line in self.run.branch.trail(self.index) if not line.startswith(("…", "✗")))

    def render(self) -> Text:
        style = self.get_component_rich_style
        desk = self.run.branch.desks[self.index]
        width = max(1, self.size.width)
        text = Text(no_wrap=True, overflow="crop")
        if desk.waiting_for:
            state = f"◷ waiting for {ticket_text(desk.waiting_for)}"
        elif not desk.busy and not desk.served:
            state = "✗ deadlock victim: gave its tickets back"
        elif not desk.busy:
            state = "✓ finished"
        elif desk.held:
            state = "▶ holds " + ", ".join(ticket_text(t) for t in desk.held)
        else:
            state = "▶ ready"
        text.append(clip(state, width) + "\n", style("program--state"))
        pc = self.pc()
        for number, step in enumerate(self.program):
            if number < pc:
                mark, line_style = "✓", style("program--done")
            elif number == pc:
                mark = "◷" if desk.waiting_for else "▶" if desk.busy else "✗"
                line_style = style("program--next")
            else:
                mark, line_style = " ", style("program--todo")
            text.append(f"\n{number + 1:>2} ", style("program--lineno"))
            text.append(clip(f"{mark} {step.text}", width - 3).ljust(width - 3), line_style)
        registers = "  ".join(f"{name} = {value}" for name, value in sorted(desk.regs.items())) if desk.busy else ""
        if registers:
            text.append("\n\n" + clip(registers, width), style("program--lineno"))
        return text
