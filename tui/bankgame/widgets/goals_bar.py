"""The level's goals, always on screen, with progress toward each star."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text

from ..engine import Goal, money
from .panel import Panel

METRIC_TEXT = {
    "served": "served", "left": "left unhappy", "errors": "errors", "lost_updates": "lost updates",
    "overdrafts": "overdrafts", "deadlocks": "deadlocks", "mean_wait": "mean wait", "max_wait": "worst wait",
    "ticks": "ticks", "audit_gap": "audit", "score": "score", "recovered_clerks": "clerks recovered",
    "desk_use": "desks busy", "clerk_use": "clerks busy",
}
"""Short names of the metrics, for a narrow terminal."""
SHARES = ("desk_use", "clerk_use")
"""Metrics that are a share of the day's time, in percent."""


def goal_progress(goal: Goal, value: float, over: bool) -> tuple[str, str]:
    """Return ``(mark, progress)`` for a goal: ``✓``/``✗``/``◷`` and e.g. ``12/30``.

    Args:
        goal: the goal.
        value: its metric now.
        over: whether the day has ended (◷ becomes ✓ or ✗).
    """
    if goal.metric == "audit_gap":
        if not over:  # the audit is taken at closing
            return "◷", "at closing"
        return ("✓", "exact") if goal.met(value) else ("✗", "off by " + money(int(value)))
    shown = f"{value:.1f}" if isinstance(value, float) and value != int(value) else f"{value:g}"
    if goal.metric in SHARES:
        # A share of the day's time goes up and down until closing.
        progress = f"{value:.0f}% (≥{goal.at_least:g}%)" if goal.at_least is not None else f"{value:.0f}% (≤{goal.at_most:g}%)"
        if not over:
            return "◷", progress
        return ("✓" if goal.met(value) else "✗"), progress
    if goal.at_least is not None:
        progress = f"{shown}/{goal.at_least:g}"
        if goal.met(value):
            return "✓", progress
        return ("✗" if over else "◷"), progress
    progress = f"{shown} (≤{goal.at_most:g})"
    if goal.met(value):
        # Under its limit so far; only the end of the day can say it stayed there.
        return ("✓" if over else "◷"), progress
    # A count that went over its limit never comes back under it.
    final = over or goal.metric in ("errors", "lost_updates", "overdrafts", "deadlocks", "left", "max_wait")
    return ("✗" if final else "◷"), progress


def watch_note(watch_ticks: int, tick: int, judged_from: int) -> str:
    """Return what the watch phase means for the goals right now (``""`` on a level without one).

    Within the watch phase the goals count from the player's last change, so
    the bar says so and how long a change still restarts them; after it, from
    which tick the day is judged.
    """
    if not watch_ticks:
        return ""
    if tick <= watch_ticks:
        left = watch_ticks - tick
        since = f" at tick {judged_from}" if judged_from else ""
        return f"watching: goals count from your change{since}, {left} tick{'s' * (left != 1)} left to change"
    return f"judging started at tick {judged_from}"


class Progress(NamedTuple):
    """Where the day stands against its goals."""

    values: dict[str, float]
    """The metrics of the day so far."""
    stars: int
    over: bool
    watch: str = ""
    """What the watch phase means for the goals now (``watch_note``): the bottom border, or a line of its own."""


class GoalsBar(Panel[Progress]):
    """One line per goal: the star it gives, the goal, the progress, a mark."""

    COMPONENT_CLASSES = {"goals--star", "goals--met", "goals--missed", "goals--open", "goals--note"}

    DEFAULT_CSS = """
    GoalsBar { height: auto; }
    GoalsBar > .goals--star { color: $warning; }
    GoalsBar > .goals--met { color: $text-success; text-style: bold; }
    GoalsBar > .goals--missed { color: $text-error; text-style: bold; }
    GoalsBar > .goals--open { color: $text-muted; }
    GoalsBar > .goals--note { color: $text-muted; }
    """

    def __init__(self, title: str, goals: tuple[Goal, ...], *, id: str | None = None) -> None:
        super().__init__(Progress({}, 0, False), id=id)
        self.goals = goals
        self.border_title = f"Goals · {title}"

    RELAYOUT = True
    """The watch note may need a line of its own (on a borderless bar), or give it back."""

    def signature(self, state: Progress) -> tuple:
        # Only the metrics of this level's goals: the others change without changing the bar.
        return (tuple(state.values.get(goal.metric, 0) for goal in self.goals), state.stars, state.over, state.watch)

    def decorate(self, state: Progress) -> None:
        self.border_subtitle = state.watch

    def _borderless(self) -> bool:
        # A short terminal draws the bar without a border (assets/styles), so
        # the watch note, the bottom border's text otherwise, needs a line.
        return not self.styles.border_bottom[0]

    def get_content_height(self, container, viewport, width: int) -> int:
        return 2 if self.state.watch and self._borderless() else 1

    def draw(self, state: Progress) -> Text:
        if not self.goals:
            return Text("No goals here: break it, fix it, compare.", style=self.get_component_rich_style("goals--note"))
        # Full goal texts when they fit, the metric's short name when they do not.
        text = self._line(state, full=True)
        if text.cell_len > self.size.width:
            text = self._line(state, full=False)
        if state.watch and self._borderless():
            text.append("\n")
            text.append(state.watch, self.get_component_rich_style("goals--note"))
        return text

    def _line(self, state: Progress, full: bool) -> Text:
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, goal in enumerate(self.goals, 1):
            if number > 1:
                text.append("   ")
            mark, progress = goal_progress(goal, state.values.get(goal.metric, 0), state.over)
            mark_style = {"✓": "goals--met", "✗": "goals--missed"}.get(mark, "goals--open")
            text.append("★" * number, style("goals--star"))
            text.append(f" {goal.text if full else METRIC_TEXT.get(goal.metric, goal.metric)} ")
            text.append(f"{mark} {progress}", style(mark_style))
        return text
