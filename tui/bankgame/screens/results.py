"""The debrief of a day: score, stars, each goal's numbers, and what went wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Static

from ..campaign import Progress, campaign_levels, debrief_text, lessons, level_after, metric_name
from ..engine import Branch, Goal, IntegrityError, Level, Report, money
from ..paths import assets_dir
from ..widgets.stars import stars_content
from ..widgets.text import CREATED_WHY, created, gap_text, seed_text
from ..widgets.timeline import Timeline, interleaving, legend
from ..widgets.title_bar import TitleBar
from .bank_screen import BankScreen
from .branch import OWN_CODE_NOT_YET, BranchScreen
from .briefing import goal_bound, reflow

KIND_WORDS = {"lost_update": "lost update", "overdraft": "overdraft", "audit": "audit gap"}
CREATED_OTHERS = "Not every error today lost money. "
"""Before ``CREATED_WHY`` when the error told above lost money and others created it."""


def metric_text(metric: str, value: float) -> str:
    """Return a metric's value as a player reads it (money for the audit gap)."""
    if metric == "audit_gap":
        return money(int(value))
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if metric in ("desk_use", "clerk_use"):
        return f"{text}%"
    return f"{text} ticks" if metric in ("mean_wait", "max_wait") else text


def worst_error(errors: Sequence[IntegrityError]) -> IntegrityError | None:
    """Return the error to replay: the largest amount wrong among those with steps, else any."""
    if not errors:
        return None
    return max(errors, key=lambda e: (bool(e.steps), e.kind != "audit", abs(e.expected - e.actual), -e.tick))


def error_sentence(error: IntegrityError) -> str:
    """Return what an error did, with its numbers, in one sentence."""
    who = error.cashiers[0] if error.cashiers else "someone"
    if error.kind == "lost_update":
        other = f"{error.cashiers[1]}'s" if len(error.cashiers) > 1 else "another"
        return (f"At tick {error.tick}, {who} wrote {error.account} = {money(error.actual)} from a stale read, "
                f"over {other} write: it should have been {money(error.expected)}, "
                f"so {gap_text(error.expected, error.actual)}.")
    if error.kind == "overdraft":
        return (f"At tick {error.tick}, {who} wrote {error.account} = {money(error.actual)}, "
                f"{money(abs(error.actual))} below zero, "
                "because the balance check and the withdrawal were not one step.")
    if error.kind == "audit":
        return (f"The closing audit expected {money(error.expected)} in the vault and counted "
                f"{money(error.actual)}: {gap_text(error.expected, error.actual)}.")
    return error.explanation


