"""One cashier's desk: the customer, the micro-step program, the current line."""

from __future__ import annotations

from rich.text import Text

from ..engine import Branch
from ..engine.branch import Clerk
from ..engine.programs import SEND, ticket_text
from .panel import BranchPanel
from .text import clip, customer_text


class DeskCard(BranchPanel):
    """A desk drawn like a tiny code editor: ``▶`` marks the line about to run."""

    COMPONENT_CLASSES = {
        "desk--customer", "desk--done", "desk--current", "desk--todo",
        "desk--waiting", "desk--running", "desk--idle", "desk--lineno",
    }

    DEFAULT_CSS = """
    DeskCard > .desk--customer { text-style: bold; }
    DeskCard > .desk--running { color: $text-success; }
    DeskCard > .desk--waiting { color: $text-warning; text-style: bold; }
    DeskCard > .desk--idle { color: $text-muted; }
    DeskCard > .desk--lineno { color: $text-muted; }
    DeskCard > .desk--done { color: $text-muted; }
    DeskCard > .desk--todo { }
    DeskCard > .desk--current { background: $primary 30%; text-style: bold; }
    """

    def __init__(self, branch: Branch, index: int) -> None:
        super().__init__(branch, classes="desk")
        self.index = index

    def signature(self, branch: Branch) -> tuple:
        desk = branch.desks[self.index]
        customer = desk.customer
        clerk = self._clerk(branch)
        return (
            customer.id if customer else -1, desk.pc, desk.waiting_for, tuple(desk.held), desk.served,
            branch.ticket_holder.get(desk.waiting_for, -1) if desk.waiting_for else -1,
            tuple(step.text for step in desk.program),  # a new layout mid-day gives the same customer new lines
            branch.open_desks, branch.changing, clerk.down if clerk else False,
        )

    def decorate(self, branch: Branch) -> None:
        desk = branch.desks[self.index]
        # The title shows a waiting desk (a class toggle would restyle the desk every tick).
        name = f"{desk.name} · your code" if branch.code is not None else desk.name
        self.border_title = f"[$text-warning]{name} ◷[/]" if desk.waiting_for else name
        customer = desk.customer
        # A desk closed mid-transaction finishes its customer first.
        closing = f" · closes after #{customer.id}" if customer is not None and self.index >= branch.open_desks else ""
        self.border_subtitle = f"served {desk.served}{closing}"

    def _clerk(self, branch: Branch) -> Clerk | None:
        """Return the clerk whose reply the desk waits for while its request is not handled yet, else ``None``."""
        desk = branch.desks[self.index]
        if desk.waiting_for != "reply" or desk.reply is not None or not 0 < desk.pc <= len(desk.program):
            return None
        sent = desk.program[desk.pc - 1]  # a program waits right after it sends
        return branch.clerks[branch.clerk_of[sent.message[1]]] if sent.op == SEND else None

    def status(self) -> str:
        """Return the desk's state in words, e.g. ``◷ waiting for ticket A (held by Ben)``."""
        branch = self.branch
        desk = branch.desks[self.index]
        if desk.customer is None:
            if self.index >= branch.open_desks:
                # A closed desk calls nobody: "free" would say the queue is waiting for nothing.
                return "■ closed · d opens it" if self.index == branch.open_desks else "■ closed"
            if branch.changing:
                return "○ free · no calls until the change"
            return "○ free"
        if desk.waiting_for == "reply":
            clerk = self._clerk(branch)
            if clerk is not None and clerk.down:
                return f"◷ waiting for the clerk's reply ({clerk.name} is down)"
            return "◷ waiting for the clerk's reply"
        if desk.waiting_for:
            holder = branch.ticket_holder.get(desk.waiting_for, -1)
            if holder < 0:
                # Given back later in the same tick: the board says free, and so does the desk.
                return f"◷ {ticket_text(desk.waiting_for)} is free: taking it next"
            return f"◷ waiting for {ticket_text(desk.waiting_for)} (held by {branch.desks[holder].name})"
        if desk.held:
            return "▶ holds " + ", ".join(ticket_text(t) for t in desk.held)
        return "▶ running"

    def draw(self, branch: Branch) -> Text:
        desk = branch.desks[self.index]
        width, height = self.size
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="crop")
        status = self.status()
        if desk.customer is None:
            text.append(clip(status, width), style("desk--idle"))
            return text
        text.append(clip(f"#{desk.customer.id} {customer_text(desk.customer)}", width) + "\n", style("desk--customer"))
        # "◷ waiting for ticket A (held by Ben)" wraps before "(held by" on a narrow desk.
        lines = [status]
        if len(status) > width and " (" in status:
            head, _, tail = status.partition(" (")
            lines = [head, f"  {tail.rstrip(')')}"]
        for line in lines:
            text.append(clip(line, width) + "\n", style("desk--waiting" if desk.waiting_for else "desk--running"))
        text.rstrip()
        rows = height - 1 - len(lines)
        program = desk.program
        if rows <= 0 or not program:
            return text
        # Keep the current line in view: a window that starts a line or two above it.
        top = 0
        if len(program) > rows:
            top = min(max(0, desk.pc - 1), len(program) - rows)
        lineno = style("desk--lineno")
        for number in range(top, min(len(program), top + rows)):
            step = program[number]
            text.append("\n")
            if number == desk.pc:
                mark, line_style = ("◷" if desk.waiting_for else "▶"), style("desk--current")
            elif number < desk.pc:
                mark, line_style = "✓", style("desk--done")
            else:
                mark, line_style = " ", style("desk--todo")
            text.append(f"{number + 1:>2} ", lineno)
            text.append(clip(f"{mark} {step.text}", width - 3).ljust(width - 3), line_style)
        return text
