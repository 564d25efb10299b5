"""What the branch screen looks like, in its key states (fixed seeds, inline backend, paused).

Each day is played through the screen itself (``advance`` runs the engine and
samples the sparklines), then pictured. Toasts are cleared so that no timing
can change a picture.
"""

from __future__ import annotations

from typing import Any

from branch_support import branch_app

SIZE = (120, 36)


def play(ticks: int = 0, until: Any = None, keys: tuple[str, ...] = (), theme: str = "") -> Any:
    """Return a ``run_before`` that plays ``ticks`` ticks (or until ``until(branch)``), then presses ``keys``."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await pilot.pause()
        screen = app.screen
        for _ in range(ticks):
            screen.advance(1)
        if until is not None:
            for _ in range(2000):
                if until(app.branch):
                    break
                screen.advance(1)
        if theme:
            app.theme = theme
        await pilot.pause()
        app.clear_notifications()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()

    return run_before


def test_branch_screen(snap_compare: Any) -> None:
    assert snap_compare(branch_app("rush-hour", seed=2), terminal_size=SIZE, run_before=play(14))


def test_branch_screen_at_80x24(snap_compare: Any) -> None:
    assert snap_compare(branch_app("rush-hour", seed=2), terminal_size=(80, 24), run_before=play(14))


def test_lost_update_in_the_integrity_panel(snap_compare: Any) -> None:
    app = branch_app("rush-hour", seed=2)
    assert snap_compare(app, terminal_size=SIZE, run_before=play(until=lambda b: len(b.errors) >= 2, keys=("i",)))


def test_an_errors_timeline(snap_compare: Any) -> None:
    app = branch_app("rush-hour", seed=2)
    assert snap_compare(app, terminal_size=SIZE, run_before=play(until=lambda b: b.errors, keys=("i", "enter")))


def test_a_deadlock_and_its_cycle(snap_compare: Any) -> None:
    app = branch_app("transfer-desk", seed=16)
    assert snap_compare(app, terminal_size=SIZE, run_before=play(until=lambda b: b.deadlocks))


def test_message_mode_with_messages_in_flight(snap_compare: Any) -> None:
    app = branch_app("sandbox", seed=1, options={"mode": "message"})
    assert snap_compare(app, terminal_size=SIZE, run_before=play(20))


def test_a_recovered_clerk(snap_compare: Any) -> None:
    app = branch_app("sandbox", seed=1, options={"mode": "message"})

    def killed_and_back(branch: Any) -> bool:
        if branch.tick == 20 and not any(c.down for c in branch.clerks) and not branch.recovered_clerks:
            branch.kill_clerk()
        return bool(branch.recovered_clerks)

    assert snap_compare(app, terminal_size=SIZE, run_before=play(until=killed_and_back))


def test_a_paused_branch_with_eight_desks_and_a_long_queue(snap_compare: Any) -> None:
    app = branch_app("sandbox", seed=1, options={"cashiers": 8, "customers": 400, "arrival_gap": 0, "tickets": "accounts"})
    assert snap_compare(app, terminal_size=SIZE, run_before=play(12))


def test_help(snap_compare: Any) -> None:
    assert snap_compare(branch_app(), terminal_size=SIZE, run_before=play(keys=("question_mark",)))


def test_settings(snap_compare: Any) -> None:
    assert snap_compare(branch_app(), terminal_size=SIZE, run_before=play(keys=("o",)))


def test_the_small_terminal_message(snap_compare: Any) -> None:
    assert snap_compare(branch_app(), terminal_size=(70, 20), run_before=play())


def test_the_high_contrast_theme(snap_compare: Any) -> None:
    app = branch_app("rush-hour", seed=2)
    assert snap_compare(app, terminal_size=SIZE, run_before=play(30, theme="high-contrast"))


def test_light_theme_borders(snap_compare: Any) -> None:
    app = branch_app("rush-hour", seed=1, options={"tickets": "none"})
    assert snap_compare(app, terminal_size=SIZE, run_before=play(30, theme="textual-light"))
