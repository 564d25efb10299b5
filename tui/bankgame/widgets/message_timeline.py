"""The message timeline: a sequence (Lamport) diagram of the day's recent messages.

One lane per cashier and per clerk, time running down, one row per event. A
request is an arrow from its send tick (``●`` on the cashier's lane) down the
lane (``┃``, waiting) and across to the clerk at its handling tick (``┗━━▶■``);
a reply that travels (the second branch) comes back on its own row (``◀╌╌┘``).
A killed clerk's lane goes dark (``░``) until the branch restarts it (``↻``),
and the messages sent to it again are marked ``↻``; refunds are marked ``⟲``.
Under each clerk's lane: its mailbox depth now, and the most in the window.

The widget only draws what the engine keeps (``Branch.message_log``,
``mailbox_depths``, ``clerk_outages``): a bounded window of recent messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ..engine import Branch, Message, account_name
from .panel import BranchPanel
from .text import clip, dollars

TICK_W = 5
LABEL_MIN = 22
ORDER = {"killed": 0, "restarted": 1, "handled": 2, "reply": 3, "sent": 4}


@dataclass(frozen=True, slots=True)
class Row:
    """One event of the diagram."""

    tick: int
    kind: str
    """``sent``, ``handled``, ``reply``, ``killed`` or ``restarted``."""
    desk: int
    clerk: int
    label: str
    style: str
    seq: int = 0
    answered: bool = False
    """A request whose reply reaches the desk the same tick (a local clerk)."""


def message_label(message: Message) -> str:
    """``#12 deposit A $50``."""
    return f"#{message.seq} {message.op} {account_name(message.account)} {dollars(message.amount)}"


def build_rows(branch: Branch) -> list[Row]:
    """Return the diagram's events, oldest first, from what the engine keeps."""
    rows: list[Row] = []
    clerks = branch.clerks
    for m in branch.message_log:
        clerk = clerks[m.clerk].name
        refund = m.op == "refund"
        mark = "⟲ " if refund else ""
        base = "timeline--refund" if refund else "timeline--request"
        rows.append(Row(m.sent, "sent", m.desk, m.clerk, f"{mark}{message_label(m)} → {clerk}", base, m.seq))
        if m.handled >= 0:
            verdict = "✓" if m.ok else "✗ refused"
            again = "↻ again: " if m.resent else ""
            waited = m.handled - m.sent
            style = "timeline--resent" if m.resent else ("timeline--refused" if not m.ok else base)
            ms = f" · {m.latency_ms:.2f} ms" if m.latency_ms is not None else ""
            where = f"{clerk} {verdict} (waited {waited})" if m.replied == m.handled else f"{clerk} {verdict}"
            answered = m.replied == m.handled
            rows.append(Row(m.handled, "handled", m.desk, m.clerk, f"{again}#{m.seq} {where}{ms if answered else ''}",
                            style, m.seq, answered))
            if m.replied > m.handled:
                rows.append(Row(m.replied, "reply", m.desk, m.clerk,
                                f"#{m.seq} reply {verdict} (+{m.replied - m.handled} ticks){ms}", "timeline--reply", m.seq))
    for index, killed, back in branch.clerk_outages:
        name = clerks[index].name
        rows.append(Row(killed, "killed", -1, index, f"✗ {name} killed: down until tick {back}", "timeline--down"))
        if back <= branch.tick:
            waiting = sum(1 for m in branch.message_log
                          if m.clerk == index and m.resent and m.sent < back and (m.handled < 0 or m.handled >= back))
            rows.append(Row(back, "restarted", -1, index, f"↻ {name} restarted · {waiting} sent again", "timeline--restart"))
    rows.sort(key=lambda r: (r.tick, ORDER[r.kind], r.seq))
    return rows


