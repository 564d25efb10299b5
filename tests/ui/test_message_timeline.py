"""The message timeline: lanes, arrows and mailboxes, opened from the branch with `l`.

Snapshots (inline backend, fixed seeds, paused): a normal day, a killed clerk
whose lane is dark while its mailbox fills, and a refund on the second branch.
"""

from __future__ import annotations

from typing import Any

from bankgame.engine.branch import RESTART_TICKS
from bankgame.screens.message_timeline import MessageTimelineScreen
from bankgame.widgets.message_timeline import MessageTimeline, build_rows
from branch_support import branch_app, branch_screen


def play(ticks: int = 0, until: Any = None, kill_at: int = -1, after: int = 0) -> Any:
    """A ``run_before``: play through the branch screen, maybe kill clerk 0, then open the timeline."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await pilot.pause()
        screen = app.screen
        for tick in range(ticks):
            if tick == kill_at:
                screen.branch.kill_clerk(0)
            screen.advance(1)
        if until is not None:
            for _ in range(2000):
                if until(app.branch):
                    break
                screen.advance(1)
            for _ in range(after):
                screen.advance(1)
        await pilot.pause()
        app.clear_notifications()
        await pilot.press("l")
        await pilot.pause()

    return run_before


def refunded(branch: Any) -> bool:
    return any(m.op == "refund" and m.handled >= 0 for m in branch.message_log)


def test_a_normal_day_at_80x24(snap_compare: Any) -> None:
    assert snap_compare(branch_app("back-office", 3), terminal_size=(80, 24), run_before=play(40))


def test_a_killed_clerk_goes_dark_and_its_messages_are_sent_again(snap_compare: Any) -> None:
    assert snap_compare(branch_app("back-office", 3), terminal_size=(80, 24), run_before=play(41, kill_at=30))


def test_a_refund_on_the_second_branch(snap_compare: Any) -> None:
    app = branch_app("second-branch", 4)
    assert snap_compare(app, terminal_size=(100, 30), run_before=play(until=refunded, after=3))


async def test_l_opens_the_timeline_which_runs_the_day_and_kills_a_clerk() -> None:
    app = branch_app("back-office", 3, ticks=20)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MessageTimelineScreen)
        branch = screen.branch
        start = branch.tick
        await pilot.press("full_stop")
        assert branch.tick == start + 1
        await pilot.press("k")
        down = [c for c in branch.clerks if c.down]
        assert len(down) == 1
        for _ in range(RESTART_TICKS + 1):  # down for RESTART_TICKS ticks, back on the next
            await pilot.press("full_stop")
        assert not down[0].down and down[0].restarts == 1
        timeline = screen.query_one(MessageTimeline)
        await pilot.pause()
        kinds = [row.kind for row in timeline._rows]
        assert "killed" in kinds and "restarted" in kinds
        await pilot.press("up", "up")
        assert timeline.back == 2
        await pilot.press("end")
        assert timeline.back == 0
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is branch_screen(app)


async def test_the_timeline_is_only_for_message_mode() -> None:
    app = branch_app("rush-hour", 2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, MessageTimelineScreen)


def test_rows_come_from_the_engine_window_only() -> None:
    from bankgame.day import open_day

    _, branch = open_day("back-office", 3, {"customers": 400})
    branch.run(kill_clerk_every=50)
    rows = build_rows(branch)
    seqs = {m.seq for m in branch.message_log}
    assert {row.seq for row in rows if row.seq} == seqs  # nothing drawn that the engine did not keep
    assert sum(1 for row in rows if row.kind == "sent") == len(branch.message_log)


def test_the_panel_where_it_fits(snap_compare: Any) -> None:
    app = branch_app("second-branch", 4)

    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        for _ in range(60):
            pilot.app.screen.advance(1)
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(200, 50), run_before=run_before)


async def test_the_panel_stays_away_where_it_does_not_fit() -> None:
    app = branch_app("second-branch", 4)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = branch_screen(app)
        screen.advance(10)
        await pilot.pause()
        assert not screen.query_one("#message-panel").display
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert screen.query_one("#message-panel").display
