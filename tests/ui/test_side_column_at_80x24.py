"""At 80x24 the side column shows the ticket board, the ledger and the Integrity panel whole, without scrolling."""

from __future__ import annotations

import asyncio

from bankgame.app import BankApp
from bankgame.screens.branch import BranchScreen
from bankgame.store import Store
from bankgame.widgets.goals_bar import GoalsBar
from bankgame.widgets.integrity_panel import IntegrityPanel
from bankgame.widgets.ledger_panel import LedgerPanel
from bankgame.widgets.ticket_board import TicketBoard


def test_the_integrity_panel_is_on_screen_at_80x24() -> None:
    async def play() -> None:
        app = BankApp(start="level", level="rush-hour", backend="inline", store=Store.memory())
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, BranchScreen)
            side = screen.query_one("#side")
            assert side.max_scroll_y == 0  # nothing hidden below
            for panel in (TicketBoard, LedgerPanel, IntegrityPanel):
                region = screen.query_one(panel).region
                assert region.height >= 2 and side.region.contains_region(region), (panel.__name__, region, side.region)
            # The watch phase has its own line in the borderless goals bar.
            bar = screen.query_one(GoalsBar)
            assert bar.state.watch.startswith("watching: goals count from your change") and bar.region.height == 2

    asyncio.run(play())
