"""The branch screen: the day itself, ticking, with every panel around it."""

from __future__ import annotations

from collections.abc import Iterator
from time import monotonic
from typing import Any, ClassVar, TypeVar

from textual.app import ComposeResult, CSSPathType, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.css.query import NoMatches
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import Footer, Header

from ..constants import SPEEDS, TICKS_PER_SECOND
from ..day import DayOrigin
from ..engine import BackendLost, Branch, Level, make_report
from ..engine.report import metrics
from ..engine.rewind import Action, Tape
from ..paths import assets_dir
from ..widgets.deadlock_panel import DeadlockPanel
from ..widgets.desk_card import DeskCard
from ..widgets.goals_bar import GoalsBar, Progress, watch_note
from ..widgets.integrity_panel import KIND_TEXT, IntegrityPanel, error_headline
from ..widgets.ledger_panel import LedgerPanel
from ..widgets.mailbox_panel import MailboxPanel
from ..widgets.message_timeline import MessageTimeline
from ..widgets.panel import BranchPanel
from ..widgets.python_view import Listing, PythonView
from ..widgets.queue_lane import QueueLane
from ..widgets.scrubber import Scrubber
from ..widgets.stats_panel import StatsPanel
from ..widgets.status_bar import Clock, StatusBar
from ..widgets.ticket_board import TicketBoard
from .bank_screen import BankScreen
from .python_desks import PythonDesks
from .timeline import TimelineScreen

PanelT = TypeVar("PanelT", bound=Widget)
PANEL_WHERE_IT_FITS = (160, 45)
"""The smallest terminal with room for the message timeline as a panel (message mode)."""
PANEL_HEIGHT = 14
BRANCH_CSS = assets_dir() / "styles" / "branch.tcss"
"""The branch screen's look (the tutorial's screen adds its own to it)."""
FRAME = 1 / 30
"""Seconds between two frames: each runs the ticks the clock says are due, then draws the latest state once."""
CATCH_UP = 0.25
"""The most seconds of ticks one frame runs after a late one: a stalled machine slows the day rather than jumps it."""
# A killed clerk is not here: the key that killed it already said so.
TOASTED = {"deadlock", "clerk_recovered", "mode", "day_over"}
SPEED_KEYS = Binding.Group("Speed", compact=True)
"""``+`` and ``-`` share one footer entry ("+- Speed"): the footer has 80 columns to fit in."""
DESK_ROWS = 16
"""The tallest a desk card gets: its customer, its state and a dozen program lines."""
NOTE_TICKS = 40
"""Ticks a passing note stays in the status bar (4 s at 1×; it stays while paused)."""
MODE_TEXT = {
    "message": "Message passing: each account has one owner clerk; cashiers send it copies. No tickets needed.",
    "shared": "Shared state: cashiers read and write the ledger themselves. Tickets guard it.",
}

OWN_CODE_NOT_YET = ("Not yet: {what} of a day on your own code. In Fix the Program, w writes the code as a "
                    "program file.")
"""What a day on the player's own code cannot be saved as yet (a replay file, a Python script)."""


