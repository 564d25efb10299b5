"""A level's briefing: what the manager is asked to do, and the stars on offer."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Static

from ..campaign import Progress, campaign_levels, lesson_titles, metric_name
from ..engine import DayConfig, Goal, Level
from ..paths import assets_dir
from ..widgets.title_bar import TitleBar
from .bank_screen import BankScreen

ORDINALS = ("1st", "2nd", "3rd")


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of each paragraph so the screen can wrap them."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(line.strip() for line in paragraph.splitlines()) for paragraph in paragraphs)


def goal_bound(goal: Goal) -> str:
    """Return what a goal asks in symbols: ``≥ 30``, ``≤ 0``, ``10–20``."""
    def number(value: float) -> str:
        return f"{value:g}"

    if goal.at_least is not None and goal.at_most is not None:
        return f"{number(goal.at_least)}–{number(goal.at_most)}"
    if goal.at_least is not None:
        return f"≥ {number(goal.at_least)}"
    assert goal.at_most is not None  # a goal has a bound (engine.levels checks it)
    return f"≤ {number(goal.at_most)}"


def day_facts(day: DayConfig) -> str:
    """Return the day's setting in one line a player reads."""
    parts = [
        f"{day.cashiers} cashier{'s' * (day.cashiers != 1)}",
        f"{day.accounts} account{'s' * (day.accounts != 1)}",
        f"{day.customers} customers",
    ]
    if day.mode == "message" or not day.shared_available:
        clerks = day.clerks + day.remote_clerks
        parts.append(f"message passing, {clerks} clerk{'s' * (clerks != 1)}")
    else:
        parts.append("shared ledger")
        parts.append({"none": "no tickets", "vault": "one ticket on the vault", "accounts": "a ticket per account"}[day.tickets])
    if day.scheduler == "player":
        parts.append("you are the scheduler")
    return " · ".join(parts)


class BriefingScreen(BankScreen[bool]):
    """What a level asks, its goals (one per star), then Start or Back.

    Args:
        level: the level briefed.
        progress: the player's saved progress (the app's by default).
    """

    CSS_PATH = assets_dir() / "styles" / "briefing.tcss"
    AUTO_FOCUS = "#start"

    BINDINGS = [
        Binding("enter,s", "start", "Start the day"),
        Binding("escape,b", "back", "Back"),
    ]

    def __init__(self, level: Level, progress: Progress | None = None) -> None:
        super().__init__()
        self.level = level
        self._progress = progress
        self.title = "Briefing"
        self.sub_title = level.title

    def compose(self) -> ComposeResult:
        """Lay out the story, the goals and the buttons."""
        level = self.level
        yield TitleBar()
        with VerticalScroll(id="briefing-body"):
            yield Static(self._kicker(), id="briefing-kicker")
            yield Static(Content.styled(level.title, "bold"), id="briefing-title")
            yield Static(reflow(level.briefing) or "No briefing: run the branch as you like.", id="briefing-text")
            goals = Static(self._goals(), id="briefing-goals")
            goals.border_title = "Goals · one star each, earned in order"
            best = (self._progress if self._progress is not None else self.app.store).stars(self.level.id)
            if best:
                goals.border_subtitle = f"your best: {'★' * best}{'☆' * (3 - best)}"
            yield goals
            yield Static(Content.styled(day_facts(level.day), "$text-muted"), id="briefing-facts")
        with Horizontal(id="briefing-buttons"):
            yield Button("▶ Start the day", id="start", variant="primary", compact=True)
            yield Button("Back", id="back", compact=True)
        yield Footer()

    def _kicker(self) -> Content:
        ids = [level.id for level in campaign_levels()]
        where = f"Level {ids.index(self.level.id) + 1} of {len(ids)}" if self.level.id in ids else "Sandbox"
        taught = lesson_titles(self.level)
        parts: list[Content | str | tuple[str, str]] = [(where, "bold $text-accent")]
        if taught:
            parts += [("  ·  ", "$text-muted"), (taught, "$text-muted")]
        return Content.assemble(*parts)

    def _goals(self) -> Content:
        lines = []
        for index, goal in enumerate(self.level.goals):
            lines.append(Content.assemble(
                ("★" * (index + 1) + "☆" * (2 - index), "$warning"), " ",
                (f"{ORDINALS[index]} star  ", "$text-muted"), (goal.text, "$text"),
                (f"  ({metric_name(goal.metric)} {goal_bound(goal)})", "$text-muted"),
            ))
        if not self.level.goals:
            lines.append(Content.styled("No goals: a free day.", "$text-muted"))
        return Content("\n").join(lines)

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    def action_start(self) -> None:
        """Leave the briefing and open the level's branch."""
        level_id = self.level.id
        if self.app.screen is self:
            self.app.pop_screen()
        self.app.open_level(level_id)

    def action_back(self) -> None:
        """Go back without starting."""
        if self.app.screen is self:
            self.app.pop_screen()
