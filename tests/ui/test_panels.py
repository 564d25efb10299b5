"""Every panel of the branch screen draws what the day is, tick after tick: none goes stale.

A panel draws again only when its ``signature`` changes. A field its drawing
reads but its signature leaves out would leave it showing an old tick (as a
desk card without ``desk.pc`` in its signature once did, with every other test
green). Here a day is played tick by tick and, after each, what every panel
shows (its kept lines and titles) must be what a fresh drawing of the latest
state would be; and on each tick where the thing a panel is about changes (a
desk's line, a balance, a ticket's holder, a mailbox's depth...), what it
shows must change.

The panels a screen hands a state of their own (the Python view, the
tutorial's panel, an error's timeline) are also shown states that differ in
one field at a time, every field once: a field left out of a signature leaves
its panel showing the state before, and the test names the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.strip import Strip

from bankgame.app import BankApp
from bankgame.day import open_day
from bankgame.engine import Branch, IntegrityError
from bankgame.engine.customers import Customer
from bankgame.engine.programs import TicketLayout, compile_shared
from bankgame.engine.puzzle_run import PuzzleRun
from bankgame.engine.puzzles import load_book
from bankgame.engine.python_code import desk_python
from bankgame.screens.puzzle import PuzzleScreen
from bankgame.screens.timeline import TimelineScreen
from bankgame.screens.tutorial import TutorialScreen
from bankgame.store import Store
from bankgame.tutorial import Tutorial, load_tutorial
from bankgame.widgets.bar_chart import Bar, BarChart, Chart
from bankgame.widgets.deadlock_panel import DeadlockPanel
from bankgame.widgets.desk_card import DeskCard
from bankgame.widgets.fix_desk import DeskView, FixDesk
from bankgame.widgets.fix_palette import FixPalette, Palette
from bankgame.widgets.goals_bar import GoalsBar
from bankgame.widgets.integrity_panel import IntegrityPanel
from bankgame.widgets.ledger_panel import LedgerPanel
from bankgame.widgets.mailbox_panel import MailboxPanel
from bankgame.widgets.panel import Panel
from bankgame.widgets.puzzle_desk import PuzzleDesk
from bankgame.widgets.python_view import Listing, PythonView
from bankgame.widgets.queue_lane import QueueLane
from bankgame.widgets.scrubber import Scrubber
from bankgame.widgets.stats_panel import StatsPanel
from bankgame.widgets.status_bar import StatusBar
from bankgame.widgets.ticket_board import TicketBoard
from bankgame.widgets.timeline import Timeline, interleaving
from bankgame.widgets.tutorial_panel import TutorialPanel, lesson
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
    (PythonView, SHARED, lambda b: (b.desks[0].customer and b.desks[0].customer.id, b.desks[0].pc,
                                    b.desks[0].waiting_for)),
    (PythonView, MESSAGE, lambda b: (b.desks[0].customer and b.desks[0].customer.id, b.desks[0].pc,
                                     b.desks[0].waiting_for)),
]
OPEN = {PythonView: ("y",)}
"""The keys that put a panel on screen (the Python view is closed until y)."""


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
        await pilot.press(*OPEN.get(kind, ()))
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


# --------------------------------------------- panels a screen hands a state
Handed = tuple[Panel[Any], Any, list[tuple[str, Any]]]
"""A panel, the state it is shown first (a NamedTuple or a frozen dataclass), and ``(field, new value)`` changes."""


def fields_of(state: Any) -> set[str]:
    return {field.name for field in dataclasses.fields(state)} if dataclasses.is_dataclass(state) else set(state._fields)


def replaced(state: Any, field: str, value: Any) -> Any:
    return dataclasses.replace(state, **{field: value}) if dataclasses.is_dataclass(state) else state._replace(**{field: value})


def error_of(level: str, seed: int, kind: str = "lost_update") -> IntegrityError:
    """Return the first error of ``kind`` in a day of ``level`` played to its end."""
    _, branch = open_day(level, seed, None, "inline")
    branch.run()
    branch.close()
    return next(error for error in branch.errors if error.kind == kind)


def python_case() -> Handed:
    layout = TicketLayout(accounts=frozenset({0, 1}))
    code = desk_python(compile_shared(Customer(7, 0, "transfer", 0, 3000, 1), layout, frozenset(), 2), title="t")
    start = Listing(None, title="Python · Ann · y: next desk")
    # The empty text shows only without code, the comment only beside the marked line.
    return PythonView(), start, [("empty", "Ann is free: no customer."), ("code", code), ("current", code.line_for(2)),
                                 ("mark", "◷"), ("comment", "leaving the with: ticket A given back"),
                                 ("title", "Python · Ben · y: close")]


def tutorial_case() -> Handed:
    tutorial = Tutorial(load_tutorial())
    first = tutorial.chapter.steps
    start = lesson(tutorial)
    hinted = next(step for chapter in tutorial.chapters for step in chapter.steps if step.hint)
    # Steps done show in the subtitle, the status only once there is no step.
    return TutorialPanel(start), start, [
        ("hint", hinted.hint), ("step", first[1]), ("done", 1), ("total", start.total + 1),
        ("chapter", tutorial.chapters[1].title), ("number", 2), ("chapters", start.chapters + 1),
        ("step", None), ("status", "done")]


def timeline_case() -> Handed:
    start = interleaving(error_of("rush-hour", 2))
    assert start.culprit and len(start.steps) > 2 and len(set(start.cashiers)) == 2
    return Timeline(start), start, [("account", ""), ("steps", start.steps[1:]),
                                    ("cashiers", start.cashiers[::-1]), ("culprit", None)]


def fix_desk_case() -> Handed:
    start = DeskView("Ann", "1", ("take ticket A", "r = read A", "write A = r"), (False, True, False), -1)
    # A fixed line's mark shows only where no cursor, next line, ran line or damage is drawn over it.
    return FixDesk(0, start), start, [
        ("fixed", (True, True, False)), ("cursor", 1), ("status", "◷ waiting for ticket A"), ("next_line", 2),
        ("ran", frozenset({0})), ("damage", 2), ("lines", ("take ticket B", "r = read A", "write A = r")),
        ("name", "Ben"), ("key", "2")]


def fix_palette_case() -> Handed:
    start = Palette("Ann", ("take ticket A", "give back ticket A"))
    return FixPalette(), start, [("desk", "Ben"), ("lines", ("take ticket B",))]


def puzzle_desk_case() -> Handed:
    desk = PuzzleDesk(PuzzleRun(load_book().puzzle("lost-update")), 0, "1")
    start = desk.state
    assert start.movable and not start.guided and start.role == "cashier" and len(start.program) > 2
    return desk, start, [
        ("status", "◷ waiting for A"), ("registers", ("r = $100",)), ("next_line", 1), ("ran", frozenset({0})),
        ("steps", 1), ("movable", False), ("guided", True), ("program", ("x = read B",) + start.program[1:]),
        ("name", "Zed"), ("role", "clerk")]


def bar_chart_case() -> Handed:
    start = Chart((Bar("threads", 1.0, "1.0"), Bar("processes", 2.0, "2.0")))
    return BarChart(), start, [("maximum", 8.0), ("bars", (Bar("threads", 6.0, "6.0"), Bar("processes", 2.0, "2.0")))]


class OnePanel(App[None]):
    """A panel alone, shown whatever the test gives it."""

    def __init__(self, panel: Panel[Any]) -> None:
        super().__init__()
        self.panel = panel

    def compose(self) -> ComposeResult:
        yield self.panel


HANDED = [python_case, tutorial_case, timeline_case, fix_desk_case, fix_palette_case, puzzle_desk_case, bar_chart_case]
"""The panels a screen hands a state of their own, each with a state and a change of each of its fields."""


@pytest.mark.parametrize("case", HANDED, ids=["PythonView", "TutorialPanel", "Timeline", "FixDesk", "FixPalette",
                                              "PuzzleDesk", "BarChart"])
async def test_every_field_a_panel_is_handed_changes_what_it_draws(
        case: Callable[[], Handed]) -> None:
    panel, state, changes = case()
    name = type(panel).__name__
    assert {field for field, _ in changes} == fields_of(state), "each field is changed at least once"
    async with OnePanel(panel).run_test(size=(100, 30)) as pilot:
        panel.show(state)
        await pilot.pause()
        panel.show(state)
        await pilot.pause()
        before = shown(panel)
        assert before == fresh(panel) and panel.size.height
        for field, value in changes:
            state = replaced(state, field, value)
            assert state != panel.state
            panel.show(state)
            await pilot.pause()
            now = shown(panel)
            assert now == fresh(panel), f"{name} is stale after its {field} changed: is {field} in its signature?"
            assert now != before, f"a new {field} did not change what {name} draws"
            # Settle before the next change, as a screen showing it every frame would: the new layout
            # (a panel of another height) and the titles drawing it afresh set again, both of which redraw it.
            await pilot.pause()
            panel.show(state)
            await pilot.pause()
            before = shown(panel)


async def test_the_tutorial_s_panel_follows_the_tutorial() -> None:
    app = BankApp(start="tutorial", backend="inline", store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TutorialScreen)
        panel = screen.query_one(TutorialPanel)
        before = shown(panel)
        assert before == fresh(panel) and panel.state == lesson(screen.tutorial)
        for act in ("space", "hint", "x"):  # the step done, its successor's hint due, the tutorial skipped
            if act == "hint":
                step = screen.tutorial.step
                assert step is not None and step.hint
                screen._step_started -= step.hint_after + 1  # as if the player had been stuck that long
                screen._show_step()
            else:
                await pilot.press(act)
            await pilot.pause()
            now = shown(panel)
            assert now == fresh(panel) and panel.state == lesson(screen.tutorial, panel.state.hint)
            assert now != before, f"{act} changed the tutorial, not its panel"
            before = now
        assert panel.state.status == "skipped" and "Tutorial skipped" in panel.render().plain


async def test_an_error_s_timeline_follows_y() -> None:
    error = error_of("rush-hour", 2)
    app = branch_app("rush-hour", seed=2)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.push_screen(TimelineScreen(error))
        await pilot.pause()
        timeline = app.screen.query_one(Timeline)
        before = shown(timeline)
        assert before == fresh(timeline) and timeline.state == interleaving(error)
        for _ in range(2):  # as Python, then as the game's steps again
            await pilot.press("y")
            await pilot.pause()
            now = shown(timeline)
            assert now == fresh(timeline) and now != before
            before = now
        assert timeline.state == interleaving(error)


async def test_a_puzzle_s_desks_follow_the_picks() -> None:
    book = load_book()
    app = BankApp(backend="inline", store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.push_screen(PuzzleScreen(book, book.puzzle("lost-update"), Store.memory()))
        await pilot.pause()
        desks = list(app.screen.query(PuzzleDesk))
        assert len(desks) == 2
        before = [shown(desk) for desk in desks]
        for key in ("1", "2", "2", "1"):  # each pick moves that desk on a line: its card (and the other's border)
            await pilot.press(key)
            await pilot.pause()
            now = [shown(desk) for desk in desks]
            assert [drawn == fresh(desk) for drawn, desk in zip(now, desks, strict=True)] == [True, True]
            assert now[int(key) - 1] != before[int(key) - 1], f"desk {key} moved, its card did not"
            before = now