class BranchScreen(BankScreen[None]):
    """A day at the branch. The screen decides nothing: it asks the engine.

    Args:
        level: the level being played (title, goals).
        branch: the day, ready to tick.
        paused: start paused (tests and snapshots step by hand).
        speed: one of ``SPEEDS``.
        recorded: the actions to replay as the day goes forward (a replay
            file's); the day's own when ``None``.
        end: the day's last tick when it is known ahead (a replay), for the scrubber.
        origin: what the day was opened with (the level's own seed and options by default).
    """

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause", key_display="space"),
        Binding("full_stop", "step", "Step", key_display="."),
        Binding("comma", "step_back", "Step back", key_display=",", show=False),  # the scrubber line names it
        Binding("g", "scrub", "Scrub", show=False),
        Binding("w", "save_replay", "Save replay", show=False),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+", group=SPEED_KEYS),
        Binding("minus", "slower", "Slower", key_display="-", group=SPEED_KEYS),
        Binding("m", "switch_mode", "Mode"),
        Binding("t", "tickets", "Tickets"),
        Binding("k", "kill_clerk", "Kill"),
        Binding("c", "clerks(1)", "Clerk +", show=False),
        Binding("C", "clerks(-1)", "Clerk −", show=False),
        Binding("d", "desks(1)", "Desk +", show=False),
        Binding("D", "desks(-1)", "Desk −", show=False),
        Binding("y", "python", "Python", show=False),  # in the help and the palette: the footer is full at 80 columns
        Binding("x", "export", "Export .py", show=False),
        Binding("l", "messages", "Messages", show=False),
        Binding("i", "integrity", "Integrity", show=False),
        Binding("escape", "leave", "Back", show=False),
    ]

    AUTO_FOCUS = ""
    CSS_PATH: ClassVar[CSSPathType | None] = BRANCH_CSS
    FRAME_SECONDS = FRAME
    """Seconds between two frames; a screen on top that keeps the day's clock (the message timeline) ticks at it too."""

    def __init__(self, level: Level, branch: Branch, *, paused: bool = False, speed: float = 1.0,
                 recorded: list[Action] | None = None, end: int = 0, origin: DayOrigin | None = None) -> None:
        super().__init__()
        self.level = level
        self.branch = branch
        self.tape = Tape(branch, lambda: self.branch.backend.fresh(), recorded)
        """The day as a recording: step back and scrub rebuild it from the seed and the actions."""
        self._end = end
        self._scrub_to: int | None = None
        self.paused = paused
        self.speed = speed if speed in SPEEDS else 1.0
        self._owed = 0.0
        self._clock: float | None = None
        """When the last frame ran ticks (``None``: the day stood still), for counting the ticks due."""
        self._seen_error_kinds: set[str] = set()
        self._results_shown = False
        self.note = ""
        self._shown_mode = ""
        self._panels: dict[type, Any] = {}
        self._branch_panels: list[BranchPanel] = []
        self._gone = False
        """Set once the screen is unmounted: keys still queued for it change nothing."""
        self._leaving = False
        """An escape paused the day: the next one leaves it."""
        self._note_tick = -1
        self._floor_height = 0
        """The tick a passing note was said at (it goes after ``NOTE_TICKS``)."""
        self.python = PythonDesks([desk.name for desk in branch.desks],
                                  "Its transaction as Python, the current line marked (y)")
        """Which desk's transaction the Python view shows (y)."""
        self.lost = ""
        """Why the day stopped: a worker the backend could not get back."""
        self.toasts = True
        """False while a screen on top draws the events itself (the message timeline)."""
        self.origin = origin or DayOrigin(level.id, branch.seed)
        """What the day was opened with: what "play again" reopens."""

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        branch = self.branch
        yield Header(icon="$")
        yield StatusBar(branch, id="status")
        yield Scrubber(self.tape, end=self._end, id="scrubber")
        yield GoalsBar(self.level.title, self.level.goals, id="goals")
        yield QueueLane(branch, id="queue")
        with Horizontal(id="floor"):
            with Grid(id="desks"):
                for index in range(len(branch.desks)):
                    yield DeskCard(branch, index)
            yield PythonView(id="python")
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

    @property
    def taken_down(self) -> bool:
        """Whether the screen is going (the day was left, or the game is quitting, perhaps as the
        day opened): its widgets may already be gone, so nothing is drawn or looked up."""
        return self._gone or self._pruning or not self.app.is_running

    def on_mount(self) -> None:
        if self.taken_down:  # the game quit as the day opened
            return
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
        self.app.release_branch(self.branch)

    def on_resize(self) -> None:
        self.set_class(self.size.height < 32, "-short")
        self.set_class(self.size.width < 110, "-narrow")
        self.call_after_refresh(self.fit_desks)

    def fit_desks(self) -> None:
        """Size the desks' rows to the floor, but never taller than a program needs.

        A 200×50 terminal gave four desks 20 rows each for a 5-line program.
        """
        if self.taken_down:
            return
        floor = self.query_one("#floor").size.height
        if not floor or floor == self._floor_height:
            return
        self._floor_height = floor
        grid = self.query_one("#desks", Grid)
        columns = grid.styles.grid_size_columns or 1
        rows = -(-len(self.branch.desks) // columns)
        grid.styles.grid_rows = str(max(3, min(DESK_ROWS, floor // rows)))
        self.refresh_view()  # the message timeline panel shows where it fits

    # ----------------------------------------------------------------- ticks
    def _on_frame(self) -> None:
        # The day stands still while another screen (help, settings, a timeline) is on top.
        if self.taken_down or self.paused or self.branch.over or self.app.screen is not self:
            self._clock = None
            return
        # Ticks are counted from the clock, not from the frames: a frame that comes late
        # (a slow drawing, a busy machine) runs the ticks it missed, so 8× stays 80 ticks a second.
        now = monotonic()
        elapsed = FRAME if self._clock is None else min(CATCH_UP, now - self._clock)
        self._clock = now
        self._owed += TICKS_PER_SECOND * self.speed * elapsed
        ticks = int(self._owed)
        if not ticks:
            return
        self._owed -= ticks
        self.advance(ticks)

    def advance(self, ticks: int = 1) -> None:
        """Run ``ticks`` ticks of the engine, then draw the latest state once."""
        if self.taken_down:
            return
        if self.lost:
            return
        try:
            if self.tape.forward(ticks, self.panel(StatsPanel).sample, until=self.hold) and self.hold():
                self.paused = True  # on that very tick, before a cascade of others piles up
        except BackendLost as error:  # a clerk across the network is gone for good
            self.lost = str(error)
            self.paused = True
            self.notify(f"{error}. This day cannot go on; press escape to leave it.",
                        title="✗ The remote clerk is gone", severity="error", timeout=30)
        self.refresh_view()

    def hold(self) -> bool:
        """Whether the day must stop on the tick just run (the tutorial's moment to read)."""
        return False

    def goto(self, tick: int) -> None:
        """Show the day at ``tick``; an earlier tick rebuilds it from the seed and the actions.

        On real processes the rebuilt day runs on fresh workers and the old
        ones are stopped.
        """
        if self._gone:
            return
        old = self.branch
        stats = self.panel(StatsPanel)
        if tick < old.tick:
            stats.clear()
        try:
            new = self.tape.goto(tick, stats.sample)
        except Exception as error:  # noqa: BLE001 - fresh workers could not start; the day stays as it was
            self.notify(f"Could not go back: {error}", title="Step back", severity="error")
            return
        if new is not old:
            self._rebind(old, new)
        if not new.over:
            self._results_shown = False
        self.refresh_view()

    def _rebind(self, old: Branch, new: Branch) -> None:
        """Point the screen, its widgets and the app at the rebuilt day."""
        self.branch = new
        # Every panel is shown the new day by the next refresh_view (a new state is always drawn).
        self.app.swap_branch(old, new)

    def refresh_view(self) -> None:
        """Redraw every panel whose state changed, and announce what happened."""
        branch = self.branch
        if self.taken_down:
            return
        shared = branch.mode == "shared"
        try:
            board = self.panel(TicketBoard)
        except NoMatches:  # compose always yields it: the game is quitting while this screen mounts
            return
        mailbox = self.panel(MailboxPanel)
        if self._note_tick >= 0 and branch.tick > self._note_tick + NOTE_TICKS:
            self.note, self._note_tick = "", -1
        if self._shown_mode != branch.mode:
            self._shown_mode = branch.mode
            board.display = shared
            mailbox.display = not shared
            self.refresh_bindings()
            if not shared and board.has_focus:
                self.set_focus(None)
        self.tape.sync()
        self.panel(StatusBar).show(Clock(branch, self.paused, self.speed, self.note))
        self.panel(Scrubber).show(self.tape)
        report = make_report(branch, self.level.id, self.level.goals)
        watch = watch_note(branch.day.watch_ticks, branch.tick, branch.judged_from)
        self.panel(GoalsBar).show(Progress(metrics(report), report.stars, branch.over, watch))
        width, height = PANEL_WHERE_IT_FITS
        self.panel(MessageTimeline).display = not shared and self.size.width >= width and self.size.height >= height
        if not self._branch_panels:
            self._branch_panels = list(self.query(BranchPanel))
        for panel in self._branch_panels:
            panel.show(branch)  # a hidden one too (the board, the mailboxes): none keeps a day gone
        self._show_python()
        self._announce()
        self._announce_processes()
        if branch.over and not self._results_shown:
            self._results_shown = True
            # What the day's toasts said (select the error in the panel...) is not for the results screen.
            # (Toasts are messages: cleared once those already sent have arrived.)
            self.app.call_later(self.app.clear_notifications)
            self.app.call_later(self.app.show_results, self.level, branch, self.origin)

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
                    # Short: it lies over the desks. The why (money "created") is on its timeline.
                    hint = "" if branch.over else "\ni, enter: its steps one by one, and why."
                    self.notify(error_headline(error) + hint, title=f"✗ {KIND_TEXT.get(error.kind, error.kind).capitalize()}",
                                severity="error", timeout=6)
            elif event.kind == "mode" and "once" not in event.detail:
                self.notify(MODE_TEXT.get(branch.mode, event.detail), title="Mode switched", timeout=4)
            elif event.kind in TOASTED and event.kind not in ("day_over", "mode"):
                self.notify(event.detail, title=event.kind.replace("_", " ").capitalize(),
                            severity="warning" if event.kind in ("deadlock", "clerk_killed") else "information", timeout=4)

    def _announce_processes(self) -> None:
        # A helper process of the game that died and was started again, or real processes gone for good.
        for notice in self.branch.backend.take_notices():
            self.notify(notice, title="Worker processes", severity="warning", timeout=8)

    # --------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A key still queued for a screen that was just left must not touch its (closed) day.
        if self._gone:
            return False
        # The footer offers only what works in this mode: it has 80 columns to fit in.
        if action == "kill_clerk" and self.branch.mode != "message":
            return False
        if action == "tickets" and self.branch.mode != "shared":
            return False
        return True

    def action_toggle_pause(self) -> None:
        """Pause or resume the day."""
        if self.lost:
            self.notify(f"{self.lost}. This day cannot go on.", title="✗ The remote clerk is gone", severity="error")
            return
        self.paused = not self.paused
        self._owed = 0.0
        self._stay()
        self.refresh_view()

    def action_step(self) -> None:
        """Pause and run exactly one tick."""
        self.paused = True
        self._stay()
        self.advance(1)

    def action_step_back(self) -> None:
        """Pause and go back exactly one tick (the day is rebuilt from its seed and actions)."""
        self.paused = True
        self._owed = 0.0
        if self.branch.tick == 0:
            self.notify("This is tick 0: the day cannot go further back.", title="Step back", timeout=2)
            self.refresh_view()
            return
        self.goto(self.branch.tick - 1)

    def action_scrub(self) -> None:
        """Focus the scrubber: ← → PageUp PageDown Home End pick the tick."""
        self.panel(Scrubber).focus()

    def on_scrubber_jumped(self, message: Scrubber.Jumped) -> None:
        # Keys and drags come faster than a day rebuilds on real processes:
        # only the last tick asked for is rebuilt.
        first = self._scrub_to is None
        self._scrub_to = message.tick
        if first:
            self.call_later(self._scrub)

    def _scrub(self) -> None:
        tick, self._scrub_to = self._scrub_to, None
        self.panel(Scrubber).wanted = None
        if tick is None or self._gone:
            return
        self.paused = True
        self._owed = 0.0
        if tick != self.branch.tick:
            self.goto(tick)
        else:
            self.refresh_view()

    def action_save_replay(self) -> None:
        """Save the day as a replay file: level, seed, options and every action recorded."""
        if self._on_own_code("a replay file"):
            return
        self.tape.sync()
        self.app.save_replay(self.branch, self.level, list(self.tape.recorded))

    def action_faster(self) -> None:
        """Go one speed up (up to 8×)."""
        self.set_speed(SPEEDS[min(len(SPEEDS) - 1, SPEEDS.index(self.speed) + 1)])

    def action_slower(self) -> None:
        """Go one speed down (down to 0.1×)."""
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
        # A pending switch is in the status bar ("→ message once the desks are free"), not a toast.
        self.refresh_view()

    def action_clerks(self, delta: int) -> None:
        """Put one more clerk to work, or send one home (where the level allows)."""
        if self.branch.over:
            return
        count = (self.branch.pending_clerks or self.branch.clerk_count) + delta
        refused = self.branch.set_clerks(count)
        if refused:
            self.notify(refused, title="Clerks", severity="warning")
        else:
            self.notify(f"{count} clerks once the desks are free.", title="Clerks", timeout=3)
        self.refresh_view()

    def action_desks(self, delta: int) -> None:
        """Open one more desk, or close one (where the level allows)."""
        if self.branch.over:
            return
        refused = self.branch.set_desks(self.branch.open_desks + delta)
        if refused:
            self.notify(refused, title="Desks", severity="warning")
        else:
            self.notify(f"{self.branch.open_desks} desks open.", title="Desks", timeout=3)
        self.refresh_view()

    def action_tickets(self) -> None:
        """Focus the ticket board (shared mode)."""
        if self.branch.mode != "shared":
            self.notify("Tickets do not exist in message mode: each account has one owner.", title="Tickets")
            return
        # At once, not after a refresh: "t" then "enter" typed together must reach the board.
        self.set_focus(self.panel(TicketBoard))

    def action_integrity(self) -> None:
        """Focus the Integrity panel."""
        # At once, not after a refresh: "i" then "enter" typed together must open the timeline.
        self.set_focus(self.panel(IntegrityPanel))

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
        """Leave the focused panel, or go back to the screen underneath.

        A day under way is paused by the first escape and left by the second:
        an escape meant for a window that has just closed (settings "Done"
        clicked, escape pressed with it) must not throw the day away.
        """
        if self.focused is not None:
            self.set_focus(None)
            return
        if self.branch.tick > 0 and not self.branch.over and not self._leaving:
            self._leaving = True
            self.paused = True
            self.note = "escape again leaves the day · space plays on"
            self.refresh_view()
            return
        self.app.leave_branch(self)

    def _stay(self) -> None:
        """The player played on: the next escape pauses again before it leaves."""
        if self._leaving:
            self._leaving = False
            self.note = ""

    def toggle_ticket(self, resource: str) -> None:
        """Flip the ticket on ``resource`` (``vault``, ``rates`` or an account)."""
        if self.branch.mode != "shared" or self.branch.over or self._on_own_code():
            return
        on = self.branch.toggle_ticket(resource)
        where = {"vault": "the vault", "rates": "the rate board"}.get(resource, resource)
        # Said in the status bar, not a toast: nine changes made nine toasts over the board being edited.
        self._tell(f"ticket {'on' if on else 'off'} {where} from the next customer")
        self.refresh_view()

    def _on_own_code(self, what: str = "") -> bool:
        """Whether the desks run the player's own code (Fix the Program's day); if so, say what that rules out."""
        if self.branch.code is None:
            return False
        if what:
            self.notify(OWN_CODE_NOT_YET.format(what=what), title="Your code", timeout=6)
        else:
            self._tell("the tickets are in your code today: change them in Fix the Program")
            self.refresh_view()
        return True

    def _tell(self, note: str) -> None:
        """Say ``note`` in the status bar for a few seconds of the day (it replaces the last one)."""
        self._leaving = False
        self.note = note
        self._note_tick = self.branch.tick

    # ----------------------------------------------------------- the Python
    def action_python(self) -> None:
        """Show the next desk's transaction as Python; after the last desk, close the view."""
        self.python.walk()
        self._show_python()

    def show_python(self, desk: int | None) -> None:
        """Show desk ``desk``'s transaction as Python (``None``: close the view)."""
        self.python.choose(desk)
        self._show_python()

    def _show_python(self) -> None:
        self.python.show(self.panel(PythonView), self._python_listing)

    def _python_listing(self, index: int) -> Listing:
        from ..engine.python_code import desk_python
        from ..widgets.text import customer_text

        branch = self.branch
        desk = branch.desks[index]
        customer = desk.customer
        if customer is None or not desk.program:
            return Listing(None, title=self.python.title(), empty=f"{desk.name} is free: no customer.")
        order = branch.layout.order if branch.mode == "shared" else ""
        program, about = desk.program, f"#{customer.id} {customer.describe()}"
        code = self.python.code((customer.id, tuple(step.text for step in program), order),
                                lambda: desk_python(program, title=about, lock_order=order))
        return Listing(code, code.line_for(desk.pc), "◷" if desk.waiting_for else "▶",
                       self.python.title(customer_text(customer)), comment=code.leaving(desk.pc))

    def action_export(self) -> None:
        """Write this day, with its mode and tickets as they are now, as a script that races on real processes."""
        from ..exporting import branch_script, default_name, export_folder, write_script

        if self._on_own_code("a Python script of the whole day"):
            return
        title = self.level.title
        try:
            path = write_script(export_folder() / default_name(title),
                                branch_script(self.branch, title, f"the branch screen of {self.level.id}"))
        except OSError as error:
            self.notify(f"Not written: {error}", title="Export", severity="error")
            return
        self.notify(f"Wrote {path}\nRun it with python: real processes, no scheduler, the OS picks the order.",
                    title="Exported to Python", timeout=8)

    # -------------------------------------------------------------- messages
    def on_ticket_board_ticket_toggled(self, message: TicketBoard.TicketToggled) -> None:
        self.toggle_ticket(message.resource)

    def on_ticket_board_scope_chosen(self, message: TicketBoard.ScopeChosen) -> None:
        if self.branch.mode == "shared" and not self.branch.over and not self._on_own_code():
            self.branch.set_scope(message.scope)
            self.refresh_view()

    def on_ticket_board_order_chosen(self, message: TicketBoard.OrderChosen) -> None:
        if self.branch.mode == "shared" and not self.branch.over and not self._on_own_code():
            self.branch.set_order(message.order)
            self.refresh_view()

    def on_integrity_panel_error_selected(self, message: IntegrityPanel.ErrorSelected) -> None:
        errors = self.branch.errors
        if not 0 <= message.index < len(errors):
            return  # chosen on a day since stepped back (or replaced): that error is not in this one
        self.app.push_screen(TimelineScreen(errors[message.index]))

    # --------------------------------------------------------------- palette
    def palette_commands(self) -> Iterator[SystemCommand]:
        """Yield the palette entries of this screen: every control and every ticket."""
        yield SystemCommand("Pause / resume", "Pause or resume the day (space)", self.action_toggle_pause)
        yield SystemCommand("One tick", "Pause and advance exactly one tick (.)", self.action_step)
        yield SystemCommand("Step back", "Pause and go back exactly one tick (,)", self.action_step_back)
        yield SystemCommand("Scrub", "Jump to any tick of the day so far (g, then ← → Home End)", self.action_scrub)
        yield SystemCommand("Save replay", "Save the day as a replay file: bankgame replay FILE plays it (w)",
                            self.action_save_replay)
        yield SystemCommand("Faster", "Speed up, up to 8× (+)", self.action_faster)
        yield SystemCommand("Slower", "Slow down, down to 0.1× (-)", self.action_slower)
        yield SystemCommand("Switch mode", "Shared state ↔ message passing (m)", self.action_switch_mode)
        yield SystemCommand("Ticket board", "Focus the ticket board (t)", self.action_tickets)
        yield SystemCommand("Kill a clerk", "Message mode: kill the busiest clerk; it is restarted (k)", self.action_kill_clerk)
        yield SystemCommand("Message timeline", "Message mode: every request and reply as lanes and arrows (l)",
                            self.action_messages)
        yield SystemCommand("Integrity panel", "Focus the list of integrity errors (i)", self.action_integrity)
        yield from self._python_commands()
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

    def _python_commands(self) -> Iterator[SystemCommand]:
        yield from self.python.commands(self.show_python)
        yield SystemCommand("Export as a Python script", "This day on real processes, no scheduler (x)",
                            self.action_export)