class ResultsScreen(BankScreen[None]):
    """The end of a day: what it scored, which goals it met, and the moment it went wrong.

    Args:
        report: the day's report (``engine.make_report(branch, level.id, level.goals)``).
        level: the level played.
        errors: the branch's integrity errors (the report's by default).
        progress: the player's saved progress (the app's by default); with it,
            Next knows whether the next level is open.
        options: the day options the level was played with, kept for Retry.
        branch: the day itself; its errors are used when ``errors`` is not given.
    """

    CSS_PATH = assets_dir() / "styles" / "results.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        Binding("r", "retry", "Retry"),
        Binding("n", "next", "Next level"),
        Binding("l,escape", "levels", "Levels"),
        Binding("l,escape", "title", "Title"),
        Binding("w", "save_replay", "Save replay"),
        Binding("comma", "back_to_day", "Back to the day"),
    ]

    def __init__(
        self, report: Report, level: Level, errors: Sequence[IntegrityError] | None = None,
        progress: Progress | None = None, options: dict[str, Any] | None = None,
        branch: Branch | None = None,
    ) -> None:
        super().__init__()
        self.report = report
        self.level = level
        if errors is None:
            errors = branch.errors if branch is not None else report.errors
        self.errors = tuple(errors)
        self.options = dict(options or {})
        self.branch = branch
        self._progress = progress
        self.title = "Day over"
        self.sub_title = level.title
        self.worst = worst_error(self.errors)
        """The error replayed on the timeline."""

    @property
    def in_campaign(self) -> bool:
        """Whether this day was a campaign level (the sandbox has no next level and no level list)."""
        return self.level.id in {level.id for level in campaign_levels()}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The sandbox has no next level: its key is not offered at all.
        if action in ("next", "levels") and not self.in_campaign:
            return False
        if action == "title":
            return not self.in_campaign
        return True

    @property
    def next_level(self) -> Level | None:
        """The level after this one, if it is open now."""
        after = level_after(self.level.id)
        if after is None:
            return None
        progress = self._progress if self._progress is not None else self.app.store
        passed = self.report.stars >= 1 or progress.stars(self.level.id) >= 1 or self.app.unlock_all
        return after if passed else None

    def compose(self) -> ComposeResult:
        """Lay out the verdict, the goals, what went wrong and the debrief."""
        report = self.report
        yield TitleBar()
        with VerticalScroll(id="results-body"):
            with Horizontal(id="results-verdict"):
                yield Static(self._big_stars(), id="results-stars")
                yield Static(self._verdict(), id="results-summary")
            with Horizontal(id="results-columns"):
                yield Static(self._goals(), id="results-goals")
                yield Static(self._wrong(), id="results-wrong")
            if self.worst is not None and self.worst.steps:
                timeline = Timeline(interleaving(self.worst), id="results-timeline")
                timeline.border_title = f"Replay: the {KIND_WORDS.get(self.worst.kind, self.worst.kind)} on {self.worst.account}"
                timeline.border_subtitle = f"one row per tick · {legend(self.worst.account)}"
                yield timeline
            if self.level.debrief or self.level.lessons:  # the sandbox has neither: no empty heading
                yield Static(self._debrief(), id="results-debrief")
        with Horizontal(id="results-buttons"):
            yield Button("↻ Retry", id="retry", variant="primary" if report.stars == 0 else "default", compact=True)
            can_go_on = self.next_level is not None
            if self.in_campaign:
                yield Button("Next level ▶", id="next", variant="primary" if report.stars else "default",
                             disabled=not can_go_on, compact=True)
            # Per screen: Textual reads it at each resume, and what to focus depends on how the day went.
            self.AUTO_FOCUS = "#next" if can_go_on and report.stars else "#retry"  # type: ignore[misc]
            yield Button("Levels" if self.in_campaign else "Title", id="levels", compact=True)
        yield Footer()

    def _big_stars(self) -> Content:
        total = max(3, len(self.level.goals))
        stars = Content(" ").join(list(stars_content(self.report.stars, total).divide(range(1, total))))
        # The seed, to play the very same day again (--seed N).
        return Content("\n").join([stars, Content.styled(f"seed {seed_text(self.report.seed)}", "$text-muted")])

    def _verdict(self) -> Content:
        report = self.report
        exact = report.expected_total == report.actual_total
        audit = ("✓ audit exact", "$text-success") if exact else (
            f"✗ audit: {gap_text(report.expected_total, report.actual_total)}", "$text-error")
        stars_word = f"{report.stars} star{'s' * (report.stars != 1)}"
        dot = ("  ·  ", "$text-muted")
        head = Content.assemble(
            (self.level.title, "bold"), dot, (f"score {report.score}", "bold $text-accent"),
            dot, (stars_word, "bold $warning" if report.stars else "bold $text-muted"), dot, audit,
        )
        facts = Content.assemble(
            f"served {report.served}", dot, f"left unhappy {report.left}",
            dot, f"wait mean {report.wait_mean:g}, max {report.wait_max} ticks",
        )
        lines = [head, facts]
        if report.mode == "message" or report.messages:
            clerks = report.recovered_clerks
            lines.append(Content.assemble(
                ("✉ ", "$text-accent"), f"message passing: {report.messages:,} messages, {report.bytes_copied:,} bytes copied",
                (f"  ·  {clerks} clerk{'s' * (clerks != 1)} recovered" if clerks else "", "$text-muted"),
            ))
        return Content("\n").join(lines)

    def _goals(self) -> Content:
        report = self.report
        lines = [Content.styled("Goals", "bold $text-accent")]
        verdicts = dict(enumerate(report.goals))
        missed_before = False
        for index, goal in enumerate(self.level.goals):
            met = verdicts.get(index, (goal.text, False))[1]
            numbers = self._numbers(goal)
            if met and not missed_before:
                mark = ("✓ ★ ", "$text-success")
            elif met:
                mark = ("✓ ☆ ", "$text-muted")
                numbers += "; met, but stars come in order"
            else:
                mark = ("✗ ☆ ", "$text-error")
            missed_before = missed_before or not met
            lines.append(Content.assemble(mark, (goal.text, "bold" if not met else ""), "  ", (f"({numbers})", "$text-muted")))
        if not self.level.goals:
            lines.append(Content.styled("No goals today: a free day.", "$text-muted"))
        return Content("\n").join(lines)

    def _numbers(self, goal: Goal) -> str:
        value = self.report.metric(goal.metric)
        bound = goal_bound(goal) + ("%" if goal.metric in ("desk_use", "clerk_use") else "")
        return f"{metric_name(goal.metric)} {metric_text(goal.metric, value)}, needs {bound}"

    def _wrong(self) -> Content:
        report = self.report
        lines = [Content.styled("What went wrong", "bold $text-accent")]
        counts = dict(report.error_counts)  # every error of the day (a long day keeps only some of them)
        if not counts and not report.deadlocks:
            exact = report.expected_total == report.actual_total
            lines.append(Content.styled("✓ No integrity errors, no deadlocks, and the audit is exact." if exact else
                                        "No integrity error was caught.", "$text-success"))
            missed = [goal for goal, (_, met) in zip(self.level.goals, report.goals) if not met]
            if missed:
                lines.append(Content.assemble(("✗ Missed: ", "bold $text-error"), missed[0].text,
                                              (f" ({self._numbers(missed[0])})", "$text-muted")))
            return Content("\n").join(lines)
        tally = [f"{n} {KIND_WORDS.get(kind, kind)}{'s' * (n != 1)}" for kind, n in counts.items()]
        if report.deadlocks:
            tally.append(f"{report.deadlock_count} deadlock{'s' * (report.deadlock_count != 1)}")
        lines.append(Content.styled("✗ " + " · ".join(tally), "bold $text-error"))
        if self.worst is not None:
            lines.append(Content(error_sentence(self.worst)))
        making = [error for error in self.errors if error.kind != "overdraft" and created(error.expected, error.actual)]
        if making:  # said once, however many errors created money; never as if it explained a loss
            other = self.worst not in making and self.worst is not None
            lines.append(Content.styled(CREATED_OTHERS + CREATED_WHY if other else CREATED_WHY, "$text-muted"))
        if report.deadlocks:
            first = report.deadlocks[0]
            lines.append(Content.assemble(("Deadlock ", "bold"), f"at tick {first.tick}: {first.describe()}; "
                                          f"{first.victim} was sent back."))
        return Content("\n").join(lines)

    def _debrief(self) -> Content:
        known = lessons()
        text = debrief_text(self.level, self.report) if self.level.goals else self.level.debrief
        body = [Content(reflow(text))] if text else []
        taught = [Content.assemble((f"{known[key].title}: ", "bold"), (known[key].text, "$text-muted"))
                  for key in self.level.lessons if key in known]
        if taught:
            body.append(Content("\n").join(taught))
        return Content("\n").join([Content.styled("Debrief", "bold $text-accent"), Content("\n\n").join(body)])

    @on(Button.Pressed, "#retry")
    def _retry_pressed(self) -> None:
        self.action_retry()

    @on(Button.Pressed, "#next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#levels")
    def _levels_pressed(self) -> None:
        self.action_levels()

    def action_save_replay(self) -> None:
        """Save the day as a replay file (``bankgame replay FILE`` plays it again)."""
        if self.branch is None:
            self.notify("This day cannot be saved as a replay.", title="Replay", severity="warning")
            return
        if self.branch.code is not None:  # a replay file carries a level, not the desks' edited programs
            self.notify(OWN_CODE_NOT_YET.format(what="a replay file"), title="Your code", timeout=6)
            return
        self.app.save_replay(self.branch, self.level)

    def action_back_to_day(self) -> None:
        """Go back into the day, one tick before its end (a scrub to the end lands here too)."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if self.branch is None or not isinstance(below, BranchScreen) or below.branch is not self.branch:
            self.notify("This day is closed: Retry plays it again.", title="Back to the day", severity="warning")
            return
        self.app.pop_screen()
        below.action_step_back()

    def action_retry(self) -> None:
        """Play the same level again, with the same seed and options."""
        self.app.unwind_to_menu()
        self.app.open_level(self.level.id, seed=self.report.seed, options=self.options or None)

    def action_next(self) -> None:
        """Go to the next level's briefing, when it is open."""
        after = self.next_level
        if after is None:
            self.notify("Earn at least one star here to open the next level." if level_after(self.level.id)
                        else "That was the last level.", severity="warning")
            return
        self.app.show_levels(self._progress)
        self.app.open_briefing(after, self._progress)

    def action_levels(self) -> None:
        """Go back to the level select (the title, after a sandbox day)."""
        if not self.in_campaign:
            self.action_title()
            return
        self.app.show_levels(self._progress)

    def action_title(self) -> None:
        """Go back to the title (after a sandbox day)."""
        self.app.unwind_to_menu()
