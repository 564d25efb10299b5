"""What a new player tripped on, each pinned: crashes, dead ends, words, layouts."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.command import CommandList

from branch_support import branch_app, branch_screen, run_until


def send_keys(app: Any, *keys: str) -> None:
    """Queue ``keys`` the way the terminal driver does: no waiting between them."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


# ------------------------------------------------------------- the palette
async def test_page_keys_while_the_palette_opens_do_not_crash() -> None:
    app = branch_app()
    async with app.run_test(size=(100, 30)) as pilot:
        # Without the guard the second opening raises (measured: 8 runs of 8 by the second,
        # one by the first); five give the race room on a busy machine.
        for _ in range(5):
            send_keys(app, "ctrl+p", "pagedown", "pageup", "pagedown")
            await pilot.pause()
            await pilot.press("escape")
        # Once the list is laid out, the page keys page as Textual's do.
        await pilot.press("ctrl+p")
        commands = app.screen.query_one(CommandList)
        for _ in range(100):
            if commands.option_count and commands.highlighted in commands._index_to_line:
                break
            await pilot.pause()
        await pilot.press("pagedown", "pageup")
        assert commands.highlighted == 0
        assert app._exception is None
        assert app.is_running


# ------------------------------------------------------- the sandbox's day
def sandbox_app(**options: Any) -> Any:
    from bankgame.app import BankApp
    from bankgame.store import Store

    app = BankApp(start="sandbox", options={"customers": 3, **options}, backend="inline", paused=True,
                  store=Store.memory())
    app.animation_level = "none"
    return app


async def end_the_day(pilot: Any) -> None:
    screen = branch_screen(pilot.app)
    while not screen.branch.over:
        screen.advance(20)
    await pilot.pause()
    await pilot.pause()


async def test_leaving_a_sandbox_day_s_results_lands_on_the_title_not_a_blank_screen() -> None:
    from textual.widgets import Footer

    from bankgame.screens.results import ResultsScreen
    from bankgame.screens.title import TitleScreen

    for key in ("l", "escape"):
        app = sandbox_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await end_the_day(pilot)
            assert isinstance(app.screen, ResultsScreen)
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, TitleScreen), (key, app.screen_stack)
            assert app.screen.query(Footer), "the title keeps its footer"
            # and the title works: escape there is not a dead end either
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen_stack and app._exception is None


async def test_a_sandbox_day_offers_no_next_level_and_goes_back_to_the_title() -> None:
    from textual.widgets import Button

    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await end_the_day(pilot)
        screen = app.screen
        ids = [button.id for button in screen.query(Button)]
        assert "next" not in ids
        assert str(screen.query_one("#levels", Button).label) == "Title"
        keys = {active.binding.key for active in app.active_bindings.values() if active.binding.show}
        assert "n" not in keys and "r" in keys
        descriptions = {active.binding.description for active in app.active_bindings.values() if active.binding.show}
        assert "Title" in descriptions and "Levels" not in descriptions


def test_the_sandbox_day_lasts_minutes_not_seconds() -> None:
    from bankgame.day import open_day

    _, branch = open_day("sandbox", 1, None, "inline")
    with branch:
        branch.run()
        # 10 ticks a second at 1×: two minutes at least.
        assert branch.tick >= 1200


# ------------------------------------------------- escape, settings and "s"
async def test_escape_racing_settings_done_pauses_the_day_instead_of_closing_it() -> None:
    from textual.widgets import Button

    from bankgame.screens.settings import SettingsScreen

    app = branch_app(ticks=5)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = branch_screen(app)
        await pilot.press("o")
        assert isinstance(app.screen, SettingsScreen)
        app.screen.query_one("#settings-done", Button).press()
        send_keys(app, "escape")  # meant for the settings, arrives once they are gone
        await pilot.pause()
        await pilot.pause()
        assert app.screen is screen and app.branch is screen.branch, "the day is still there"
        assert screen.paused and "escape again leaves" in screen.note
        await pilot.press("space")  # playing on forgets the pending leave
        assert not screen.paused and screen.note == ""
        left: list[object] = []
        app.leave_branch = left.append  # type: ignore[method-assign]
        await pilot.press("escape")
        assert left == [] and screen.paused
        await pilot.press("escape")
        assert left == [screen], "the second escape leaves a day under way"


