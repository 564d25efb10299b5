"""The ticket board: which resources carry a ticket (a mutex), scope and lock order."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive

from ..engine import Branch, account_name
from .panel import BranchPanel
from .text import clip

VAULT = "vault"
RATES = "rates"
SCOPE = "scope"
ORDER = "order"


class TicketBoard(BranchPanel, can_focus=True):
    """Rows for the vault, the rate board and each account, then scope and order.

    ``enter`` or a click flips the row under the cursor; the board only posts
    what the player asked for, the screen asks the engine.
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("enter", "flip", "Flip ticket", show=True),
        Binding("home", "cursor_to(0)", "First", show=False),
        Binding("end", "cursor_to(-1)", "Last", show=False),
    ]

    COMPONENT_CLASSES = {"board--on", "board--off", "board--cursor", "board--note", "board--waiting"}

    DEFAULT_CSS = """
    TicketBoard { height: auto; max-height: 14; }
    TicketBoard > .board--on { color: $text-success; text-style: bold; }
    TicketBoard > .board--off { color: $text-muted; }
    TicketBoard > .board--note { color: $text-muted; }
    TicketBoard > .board--waiting { color: $text-warning; }
    TicketBoard > .board--cursor { background: $accent 30%; }
    """

    cursor: reactive[int] = reactive(0)
    """Row under the cursor."""

    @dataclass
    class TicketToggled(Message):
        """The player flipped the ticket on a resource (``vault``, ``rates``, ``A``...)."""

        resource: str

    @dataclass
    class ScopeChosen(Message):
        """The player chose the ticket scope (``write`` or ``check``)."""

        scope: str

    @dataclass
    class OrderChosen(Message):
        """The player chose the lock order (``any`` or ``account``)."""

        order: str

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(branch, id=id)
        self.rows = [VAULT, RATES] + [account_name(a) for a in range(branch.day.accounts)] + [SCOPE, ORDER]
        self._top = 0
        # On the player's own code the tickets are its lines: the board only shows who holds what.
        self.border_title = "Tickets · in your code" if branch.code is not None else "Tickets · t"

    def signature(self, branch: Branch) -> tuple:
        return (branch.mode, branch.layout, tuple(sorted(branch.ticket_holder.items())),
                tuple(sorted(branch.ticket_serving.items())), branch.desks_on_old_tickets(), self.cursor,
                tuple(desk.waiting_for for desk in branch.desks))  # "free · Ann next"

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.rows) + 1

    def _visible_rows(self) -> int:
        return max(1, self.size.height - 1)

    def watch_cursor(self, cursor: int) -> None:
        rows = self._visible_rows()
        if cursor < self._top:
            self._top = cursor
        elif cursor >= self._top + rows:
            self._top = cursor - rows + 1
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        """Move the cursor up or down."""
        self.cursor = (self.cursor + delta) % len(self.rows)

    def action_cursor_to(self, row: int) -> None:
        """Move the cursor to the first or last row."""
        self.cursor = row % len(self.rows)

    def action_flip(self) -> None:
        """Flip the row under the cursor."""
        row = self.rows[self.cursor]
        layout = self.branch.layout
        if row == SCOPE:
            self.post_message(self.ScopeChosen("write" if layout.scope == "check" else "check"))
        elif row == ORDER:
            self.post_message(self.OrderChosen("account" if layout.order == "any" else "any"))
        else:
            self.post_message(self.TicketToggled(row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = self._top + offset.y
        if 0 <= row < len(self.rows):
            self.cursor = row
            self.action_flip()

    def _row_text(self, row: str, width: int) -> Text:
        branch = self.branch
        style = self.get_component_rich_style
        layout = branch.layout
        if row == SCOPE:
            check = "◉" if layout.scope == "check" else "○"
            write = "◉" if layout.scope == "write" else "○"
            return Text(clip(f"scope  {check} check+write  {write} write", width), style("board--note"))
        if row == ORDER:
            any_ = "◉" if layout.order == "any" else "○"
            acct = "◉" if layout.order == "account" else "○"
            return Text(clip(f"order  {any_} any  {acct} by account", width), style("board--note"))
        on = branch.has_ticket(row)
        name = {VAULT: "whole vault", RATES: "rate board"}.get(row, f"account {row}")
        line = Text()
        line.append("[■] " if on else "[ ] ", style("board--on" if on else "board--off"))
        line.append(f"{name:<11}")
        holder = branch.ticket_holder.get(row, -1)
        serving = branch.ticket_serving.get(row, 0)
        if holder >= 0:
            line.append(f" serving #{serving}: {branch.desks[holder].name}", style("board--waiting"))
        elif on:
            # Given back this tick while another desk waits: that desk takes it on its next step.
            waiting = [desk.name for desk in branch.desks if desk.waiting_for == row]
            if waiting:
                line.append(f" free · {waiting[0]} next", style("board--waiting"))
            else:
                line.append(f" free · {serving} served" if serving else " free", style("board--note"))
        line.truncate(width)
        return line

    def draw(self, branch: Branch) -> Text:
        width = self.size.width
        rows = self._visible_rows()
        text = Text(no_wrap=True, overflow="crop")
        if branch.mode != "shared":
            return Text("No tickets in message mode: each account has one owner.", style=self.get_component_rich_style("board--note"))
        self._top = min(self._top, max(0, len(self.rows) - rows))
        cursor_style = self.get_component_rich_style("board--cursor")
        for index in range(self._top, min(len(self.rows), self._top + rows)):
            line = self._row_text(self.rows[index], width - 2)
            pointer = "›" if index == self.cursor and self.has_focus else " "
            row = Text(pointer + " ")
            row.append_text(line)
            if index == self.cursor and self.has_focus:
                row.pad_right(width - row.cell_len)
                row.stylize(cursor_style)
            text.append_text(row)
            text.append("\n")
        old = branch.desks_on_old_tickets()
        if old:
            # The new layout waits until no desk holds an old ticket: two layouts at once would let two tickets guard one drawer.
            pending = f"  ◷ {old} desk{'s' * (old != 1)} still on the old tickets"
            text.append(clip(pending, width), self.get_component_rich_style("board--waiting"))
            return text
        hint = "↑↓ enter/click: flip" if self.has_focus else "t: choose"
        text.append(clip(f"  {hint} · for new customers", width), self.get_component_rich_style("board--note"))
        return text

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
