"""Every panel of the branch screen draws what the day is, tick after tick: none goes stale.

A panel draws again only when its ``signature`` changes. A field its drawing
reads but its signature leaves out would leave it showing an old tick (as a
desk card without ``desk.pc`` in its signature once did, with every other test
green). Here a day is played tick by tick and, after each, what every panel
shows (its kept lines and titles) must be what a fresh drawing of the latest
state would be; and on each tick where the thing a panel is about changes (a
desk's line, a balance, a ticket's holder, a mailbox's depth...), what it
shows must change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.strip import Strip

from bankgame.engine import Branch
from bankgame.widgets.deadlock_panel import DeadlockPanel
from bankgame.widgets.desk_card import DeskCard
from bankgame.widgets.goals_bar import GoalsBar
from bankgame.widgets.integrity_panel import IntegrityPanel
from bankgame.widgets.ledger_panel import LedgerPanel
from bankgame.widgets.mailbox_panel import MailboxPanel
from bankgame.widgets.panel import Panel
from bankgame.widgets.queue_lane import QueueLane
from bankgame.widgets.scrubber import Scrubber
from bankgame.widgets.stats_panel import StatsPanel
from bankgame.widgets.status_bar import StatusBar
from bankgame.widgets.ticket_board import TicketBoard
from branch_support import branch_app, branch_screen

SHARED = ("sandbox", 5, {"cashiers": 4, "accounts": 3, "customers": 120, "tickets": "A,B", "transfer": 2.0,
                         "deposit": 1.0, "withdraw": 1.0, "arrival_gap": 0.6, "patience": 25})
"""A shared day with everything happening: lost updates on C, deadlocks on A and B, customers leaving."""
RUSH_HOUR = ("rush-hour", 2, {})
"""A level with goals (the sandbox has none): lost updates, the audit, the mean wait."""
MESSAGE = ("sandbox", 1, {"mode": "message", "customers": 80, "arrival_gap": 0.5})
"""A message day; a clerk is killed on the way."""
TICKS = 100
KILL_AT = 30

Probe = Callable[[Branch], Any]
CASES: list[tuple[type[Panel[Any]], tuple[str, int, dict[str, Any]], Probe]] = [
    (DeskCard, SHARED, lambda b: tuple(d.pc for d in b.desks)),
    (QueueLane, SHARED, lambda b: (len(b.queue), b.left)),
    (TicketBoard, SHARED, lambda b: tuple(sorted(b.ticket_holder.items()))),
    (LedgerPanel, SHARED, lambda b: tuple(b.ledger)),
    (IntegrityPanel, SHARED, lambda b: b.errors.total),
    (DeadlockPanel, SHARED, lambda b: b.deadlocks.total),
    (StatsPanel, SHARED, lambda b: (b.served, len(b.queue))),
    (GoalsBar, RUSH_HOUR, lambda b: b.error_counts.get("lost_update", 0)),
    (StatusBar, SHARED, lambda b: b.tick),
    (Scrubber, SHARED, lambda b: b.tick),
    (MailboxPanel, MESSAGE, lambda b: tuple(len(c.mailbox) for c in b.clerks)),
    (LedgerPanel, MESSAGE, lambda b: tuple(b.ledger)),
    (DeskCard, MESSAGE, lambda b: tuple((d.pc, d.waiting_for) for d in b.desks)),
]


def shown(panel: Panel[Any]) -> tuple[Any, ...]:
    """Return what ``panel`` shows now: its titles, its classes and the lines it keeps (drawn if it has none)."""
    lines = tuple(panel.render_line(y) for y in range(panel.size.height))
    return (panel.border_title, panel.border_subtitle, tuple(sorted(panel.classes)), lines)


def fresh(panel: Panel[Any]) -> tuple[Any, ...]:
    """Return what ``panel`` would show if it were drawn from its state now."""
    title, subtitle, classes = panel.border_title, panel.border_subtitle, set(panel.classes)
    kept = panel._strips  # setting a title refreshes the panel: the lines it keeps are put back after
    panel.decorate(panel.state)
    width, height = panel.size
    lines = panel._draw(panel.size)
    lines += [Strip.blank(width, panel.rich_style)] * (height - len(lines))
    drawn = (panel.border_title, panel.border_subtitle, tuple(sorted(panel.classes)), tuple(lines))
    panel.border_title, panel.border_subtitle = title, subtitle
    panel.set_classes(classes)
    panel._strips = kept
    return drawn


@pytest.mark.parametrize("kind, day, probe", CASES, ids=[f"{kind.__name__}-{day[2].get('mode', 'shared')}"
                                                          for kind, day, _ in CASES])
async def test_a_tick_that_changes_what_a_panel_shows_changes_what_it_draws(
        kind: type[Panel[Any]], day: tuple[str, int, dict[str, Any]], probe: Probe) -> None:
    level, seed, options = day
    app = branch_app(level, seed=seed, options=options)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = branch_screen(app)
        branch = app.branch
        panels = list(screen.query(kind))
        assert panels and all(panel.size.height for panel in panels), "the panel is on screen"
        before = [shown(panel) for panel in panels]
        changes = 0
        for _ in range(TICKS):
            if branch.over:
                break
            if branch.tick == KILL_AT and branch.mode == "message":
                branch.kill_clerk()
            seen = probe(branch)
            screen.advance(1)
            now = [shown(panel) for panel in panels]
            for panel, drawn in zip(panels, now, strict=True):
                assert drawn == fresh(panel), f"{kind.__name__} is stale at tick {branch.tick}"
            if probe(branch) != seen:
                changes += 1
                assert now != before, f"tick {branch.tick} changed what {kind.__name__} shows, not its drawing"
            before = now
        assert changes >= 2, f"the day changed what {kind.__name__} shows only {changes} times"
