"""The tutorial on the live branch screen: played through with the keys, step by step."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from bankgame.app import BankApp
from bankgame.screens.tutorial import TutorialScreen, chapter_day
from bankgame.store import Store, TutorialState, open_store
from bankgame.widgets.ticket_board import TicketBoard
from bankgame.widgets.tutorial_panel import TutorialPanel
from pilot_keys import press, settle

SIZE = (120, 36)
MOST_TICKS = 300


def tutorial_app(store: Store) -> BankApp:
    return BankApp(start="tutorial", backend="inline", store=store)


def screen(app: BankApp) -> TutorialScreen:
    assert isinstance(app.screen, TutorialScreen), app.screen
    return app.screen


async def flip_row(pilot: Pilot, row: str) -> None:
    """Press t, move the ticket board's cursor to ``row`` and press enter."""
    await press(pilot, "t")
    board = pilot.app.screen.query_one(TicketBoard)
    while board.rows[board.cursor] != row:
        await press(pilot, "down")
    await press(pilot, "enter")
    await settle(pilot)


async def do_step(pilot: Pilot) -> None:
    """Do what the current step asks, with the keys a player would press."""
    app = pilot.app
    tutorial = screen(app).tutorial
    step = tutorial.step
    assert step is not None
    kind, argument = step.condition
    position = tutorial.position
    if kind == "next":
        await press(pilot, "n")
    elif kind == "action":
        await press(pilot, {"toggle_pause": "space", "step": "full_stop"}[argument])
        if argument == "toggle_pause":
            await press(pilot, "space")  # pause again: the test steps the day by hand
    elif kind in ("ticket_on", "ticket_off"):
        await flip_row(pilot, argument)
    elif kind == "all_accounts_ticketed":
        for account in [r for r in screen(app).query_one(TicketBoard).rows if len(r) == 1]:
            await flip_row(pilot, account)
    elif kind == "scope":
        await flip_row(pilot, "scope")
    elif kind == "order":
        await flip_row(pilot, "order")
    elif kind == "mode":
        await press(pilot, "m")
    elif kind == "clerk_recovered":
        await press(pilot, "k")
    await press(pilot, "escape") if screen(app).focused is not None else None
    for _ in range(MOST_TICKS):
        await settle(pilot)
        current = screen(app).tutorial
        if current.position != position or current.finished:
            return
        await press(pilot, "full_stop")
    raise AssertionError(f"{position} did not complete")


async def test_the_whole_tutorial_played_with_the_keys(bankgame_home: Path) -> None:
    store = open_store()
    app = tutorial_app(store)
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen(app).tutorial.position == "one-cashier/doors"
        assert "-tutorial-target" in screen(app).query_one("#queue").classes
        while not screen(app).tutorial.finished:
            position = screen(app).tutorial.position
            seen.append(position)
            panel = screen(app).query_one(TutorialPanel)
            assert screen(app).tutorial.step.text[:30] in str(panel.render())
            await do_step(pilot)
        await settle(pilot)
        assert screen(app).tutorial.status == "done"
        assert "Tutorial complete" in str(screen(app).query_one(TutorialPanel).render())
    assert len(seen) == sum(len(c.steps) for c in screen_chapters())
    with open_store() as saved:  # the app closed its store on the way out
        assert saved.tutorial() == TutorialState("", "done")
        assert saved.history() == []  # tutorial days are not recorded as levels played


def screen_chapters():
    from bankgame.tutorial import load_tutorial

    return load_tutorial()


async def test_it_resumes_in_the_app_where_it_was_left(bankgame_home: Path) -> None:
    store = open_store()
    store.set_tutorial("transfers/order")
    app = tutorial_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen(app).tutorial.position == "transfers/deadlock"
        assert screen(app).branch.day.transfer == 3.0
        assert "-tutorial-target" in screen(app).query_one("#deadlocks").classes
        await press(pilot, "x")
        await settle(pilot)
        assert screen(app).tutorial.status == "skipped"
    with open_store() as saved:
        assert saved.tutorial().status == "skipped"


async def test_every_highlight_names_a_widget_on_the_screen() -> None:
    for chapter in screen_chapters():
        store = Store.memory()
        store.set_tutorial(f"{chapter.id}/{chapter.steps[0].id}")
        app = BankApp(start="tutorial", backend="inline", store=store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert screen(app).query_one(f"#{chapter.steps[0].highlight}").has_class("-tutorial-target")
            for step in chapter.steps:
                assert len(screen(app).query(f"#{step.highlight}")) == 1, (chapter.id, step.id, step.highlight)


async def test_a_chapter_day_that_ends_opens_again_without_results() -> None:
    from bankgame.tutorial import Chapter, Step, Tutorial

    chapter = Chapter("short", "Short", (Step("wait", "Wait for a deadlock that never comes.", "deadlock", "desks"),),
                      day={"customers": 2, "cashiers": 1})
    tutorial = Tutorial([chapter])
    app = BankApp(start="tutorial", backend="inline", store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.switch_screen(TutorialScreen(tutorial, chapter_day(tutorial, "inline")))
        await settle(pilot)
        first = screen(app).branch
        for _ in range(100):
            if screen(app).branch is not first:
                break
            await press(pilot, "full_stop")
        await settle(pilot)
        assert first.over and screen(app).branch is not first and not screen(app).branch.over
        assert all(isinstance(s, TutorialScreen) or type(s).__name__ in ("Screen", "TitleScreen") for s in app.screen_stack)


async def test_the_hint_shows_once_the_player_has_been_stuck_a_while() -> None:
    app = tutorial_app(Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tutorial_screen = screen(app)
        step = tutorial_screen.tutorial.step
        panel = tutorial_screen.query_one(TutorialPanel)
        assert step.hint not in str(panel.render())
        tutorial_screen._step_started -= step.hint_after + 1  # as if the player had been stuck that long
        tutorial_screen._show_step()
        await settle(pilot)
        assert step.hint in str(panel.render()) and "n: move on anyway" in str(panel.render())
        await press(pilot, "n")  # a stuck player may go on once the hint is shown
        assert tutorial_screen.tutorial.position == "one-cashier/program"
        await press(pilot, "n")  # but not before
        assert tutorial_screen.tutorial.position == "one-cashier/program"


async def test_a_tutorial_without_real_processes_says_it_plays_in_process(monkeypatch) -> None:
    import bankgame.screens.tutorial as tutorial_screen

    real_open_day = tutorial_screen.open_day

    def open_day(level, seed, day, backend):
        if backend == "process":
            raise OSError("no processes here")
        return real_open_day(level, seed, day, backend)

    monkeypatch.setattr(tutorial_screen, "open_day", open_day)

    app = BankApp(start="tutorial", backend="process", store=Store.memory())
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()  # real processes are tried off the UI thread
        await pilot.pause()
        assert app.backend_name == "inline"
        assert screen(app).branch.backend.name == "inline"
        notices = [n.message for n in app._notifications]
        assert any("in-process backend" in text and "no processes here" in text for text in notices), notices
