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