class MessageTimeline(BranchPanel):
    """The recent messages as lanes and arrows; follows the day unless scrolled back."""

    COMPONENT_CLASSES = {
        "timeline--header", "timeline--tick", "timeline--lane", "timeline--wait", "timeline--request",
        "timeline--reply", "timeline--refund", "timeline--refused", "timeline--resent", "timeline--down",
        "timeline--restart", "timeline--mailbox", "timeline--note",
    }

    DEFAULT_CSS = """
    MessageTimeline { height: 1fr; }
    MessageTimeline > .timeline--header { text-style: bold; }
    MessageTimeline > .timeline--tick { color: $text-muted; }
    MessageTimeline > .timeline--lane { color: $text-disabled; }
    MessageTimeline > .timeline--wait { color: $text-primary; }
    MessageTimeline > .timeline--request { color: $text; }
    MessageTimeline > .timeline--reply { color: $success; }
    MessageTimeline > .timeline--refund { color: $warning; text-style: bold; }
    MessageTimeline > .timeline--refused { color: $warning; }
    MessageTimeline > .timeline--resent { color: $text-secondary; text-style: bold; }
    MessageTimeline > .timeline--down { color: $error; text-style: bold; }
    MessageTimeline > .timeline--restart { color: $success; text-style: bold; }
    MessageTimeline > .timeline--mailbox { color: $accent; }
    MessageTimeline > .timeline--note { color: $text-muted; }
    """

    def __init__(self, branch: Branch, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(branch, id=id, classes=classes)
        self.back = 0
        """Rows scrolled back from the newest (0: follow the day)."""
        self._rows: list[Row] = []
        self._depths: dict[int, dict[int, int]] = {}
        """Tick → clerk → mailbox depth at the end of that tick."""

    def signature(self, branch: Branch) -> tuple:
        return (branch.tick, branch.messages_sent, len(branch.clerk_outages), self.back)

    def decorate(self, branch: Branch) -> None:
        # The rows the drawing (and scrolling) reads: rebuilt with each new drawing.
        self._rows = build_rows(branch)
        self._depths = {tick: dict(enumerate(depths)) for tick, depths in branch.mailbox_depths}

    def scroll_rows(self, delta: int) -> None:
        """Scroll back (``delta`` > 0, older) or forward; ``0`` returns to the newest."""
        body = max(1, self.size.height - 3)
        most = max(0, len(self._rows) - body)
        self.back = 0 if delta == 0 else max(0, min(most, self.back + delta))
        self.show(self.branch)

    # ---------------------------------------------------------------- drawing
    def _lanes(self, width: int) -> tuple[list[str], int]:
        branch = self.branch
        names = [d.name for d in branch.desks] + [c.name + ("⇄" if c.latency else "") for c in branch.clerks]
        lane = max(3, min(8, (width - TICK_W - LABEL_MIN) // max(1, len(names))))
        return names, lane

    def draw(self, branch: Branch) -> Text:
        width, height = self.size
        style = self.get_component_rich_style
        names, lane = self._lanes(width)
        desks = len(branch.desks)
        label_w = max(0, width - TICK_W - lane * len(names) - 1)
        text = Text(no_wrap=True, overflow="crop")
        header = Text("tick ".rjust(TICK_W), style("timeline--tick"))
        for i, name in enumerate(names):
            header.append(name[: lane - 1].center(lane), style("timeline--header" if i < desks else "timeline--mailbox"))
        header.append(" " + clip("what happened", label_w), style("timeline--note"))
        text.append_text(header)
        text.append("\n")
        body = max(0, height - 3)
        rows = self._rows
        end = max(0, len(rows) - self.back)
        shown = rows[max(0, end - body): end]
        if not rows:
            text.append(clip("  no messages yet: a cashier sends one when a customer is served", width),
                        style("timeline--note"))
            text.append("\n")
        waiting = self._waiting()
        previous = -1
        for row in shown:
            text.append_text(self._row(row, previous, names, lane, label_w, waiting))
            text.append("\n")
            previous = row.tick
        for _ in range(body - max(len(shown), 0 if rows else 1)):
            text.append_text(self._idle_line(names, lane))
            text.append("\n")
        text.append_text(self._mailboxes(names, lane, label_w))
        text.append("\n")
        more = f" · ↑ {self.back} newer below (end: follow)" if self.back else ""
        text.append(clip("● sent ━▶ handled ◀╌ reply ↻ sent again ⟲ refund ░ down" + more, width), style("timeline--note"))
        return text

    def _waiting(self) -> list[tuple[int, int, int]]:
        """``(desk, from tick, to tick)``: a cashier waiting for its reply."""
        now = self.branch.tick
        return [(m.desk, m.sent, m.replied if m.replied >= 0 else now) for m in self.branch.message_log]

    def _lane_cells(self, tick: int, names: list[str], lane: int, waiting: list[tuple[int, int, int]]) -> list[tuple[str, str]]:
        desks = len(self.branch.desks)
        cells = [("│", "timeline--lane") for _ in names]
        for desk, start, stop in waiting:
            if start < tick < stop:
                cells[desk] = ("┃", "timeline--wait")
        for index, killed, back in self.branch.clerk_outages:
            if killed < tick < back:
                cells[desks + index] = ("░", "timeline--down")
        return cells

    def _row(self, row: Row, previous: int, names: list[str], lane: int, label_w: int,
             waiting: list[tuple[int, int, int]]) -> Text:
        style = self.get_component_rich_style
        desks = len(self.branch.desks)
        chars = [" "] * (lane * len(names))
        styles = ["timeline--lane"] * len(chars)
        centre = [i * lane + lane // 2 for i in range(len(names))]
        for i, (char, cell_style) in enumerate(self._lane_cells(row.tick, names, lane, waiting)):
            if char == "░":  # a dead clerk's lane, with its mailbox filling up
                for x in range(i * lane, (i + 1) * lane):
                    chars[x], styles[x] = "░", cell_style
                depth = str(self._depths.get(row.tick, {}).get(i - desks, ""))
                for k, digit in enumerate(depth[: lane - 2]):
                    chars[centre[i] + k] = digit
            else:
                chars[centre[i]], styles[centre[i]] = char, cell_style
        clerk_x = centre[desks + row.clerk]
        if row.kind == "sent":
            chars[centre[row.desk]], styles[centre[row.desk]] = "●", row.style
        elif row.kind in ("handled", "reply"):
            desk_x = centre[row.desk]
            request = row.kind == "handled"
            line = "━" if request else "╌"
            for x in range(desk_x + 1, clerk_x):
                if chars[x] != "░":
                    chars[x], styles[x] = line, row.style
            if request:
                chars[desk_x], chars[clerk_x - 1], chars[clerk_x] = "┗", "▶", "■"
                if row.answered:  # the reply reaches the desk the same tick
                    chars[desk_x] = "◀"
            else:
                chars[desk_x], chars[clerk_x] = "◀", "┘"
            styles[desk_x] = styles[clerk_x] = styles[clerk_x - 1] = row.style
        else:  # killed / restarted
            chars[clerk_x], styles[clerk_x] = ("✗" if row.kind == "killed" else "↻"), row.style
        out = Text(f"{row.tick:>{TICK_W - 1}} " if row.tick != previous else " " * TICK_W, style("timeline--tick"))
        for char, cell_style in zip(chars, styles, strict=True):
            out.append(char, style(cell_style))
        out.append(" " + clip(row.label, label_w), style(row.style))
        return out

    def _idle_line(self, names: list[str], lane: int) -> Text:
        style = self.get_component_rich_style
        out = Text(" " * TICK_W)
        for _ in names:
            out.append("│".center(lane), style("timeline--lane"))
        return out

    def _mailboxes(self, names: list[str], lane: int, label_w: int) -> Text:
        """Under each clerk's lane: its mailbox depth now (and the most in the window)."""
        branch = self.branch
        style = self.get_component_rich_style
        desks = len(branch.desks)
        out = Text("✉ now".rjust(TICK_W - 1) + " ", style("timeline--mailbox"))
        out.append(" " * (lane * desks))
        most = [0] * len(branch.clerks)
        for _, depths in branch.mailbox_depths:
            for i, depth in enumerate(depths[: len(most)]):
                most[i] = max(most[i], depth)
        for clerk in branch.clerks:
            depth = len(clerk.mailbox)
            cell = ("✗" if clerk.down else "") + str(depth)
            out.append(cell.center(lane), style("timeline--down" if clerk.down else "timeline--mailbox"))
        peaks = " ".join(f"{c.name} {m}" for c, m in zip(branch.clerks, most, strict=True))
        out.append(" " + clip(f"mailbox; most: {peaks}", label_w), style("timeline--note"))
        return out
