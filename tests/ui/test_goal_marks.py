"""A goal is marked met only when nothing later in the day can still undo it."""

from __future__ import annotations

from bankgame.engine import Goal
from bankgame.widgets.goals_bar import goal_progress


def test_a_limit_met_so_far_stays_open_until_closing() -> None:
    no_lost = Goal("No lost updates", "lost_updates", at_most=0)
    assert goal_progress(no_lost, 0, over=False)[0] == "◷"
    assert goal_progress(no_lost, 0, over=True)[0] == "✓"
    assert goal_progress(no_lost, 2, over=False)[0] == "✗"  # a count over its limit never comes back


def test_a_target_reached_is_met_at_once() -> None:
    served = Goal("Serve 30", "served", at_least=30)
    assert goal_progress(served, 31, over=False) == ("✓", "31/30")
    assert goal_progress(served, 12, over=False) == ("◷", "12/30")
    assert goal_progress(served, 12, over=True)[0] == "✗"


def test_the_audit_is_judged_at_closing() -> None:
    audit = Goal("Exact audit", "audit_gap", at_most=0)
    assert goal_progress(audit, 0, over=False) == ("◷", "at closing")
    assert goal_progress(audit, 0, over=True) == ("✓", "exact")
    assert goal_progress(audit, 4300, over=True) == ("✗", "off by $43.00")


def test_a_share_of_the_day_is_judged_at_closing() -> None:
    busy = Goal("Desks busy 65% of the time or more", "desk_use", at_least=65)
    assert goal_progress(busy, 100.0, over=False) == ("◷", "100% (≥65%)")  # it can still fall
    assert goal_progress(busy, 70.4, over=True) == ("✓", "70% (≥65%)")
    assert goal_progress(busy, 58.7, over=True)[0] == "✗"


def test_the_watch_phase_is_named_while_it_lasts_then_when_judging_started() -> None:
    from bankgame.widgets.goals_bar import watch_note

    assert watch_note(0, 10, 0) == ""
    assert watch_note(120, 0, 0) == "watching: goals count from your change, 120 ticks left to change"
    assert watch_note(120, 119, 40) == "watching: goals count from your change at tick 40, 1 tick left to change"
    assert watch_note(120, 121, 40) == "judging started at tick 40"
    assert watch_note(120, 300, 0) == "judging started at tick 0"
