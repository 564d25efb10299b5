"""The message timeline as a screen of its own, over the branch: the day goes on underneath."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..constants import TICKS_PER_SECOND
from ..widgets.message_timeline import MessageTimeline

if TYPE_CHECKING:
    from .branch import BranchScreen


class MessageTimelineScreen(Screen[None]):
    """Every recent message of the day as a sequence diagram.

    The branch screen underneath keeps the clock: this screen asks it to
    advance at its speed, so the diagram scrolls with the day, and a clerk
    killed here (``k``) can be watched going down and coming back.

    Args:
        branch_screen: the day being played.
    """

    BINDINGS = [
        Binding("escape,l", "close", "Back"),
        Binding("space", "toggle_pause", "Pause"),
        Binding("full_stop", "step", "Step", key_display="."),
        Binding("k", "kill_clerk", "Kill a clerk"),
        Binding("up", "scroll_rows(1)", "Older", show=False),
        Binding("down", "scroll_rows(-1)", "Newer", show=False),
        Binding("pageup", "scroll_page(1)", "Page older", show=False),
        Binding("pagedown", "scroll_page(-1)", "Page newer", show=False),
        Binding("end", "scroll_rows(0)", "Follow the day", show=False),
    ]

    DEFAULT_CSS = """
    MessageTimelineScreen #message-title { height: auto; max-height: 2; padding: 0 1; color: $text-muted; }
    MessageTimelineScreen MessageTimeline { padding: 0 1; }
    """

    def __init__(self, branch_screen: BranchScreen) -> None:
        super().__init__()
        self.branch_screen = branch_screen
        self.branch = branch_screen.branch
        self._owed = 0.0

    def compose(self) -> ComposeResult:
        yield Header(icon="$")
        yield Static(id="message-title")
        yield MessageTimeline(self.branch, id="message-timeline")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "bankgame"
        self.sub_title = "Messages"
        self.set_interval(self.branch_screen.FRAME_SECONDS, self._on_frame)
        self.branch_screen.toasts = False  # the diagram shows each kill and restart where it happens
        self.refresh_view()

    def on_unmount(self) -> None:
        self.branch_screen.toasts = True

    def on_resize(self) -> None:
        self.refresh_view()

    def _on_frame(self) -> None:
        under = self.branch_screen
        if under.paused or self.branch.over or self.app.screen is not self:
            return
        self._owed += TICKS_PER_SECOND * under.speed * under.FRAME_SECONDS
        ticks = int(self._owed)
        if ticks:
            self._owed -= ticks
            under.advance(ticks)
            self.refresh_view()

    def refresh_view(self) -> None:
        """Redraw the title line and the diagram."""
        under = self.branch_screen
        branch = self.branch
        state = "day over" if branch.over else ("paused" if under.paused else f"running {under.speed:g}×")
        remote = [c for c in branch.clerks if c.latency]
        far = f" · {remote[0].name}⇄ remote, +{remote[0].latency} ticks each way" if remote else ""
        title = f"tick {branch.tick} · {state} · {branch.messages_sent} sent{far}"
        if branch.network_note:
            title += f"\n{remote[0].name if remote else 'the clerk'} opening the branch's block: {branch.network_note}"
        self.query_one("#message-title", Static).update(Text(title))  # never markup: part of it came from the network
        self.query_one(MessageTimeline).show(branch)

    def action_close(self) -> None:
        """Back to the branch."""
        self.dismiss(None)

    def action_toggle_pause(self) -> None:
        """Pause or resume the day."""
        self.branch_screen.action_toggle_pause()
        self._owed = 0.0
        self.refresh_view()

    def action_step(self) -> None:
        """Pause and run one tick."""
        self.branch_screen.action_step()
        self.refresh_view()

    def action_kill_clerk(self) -> None:
        """Kill the busiest clerk for real; watch its lane go dark and come back."""
        if not self.branch.kill_clerk():  # the diagram's own row says what happened
            self.notify("The day is over: no clerk to kill.", title="Kill a clerk")
        self.branch_screen.refresh_view()
        self.refresh_view()

    def action_scroll_rows(self, delta: int) -> None:
        """Scroll the diagram by ``delta`` rows back (``0``: follow the day)."""
        self.query_one(MessageTimeline).scroll_rows(delta)

    def action_scroll_page(self, direction: int) -> None:
        """Scroll a page back or forward."""
        timeline = self.query_one(MessageTimeline)
        timeline.scroll_rows(direction * max(1, timeline.size.height - 4))
