"""The branch screen: the day itself, ticking, with every panel around it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header

from ..app import SPEEDS
from ..engine import BackendLost, Branch, Level, make_report
from ..engine.report import metrics
from ..widgets.deadlock_panel import DeadlockPanel
from ..widgets.desk_card import DeskCard
from ..widgets.goals_bar import GoalsBar
from ..widgets.integrity_panel import KIND_TEXT, IntegrityPanel, error_explanation
from ..widgets.ledger_panel import LedgerPanel
from ..widgets.mailbox_panel import MailboxPanel
from ..widgets.message_timeline import MessageTimeline
from ..widgets.queue_lane import QueueLane
from ..widgets.stats_panel import StatsPanel
from ..widgets.status_bar import StatusBar
from ..widgets.ticket_board import TicketBoard

PanelT = TypeVar("PanelT")
TICKS_PER_SECOND = 10
PANEL_WHERE_IT_FITS = (160, 45)
"""The smallest terminal with room for the message timeline as a panel (message mode)."""
PANEL_HEIGHT = 14
FRAME = 0.05
"""Seconds between two timer callbacks; fast speeds run several ticks per frame."""
# A killed clerk is not here: the key that killed it already said so.
TOASTED = {"deadlock", "clerk_recovered", "mode", "day_over"}
MODE_TEXT = {
    "message": "Message passing: each account has one owner clerk; cashiers send it copies. No tickets needed.",
    "shared": "Shared state: cashiers read and write the ledger themselves. Tickets guard it.",
}


class BranchScreen(Screen[None]):
    """A day at the branch. The screen decides nothing: it asks the engine.

    Args:
        level: the level being played (title, goals).
        branch: the day, ready to tick.
        paused: start paused (tests and snapshots step by hand).
        speed: one of ``SPEEDS``.
    """

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause", key_display="space"),
        Binding("full_stop", "step", "Step", key_display="."),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("m", "switch_mode", "Mode"),
        Binding("t", "tickets", "Tickets"),
        Binding("k", "kill_clerk", "Kill"),
        Binding("l", "messages", "Messages", show=False),
        Binding("i", "integrity", "Integrity", show=False),
        Binding("escape", "leave", "Back", show=False),
    ]

    AUTO_FOCUS = ""

    def __init__(self, level: Level, branch: Branch, *, paused: bool = False, speed: float = 1.0) -> None:
        super().__init__()
        self.level = level
        self.branch = branch
        self.paused = paused
        self.speed = speed if speed in SPEEDS else 1.0
        self._owed = 0.0
        self._seen_error_kinds: set[str] = set()
        self._results_shown = False
        self.note = ""
        self._shown_mode = ""
        self._panels: dict[type, Any] = {}
        self._cards: list[DeskCard] = []
        self._gone = False
        """Set once the screen is unmounted: keys still queued for it change nothing."""
        self.lost = ""
        """Why the day stopped: a worker the backend could not get back."""
        self.toasts = True
        """False while a screen on top draws the events itself (the message timeline)."""
        self.opened: tuple[str, int | None, dict | None] = (level.id, branch.seed, None)
        """``(level_id, seed, options)`` the day was opened with: what "play again" reopens."""

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        branch = self.branch
        yield Header(icon="$")
        yield StatusBar(branch, id="status")
        yield GoalsBar(self.level.title, self.level.goals, id="goals")
        yield QueueLane(branch, id="queue")
        with Horizontal(id="floor"):
            with Grid(id="desks"):
                for index in range(len(branch.desks)):
                    yield DeskCard(branch, index)
            with Vertical(id="side"):
                yield TicketBoard(branch, id="tickets")
                yield MailboxPanel(branch, id="mailbox")
                yield LedgerPanel(branch, id="ledger")
                yield IntegrityPanel(branch, id="integrity")
                yield DeadlockPanel(branch, id="deadlocks")
        timeline = MessageTimeline(branch, id="message-panel", classes="panel")
        timeline.border_title = "Messages · l: full screen"
        timeline.styles.height = PANEL_HEIGHT
        timeline.display = False
        yield timeline
        yield StatsPanel(branch, id="stats")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "bankgame"
        self.sub_title = self.level.title
        desks = len(self.branch.desks)
        grid = self.query_one("#desks", Grid)
        columns = 1 if desks == 1 else 2 if desks <= 6 else 3 if desks <= 9 else 4
        grid.styles.grid_size_columns = columns
        if desks % columns:
            # The last desk takes the row's empty cells instead of leaving a hole.
            list(self.query(DeskCard))[-1].styles.column_span = columns - desks % columns + 1
        self.set_interval(FRAME, self._on_frame)
        self.refresh_view()

    def panel(self, kind: type[PanelT]) -> PanelT:
        """Return this screen's widget of type ``kind`` (found once, then kept)."""
        found = self._panels.get(kind)
        if found is None:
            found = self._panels[kind] = self.query_one(kind)
        return found

    def on_unmount(self) -> None:
        self._gone = True
        # Popped for good (back to the menus, or another day): stop this day's workers.
        release = getattr(self.app, "release_branch", None)
        if release is not None:
            release(self.branch)

    def on_resize(self) -> None:
        self.set_class(self.size.height < 32, "-short")
        self.set_class(self.size.width < 110, "-narrow")
        self.refresh_view()  # the message timeline panel shows where it fits

    # ----------------------------------------------------------------- ticks
    def _on_frame(self) -> None:
        # The day stands still while another screen (help, settings, a timeline) is on top.
        if self._gone or self.paused or self.branch.over or self.app.screen is not self:
            return
        self._owed += TICKS_PER_SECOND * self.speed * FRAME
        ticks = int(self._owed)
        if not ticks:
            return
        self._owed -= ticks
        self.advance(ticks)

    def advance(self, ticks: int = 1) -> None:
        """Run ``ticks`` ticks of the engine, then redraw what changed."""
        branch = self.branch
        if self._gone:
            return
        stats = self.panel(StatsPanel)
        for _ in range(ticks):
            if branch.over or self.lost:
                break
            try:
                branch.step_tick()
            except BackendLost as error:  # a clerk across the network is gone for good
                self.lost = str(error)
                self.paused = True
                self.notify(f"{error}. This day cannot go on; press escape to leave it.",
                            title="✗ The remote clerk is gone", severity="error", timeout=30)
                break
            stats.sample()
        self.refresh_view()

    def refresh_view(self) -> None:
        """Redraw every panel whose state changed, and announce what happened."""
        branch = self.branch
        if self._gone:
            return
        shared = branch.mode == "shared"
        board = self.panel(TicketBoard)
        mailbox = self.panel(MailboxPanel)
        if self._shown_mode != branch.mode:
            self._shown_mode = branch.mode
            board.display = shared
            mailbox.display = not shared
            if not shared and board.has_focus:
                self.set_focus(None)
        self.panel(StatusBar).show(self.paused, self.speed, self.note)
        report = make_report(branch, self.level.id, self.level.goals)
        self.panel(GoalsBar).show(metrics(report), report.stars, branch.over)
        self.panel(QueueLane).update_view()
        if not self._cards:
            self._cards = list(self.query(DeskCard))
        for card in self._cards:
            card.update_view()
        (board if shared else mailbox).update_view()
        timeline = self.panel(MessageTimeline)
        width, height = PANEL_WHERE_IT_FITS
        timeline.display = not shared and self.size.width >= width and self.size.height >= height
        if timeline.display:
            timeline.update_view()
        self.panel(LedgerPanel).update_view()
        self.panel(IntegrityPanel).update_view()
        self.panel(DeadlockPanel).update_view()
        self._announce()
        if branch.over and not self._results_shown:
            self._results_shown = True
            self.app.call_later(self.app.show_results, self.level, branch)

    def _announce(self) -> None:
        branch = self.branch
        if not self.toasts:
            branch.drain_events()
            return
        for event in branch.drain_events():
            if event.kind == "integrity" and branch.errors:
                # The first error of each kind gets a toast; the panel keeps them all.
                error = branch.errors[-1]
                if error.kind not in self._seen_error_kinds:
                    self._seen_error_kinds.add(error.kind)
                    hint = "" if branch.over else "\nSelect it in the Integrity panel (i, enter) to replay it."
                    self.notify(error_explanation(error) + hint, title=f"✗ {KIND_TEXT.get(error.kind, error.kind).capitalize()}",
                                severity="error", timeout=6)
            elif event.kind == "mode" and "once" not in event.detail:
                self.notify(MODE_TEXT.get(branch.mode, event.detail), title="Mode switched", timeout=4)
            elif event.kind in TOASTED and event.kind not in ("day_over", "mode"):
                self.notify(event.detail, title=event.kind.replace("_", " ").capitalize(),
                            severity="warning" if event.kind in ("deadlock", "clerk_killed") else "information", timeout=4)

    # --------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A key still queued for a screen that was just left must not touch its (closed) day.
        return not self._gone

    def action_toggle_pause(self) -> None:
        """Pause or resume the day."""
        if self.lost:
            self.notify(f"{self.lost}. This day cannot go on.", title="✗ The remote clerk is gone", severity="error")
            return
        self.paused = not self.paused
        self._owed = 0.0
        self.refresh_view()

    def action_step(self) -> None:
        """Pause and run exactly one tick."""
        self.paused = True
        self.advance(1)

    def action_faster(self) -> None:
        """Go one speed up (up to 8×)."""
        self.set_speed(SPEEDS[min(len(SPEEDS) - 1, SPEEDS.index(self.speed) + 1)])

    def action_slower(self) -> None:
        """Go one speed down (down to 0.5×)."""
        self.set_speed(SPEEDS[max(0, SPEEDS.index(self.speed) - 1)])

    def set_speed(self, speed: float) -> None:
        """Set the speed to one of ``SPEEDS``."""
        if speed in SPEEDS:
            self.speed = speed
            self.refresh_view()

    def action_switch_mode(self) -> None:
        """Ask the branch to switch between shared state and message passing."""
        if self.branch.over:
            return
        refused = self.branch.switch_mode()
        if refused:
            self.notify(escape(refused), title="Cannot switch", severity="warning")  # a remote clerk's words are not markup
        elif self.branch.pending_mode:
            self.notify(f"Switching to {self.branch.pending_mode} mode once the desks are free.", title="Mode", timeout=3)
        self.refresh_view()

    def action_tickets(self) -> None:
        """Focus the ticket board (shared mode)."""
        if self.branch.mode != "shared":
            self.notify("Tickets do not exist in message mode: each account has one owner.", title="Tickets")
            return
        self.panel(TicketBoard).focus()

    def action_integrity(self) -> None:
        """Focus the Integrity panel."""
        self.panel(IntegrityPanel).focus()

    def action_kill_clerk(self) -> None:
        """Kill the busiest clerk for real (message mode); it is restarted."""
        if self.branch.mode != "message":
            self.notify("Clerks work only in message mode (press m).", title="Kill a clerk")
            return
        said = self.branch.kill_clerk()
        if said:
            self.notify(said, title="✗ Clerk killed", severity="warning")
        self.refresh_view()

    def action_messages(self) -> None:
        """Open the message timeline (message mode): lanes, arrows, mailboxes."""
        if self.branch.mode != "message":
            self.notify("Messages flow only in message mode (press m).", title="Message timeline")
            return
        from .message_timeline import MessageTimelineScreen

        self.app.push_screen(MessageTimelineScreen(self))

    def action_leave(self) -> None:
        """Leave the focused panel, or go back to the screen underneath."""
        if self.focused is not None:
            self.set_focus(None)
        else:
            self.app.leave_branch(self)

    def toggle_ticket(self, resource: str) -> None:
        """Flip the ticket on ``resource`` (``vault``, ``rates`` or an account)."""
        if self.branch.mode != "shared" or self.branch.over:
            return
        on = self.branch.toggle_ticket(resource)
        where = {"vault": "the whole vault", "rates": "the rate board"}.get(resource, f"account {resource}")
        self.notify(f"Ticket {'placed on' if on else 'removed from'} {where}: from the next customer on.", title="Tickets", timeout=3)
        self.refresh_view()

    # -------------------------------------------------------------- messages
    def on_ticket_board_ticket_toggled(self, message: TicketBoard.TicketToggled) -> None:
        self.toggle_ticket(message.resource)

    def on_ticket_board_scope_chosen(self, message: TicketBoard.ScopeChosen) -> None:
        if self.branch.mode == "shared" and not self.branch.over:
            self.branch.set_scope(message.scope)
            self.refresh_view()

    def on_ticket_board_order_chosen(self, message: TicketBoard.OrderChosen) -> None:
        if self.branch.mode == "shared" and not self.branch.over:
            self.branch.set_order(message.order)
            self.refresh_view()

    def on_integrity_panel_error_selected(self, message: IntegrityPanel.ErrorSelected) -> None:
        from .timeline import TimelineScreen

        self.app.push_screen(TimelineScreen(self.branch.errors[message.index]))

    # --------------------------------------------------------------- palette
    def palette_commands(self) -> Iterator[SystemCommand]:
        """Yield the palette entries of this screen: every control and every ticket."""
        yield SystemCommand("Pause / resume", "Pause or resume the day (space)", self.action_toggle_pause)
        yield SystemCommand("One tick", "Pause and advance exactly one tick (.)", self.action_step)
        yield SystemCommand("Faster", "Speed up, up to 8× (+)", self.action_faster)
        yield SystemCommand("Slower", "Slow down, down to 0.5× (-)", self.action_slower)
        yield SystemCommand("Switch mode", "Shared state ↔ message passing (m)", self.action_switch_mode)
        yield SystemCommand("Ticket board", "Focus the ticket board (t)", self.action_tickets)
        yield SystemCommand("Kill a clerk", "Message mode: kill the busiest clerk; it is restarted (k)", self.action_kill_clerk)
        yield SystemCommand("Message timeline", "Message mode: every request and reply as lanes and arrows (l)",
                            self.action_messages)
        yield SystemCommand("Integrity panel", "Focus the list of integrity errors (i)", self.action_integrity)
        if self.branch.mode == "shared":
            for resource in TicketBoard(self.branch).rows[:-2]:
                name = {"vault": "the whole vault", "rates": "the rate board"}.get(resource, f"account {resource}")
                verb = "Remove ticket from" if self.branch.has_ticket(resource) else "Place ticket on"
                yield SystemCommand(f"{verb} {name}", "A ticket is a mutex: one holder at a time",
                                    lambda r=resource: self.toggle_ticket(r))
            layout = self.branch.layout
            yield SystemCommand("Ticket scope: " + ("write only" if layout.scope == "check" else "check and write"),
                                "What the ticket covers", lambda: self.on_ticket_board_scope_chosen(
                                    TicketBoard.ScopeChosen("write" if layout.scope == "check" else "check")))
            yield SystemCommand("Lock order: " + ("account order" if layout.order == "any" else "any order"),
                                "The order for taking several tickets", lambda: self.on_ticket_board_order_chosen(
                                    TicketBoard.OrderChosen("account" if layout.order == "any" else "any")))