async def test_a_modal_dismissed_twice_closes_only_itself() -> None:
    from bankgame.screens.help import HelpScreen

    app = branch_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = branch_screen(app)
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        help_screen.dismiss()
        help_screen.dismiss()
        await pilot.pause()
        assert app.screen is screen


async def test_s_on_the_day_does_not_open_settings_but_o_does_and_says_so() -> None:
    from textual.widgets import Footer

    from bankgame.screens.settings import SettingsScreen

    app = branch_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = branch_screen(app)
        theme = app.theme
        await pilot.press("s", "right", "enter", "s")
        assert app.screen is screen and app.theme == theme
        shown = {active.binding.key: active.binding.description for active in app.active_bindings.values()
                 if active.binding.show}
        assert shown.get("o") == "Settings"
        assert screen.query(Footer)
        await pilot.press("o")
        assert isinstance(app.screen, SettingsScreen)


async def test_retry_then_a_habitual_s_does_not_change_the_theme() -> None:
    from bankgame.app import BankApp
    from bankgame.screens.branch import BranchScreen
    from bankgame.store import Store

    app = BankApp(level="rush-hour", seed=5, backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        theme = app.theme
        app.branch.run()
        app.show_results(app.screen.level, app.branch, app.screen.origin)
        await pilot.pause()
        await pilot.press("r")  # Retry skips the briefing: the day is on screen at once
        await pilot.pause()
        assert isinstance(app.screen, BranchScreen)
        await pilot.press("s", "right", "right", "enter", "escape")  # "s" to start, as on the briefing
        await pilot.pause()
        assert app.theme == theme


async def test_the_status_bar_keeps_a_pending_switch_whole_at_120_and_80_columns() -> None:
    from bankgame.widgets.status_bar import StatusBar

    for width in (120, 100, 80):
        app = branch_app(ticks=3)
        async with app.run_test(size=(width, 36)) as pilot:
            screen = branch_screen(app)
            app.branch.switch_mode()
            assert app.branch.pending_mode == "message"
            screen.refresh_view()
            await pilot.pause()
            bar = screen.query_one(StatusBar)
            line = bar.render()
            assert line.cell_len <= bar.size.width, (width, line.plain)
            assert "→ message" in line.plain and "…" not in line.plain


# ------------------------------------------------------------------ signs
def finished_day(level: str, seed: int, options: dict[str, Any] | None = None) -> Any:
    from bankgame.day import open_day

    _, branch = open_day(level, seed, options, "inline")
    branch.run()
    branch.close()
    return branch


def no_signed_amounts(text: str) -> bool:
    """Whether no amount in ``text`` carries a sign: "$9 lost", never "−$9 lost" or "+$9"."""
    import re

    return re.search(r"[-−+]\s?\$", text) is None


def test_lost_and_created_are_said_with_positive_amounts_everywhere() -> None:
    from bankgame.screens.results import error_sentence
    from bankgame.screens.timeline import numbers_line
    from bankgame.widgets.integrity_panel import error_explanation, error_line
    from bankgame.widgets.text import CREATED_WHY
    from bankgame.widgets.timeline import culprit_step

    branch = finished_day("sandbox", 1)
    lost = [e for e in branch.errors if e.kind == "lost_update" and e.actual < e.expected]
    made = [e for e in branch.errors if e.kind == "lost_update" and e.actual > e.expected]
    audit = [e for e in branch.errors if e.kind == "audit"]
    assert lost and made and audit
    for error in (lost[0], made[0], audit[0]):
        word = "created" if error.actual > error.expected else "lost"
        for text in (error_line(error), error_sentence(error), numbers_line(error)):
            assert word in text and no_signed_amounts(text), text
            assert "vanished" not in text
        culprit = culprit_step(error)
        if culprit is not None:
            assert word in culprit[2] and no_signed_amounts(culprit[2]), culprit
    # Created money is explained where it is shown.
    assert CREATED_WHY in error_explanation(made[0])
    assert CREATED_WHY not in error_explanation(lost[0])


def test_an_overdraft_says_how_far_below_zero_not_an_expected_balance() -> None:
    from bankgame.screens.timeline import numbers_line
    from bankgame.widgets.integrity_panel import error_line

    branch = finished_day("check-then-withdraw", 1)
    overdrafts = [e for e in branch.errors if e.kind == "overdraft"]
    second = next(e for e in overdrafts if e.expected < 0)  # written over a balance already below zero
    for error in (overdrafts[0], second):
        text = numbers_line(error)
        assert "expected" not in text and "below zero" in text, text
        assert "below zero" in error_line(error) and no_signed_amounts(error_line(error))


def test_a_timeline_shows_only_the_two_transactions_with_what_each_read_and_wrote() -> None:
    from bankgame.widgets.timeline import Timeline, interleaving

    branch = finished_day("rush-hour", 1, {"tickets": "none"})
    for error in [e for e in branch.errors if e.kind == "lost_update"][:20]:
        timeline = Timeline(interleaving(error))
        assert set(timeline.columns) == set(error.cashiers) and len(error.cashiers) == 2
        rows = timeline.rows()
        lines = [line for _, cells, _ in rows for line in cells.values()]
        # One deposit each: one read and one write of the account per cashier, with the values.
        for name in error.cashiers:
            own = [cells[name] for _, cells, _ in rows if name in cells]
            assert sum(f"read {error.account} = $" in line for line in own) == 1, own
            assert sum(f"write {error.account} = r = $" in line for line in own) == 1, own
        assert all("$" in line for line in lines if "read" in line or "write" in line)


async def test_the_results_explain_created_money_once() -> None:
    from textual.widgets import Static

    from bankgame.app import BankApp
    from bankgame.screens.results import CREATED_OTHERS
    from bankgame.store import Store
    from bankgame.widgets.text import CREATED_WHY

    app = BankApp(start="sandbox", seed=1, backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.branch.run()
        app.show_results(app.screen.level, app.branch, app.screen.origin)
        await pilot.pause()
        wrong = str(app.screen.query_one("#results-wrong", Static).render())
        summary = str(app.screen.query_one("#results-summary", Static).render())
        assert wrong.count(CREATED_WHY) == 1
        # The sentence above it tells the worst error: if that one lost money, the why is said of the others.
        worst = app.screen.worst
        assert (CREATED_OTHERS in wrong) == (worst.actual < worst.expected), (worst, wrong)
        assert no_signed_amounts(wrong) and no_signed_amounts(summary) and "audit: $" in summary


# --------------------------------------------------------------- tutorial
def tutorial_at(chapter_id: str) -> Any:
    from bankgame.tutorial import Tutorial, load_tutorial

    tutorial = Tutorial(load_tutorial())
    while tutorial.chapter.id != chapter_id:
        tutorial.move_on()
    return tutorial


async def test_the_tutorial_stops_on_the_first_lost_update_and_i_opens_that_one() -> None:
    from bankgame.app import BankApp
    from bankgame.screens.timeline import TimelineScreen
    from bankgame.screens.tutorial import TutorialScreen, chapter_day
    from bankgame.store import Store

    app = BankApp(backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        tutorial = tutorial_at("rush-hour")
        app.push_screen(TutorialScreen(tutorial, chapter_day(tutorial, "inline"), speed=8.0))
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")  # let the lunch rush run, fast
        for _ in range(400):
            if screen.branch.errors:
                break
            screen.advance(8)  # several ticks per frame, as 8× does
        await pilot.pause()
        errors = list(screen.branch.errors)
        assert screen.paused, "the day stops on the error"
        assert len({error.tick for error in errors}) == 1, "no cascade piles up after the first"
        assert tutorial.step.id == "lost"
        await pilot.press("i", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        assert app.screen.error is screen.branch.errors[0]


async def test_chapter_one_lets_the_player_watch_and_the_queue_is_there_to_see() -> None:
    from bankgame.app import BankApp
    from bankgame.screens.tutorial import TutorialScreen, chapter_day
    from bankgame.store import Store

    app = BankApp(backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        tutorial = tutorial_at("one-cashier")
        app.push_screen(TutorialScreen(tutorial, chapter_day(tutorial, "inline")))
        await pilot.pause()
        screen = app.screen
        await pilot.press("space")
        assert tutorial.step.id == "program"
        while tutorial.step.id == "program":
            screen.advance(1)
        # 10 ticks a second at 1×: the "watch her serve" step lasts seconds, not a blink.
        assert screen.branch.tick >= 30
        assert tutorial.step.highlight == "desks"
        await pilot.press("full_stop")
        assert tutorial.step.id == "safe" and tutorial.step.highlight == "queue"
        assert len(screen.branch.queue) >= 5, "the queue the step points at is not empty"


async def test_no_lesson_code_reaches_the_player() -> None:
    import re

    from bankgame.app import BankApp
    from bankgame.screens.tutorial import TutorialScreen, chapter_day
    from bankgame.store import Store
    from bankgame.widgets.tutorial_panel import TutorialPanel

    code = re.compile(r"\bL\d+\b")
    app = BankApp(level="rush-hour", seed=5, backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.branch.run()
        app.show_results(app.screen.level, app.branch, app.screen.origin)
        await pilot.pause()
        texts = [str(widget.render()) for widget in app.screen.query("Static")]
        app.push_screen(TutorialScreen(rush := tutorial_at("rush-hour"), chapter_day(rush, "inline")))
        await pilot.pause()
        panel = app.screen.query_one(TutorialPanel)
        texts += [str(panel.border_title), panel.render().plain]
        from bankgame.campaign import lesson_titles
        from bankgame.engine import load_level

        texts.append(lesson_titles(load_level("vault")))
        assert not [text for text in texts if code.search(text)]


async def test_escape_after_the_tutorial_opens_the_campaign() -> None:
    from bankgame.app import BankApp
    from bankgame.screens.level_select import LevelSelectScreen
    from bankgame.screens.tutorial import TutorialScreen, chapter_day
    from bankgame.store import Store

    app = BankApp(backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        tutorial = tutorial_at("messages")
        while not tutorial.finished:
            tutorial.move_on()
        assert tutorial.status == "done"
        app.push_screen(TutorialScreen(tutorial, chapter_day(tutorial, "inline")))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LevelSelectScreen)


# ----------------------------------------------------------------- toasts
async def test_ticket_changes_make_no_pile_of_toasts_and_toasts_stay_off_the_side_column() -> None:
    from textual.widgets._toast import Toast

    from bankgame.widgets.ticket_board import TicketBoard

    app = branch_app(ticks=2)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = branch_screen(app)
        app.clear_notifications()
        await pilot.press("t")
        board = screen.query_one(TicketBoard)
        for _ in range(10):  # the vault's ticket on and off, five times
            await pilot.press("enter")
        await pilot.pause()
        assert not screen.branch.has_ticket("vault")
        assert len(app._notifications) == 0, [n.message for n in app._notifications]
        assert "ticket" in screen.note and "from the next customer" in screen.note
        # A toast that does come (the first lost update) sits over the desks, not the side column.
        await pilot.press("escape")
        await pilot.press("space")
        for _ in range(200):
            if screen.branch.errors:
                break
            screen.advance(1)
        await pilot.pause(0.2)
        toasts = list(screen.query(Toast))
        assert toasts
        # Short, over the desks: what went wrong and where to see why (the why is on the timeline).
        (first,) = [n for n in app._notifications if n.title.startswith("✗")]
        assert first.message == screen.branch.errors[0].explanation + "\ni, enter: its steps one by one, and why."
        assert all(toast.region.height <= 6 for toast in toasts), [toast.region for toast in toasts]
        side = screen.query_one("#side").region
        assert board.region.x >= side.x
        for toast in toasts:
            assert not toast.region.overlaps(side), (toast.region, side)
        # a passing note goes after a few seconds of the day
        screen.advance(60)
        assert "ticket" not in screen.note


async def test_the_results_screen_carries_no_toast_from_the_day() -> None:
    from bankgame.screens.results import ResultsScreen

    app = branch_app("rush-hour", seed=1, options={"tickets": "none", "customers": 30})
    async with app.run_test(size=(120, 36)) as pilot:
        screen = branch_screen(app)
        screen.paused = False
        while not screen.branch.over:
            screen.advance(5)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert not [n for n in app._notifications if "Integrity panel" in n.message]
        assert not any("Integrity" in n.title for n in app._notifications)


# --------------------------------------------------- one consistent tick
async def test_a_desk_and_the_board_agree_on_a_ticket_every_tick() -> None:
    from bankgame.widgets.desk_card import DeskCard
    from bankgame.widgets.ticket_board import TicketBoard

    app = branch_app("sandbox", seed=2, options={"tickets": "accounts", "accounts": 2, "cashiers": 4})
    async with app.run_test(size=(120, 36)) as pilot:
        screen = branch_screen(app)
        board = screen.query_one(TicketBoard)
        cards = list(screen.query(DeskCard))
        given_back_while_waiting = 0
        for _ in range(300):
            screen.advance(1)
            branch = screen.branch
            for card in cards:
                desk = branch.desks[card.index]
                if not desk.waiting_for or desk.waiting_for == "reply":
                    continue
                row = board._row_text(desk.waiting_for, 60).plain
                holder = branch.ticket_holder.get(desk.waiting_for, -1)
                if holder >= 0:
                    assert f"held by {branch.desks[holder].name}" in card.status()
                    assert branch.desks[holder].name in row, row
                else:
                    given_back_while_waiting += 1
                    assert "is free: taking it next" in card.status(), card.status()
                    assert "free ·" in row and "next" in row, row
        await pilot.pause()
        assert given_back_while_waiting, "the moment the two used to disagree did come"


# ----------------------------------------------------------------- layout
async def test_the_too_small_message_fits_a_60x18_terminal_whole() -> None:
    from bankgame.screens.too_small import TooSmallScreen

    app = branch_app()
    async with app.run_test(size=(60, 18)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        box = app.screen.query_one("#too-small-text").region
        assert box.x >= 0 and box.right <= 60 and box.bottom <= 18, box


async def test_desk_cards_stay_program_sized_on_a_200x50_terminal() -> None:
    from bankgame.screens.branch import DESK_ROWS
    from bankgame.widgets.desk_card import DeskCard

    app = branch_app(ticks=3)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        await pilot.pause()
        cards = list(branch_screen(app).query(DeskCard))
        assert all(card.size.height + 2 <= DESK_ROWS for card in cards), [card.size for card in cards]
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        await pilot.pause()
        assert all(card.size.height >= 6 for card in cards), [card.size for card in cards]


async def test_the_footer_at_80_columns_has_every_day_key_and_a_whole_palette_key() -> None:
    from textual.widgets import Footer

    app = branch_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = branch_screen(app)
        footer = screen.query_one(Footer)
        keys = [widget for widget in footer.query("FooterKey")]
        palette = [key for key in keys if key.has_class("-command-palette")]
        others = [key for key in keys if not key.has_class("-command-palette")]
        assert palette and palette[0].region.right <= 80
        assert all(key.region.right <= palette[0].region.x for key in others), "nothing runs under the palette key"
        described = {key.description for key in others}
        assert {"Pause", "Step", "Mode", "Tickets", "Settings", "Help"} <= described


async def test_the_tutorial_brings_the_widget_it_points_at_into_view_at_80x24() -> None:
    from bankgame.app import BankApp
    from bankgame.screens.tutorial import TutorialScreen, chapter_day
    from bankgame.store import Store

    app = BankApp(backend="inline", paused=True, store=Store.memory())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(TutorialScreen(rush := tutorial_at("rush-hour"), chapter_day(rush, "inline")))
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen.tutorial.step.highlight == "integrity"
        side = screen.query_one("#side")
        panel = screen.query_one("#integrity")
        assert side.region.contains_region(panel.region) or panel.region.intersection(side.region).height >= 3


def test_borders_are_drawn_in_a_colour_that_reads_on_light_themes() -> None:
    from bankgame.paths import assets_dir

    styles = "\n".join(path.read_text() for path in (assets_dir() / "styles").glob("*.tcss"))
    assert "$panel-lighten-2" not in styles


async def test_i_then_enter_typed_together_open_the_timeline() -> None:
    from bankgame.screens.timeline import TimelineScreen

    app = branch_app("rush-hour", seed=1, options={"tickets": "none"})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = branch_screen(app)
        run_until(screen.branch, lambda branch: branch.errors)
        screen.refresh_view()
        send_keys(app, "i", "enter")  # as a terminal delivers them: no pause between
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)


async def test_a_sandbox_day_s_results_have_no_empty_debrief() -> None:
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await end_the_day(pilot)
        assert not app.screen.query("#results-debrief")


async def test_the_stats_keep_served_and_left_apart() -> None:
    from bankgame.widgets.stats_panel import StatsPanel

    app = branch_app(ticks=3)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = branch_screen(app)
        screen.branch.served, screen.branch.left = 80, 32
        panel = screen.query_one(StatsPanel)
        panel.refresh()
        await pilot.pause()
        text = panel.render().plain
        assert "80 · 32 left" in text and "8032" not in text, text
