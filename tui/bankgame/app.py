"""The App: the one way to every screen, bindings, themes, the command palette.

Screens reach the app through ``self.app`` (typed ``BankApp``, see
``screens/bank_screen.py``) and move between each other through its methods:

- ``open_level(level_id, seed=None, options=None)`` opens a day of a level on
  the branch screen, replacing any day being played (a level whose scheduler
  is the player, Break the Bank, opens the Puzzle Book); ``open_sandbox``,
  ``open_level_file``, ``open_replay`` and ``open_tutorial`` likewise;
- ``show_title()``, ``show_levels()``, ``open_briefing(level)``,
  ``open_lab()``, ``unwind_to_menu()``; ``action_settings()`` and ``action_help()``;
- the day's end calls ``show_results(level, branch)``: it records the day and
  pushes the results screen.

``app.branch`` is the day being played (or ``None``); ``app.store`` the saved
progress and settings; ``app.speed`` the speed a day starts at;
``app.backend_name`` ``process`` or ``inline``.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.driver import Driver
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import get_current_worker

from .constants import SPEEDS, BackendName, Start
from .paths import assets_dir
from .screens.title import TitleScreen
from .screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen
from .store import Store, data_folder, open_store

if TYPE_CHECKING:
    from .campaign import Progress
    from .day import DayOrigin, Started
    from .engine import Branch, Level, LevelError
    from .engine.fixits import FixIt, Programs
    from .engine.rewind import Action
    from .replays import Replay
    from .screens.lab import LabRunner
    from .screens.settings import Settings
    from .tutorial import Tutorial

# Start-up time: the title is imported here; every other screen, and the engine,
# the campaign and the day's opening (the engine and the workers under them),
# where they are first used, so that the title's first frame does not wait for
# their modules (tests/test_start_up.py says which stay unimported).

DayOpener = Callable[[BackendName], "tuple[Level, Branch]"]
"""Opens a day on the backend named: ``open_day`` with a level's id, seed and options bound."""
DayShower = Callable[["Level", "Branch"], None]
"""Shows a day just opened (on the UI thread): the branch screen, or the tutorial's."""

HIGH_CONTRAST = Theme(
    name="high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ff66ff",
    warning="#ffaf00",
    error="#ff5f5f",
    success="#00ff5f",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#202020",
    boost="#303030",
    dark=True,
)



def _stylesheets() -> list[str]:
    # The app's own look (modals, the too-small notice, the footer), and the
    # title's: the title is the default screen, whose CSS_PATH Textual does not
    # read. Every other screen loads its own file through its CSS_PATH, once,
    # when it is first shown (a file already read is not read again).
    styles = assets_dir() / "styles"
    return [str(styles / "app.tcss"), str(styles / "title.tcss")]


class BankApp(App[None]):
    """The game.

    Args:
        start: the first screen: ``title``, ``levels``, ``tutorial``,
            ``sandbox`` or ``level`` (with ``level``).
        level: a level id to open straight away.
        seed: the seed for that level.
        options: day options (``DayConfig`` fields) for that level.
        backend: ``process`` (real worker processes; falls back to ``inline``
            with a notice when unavailable) or ``inline``.
        day: a ``(Level, Branch)`` handed in by a test; played as is.
        paused: start days paused (tests step them by hand).
        handle_signals: exit cleanly on SIGTERM and SIGHUP (the command line).
        store: saved progress and settings (``bankgame.store``); opened from
            ``BANKGAME_HOME`` or the user data folder when not given.
        notice: a sentence to show the player once the app is up.
        level_file: a teacher's own level file to open straight away.
        unlock_all: open every campaign level (also a setting).
        replay: a ``replays.Replay`` to open on the branch screen, paused at tick 0.
        replay_file: the file that replay was read from (a level file is looked for beside it).
        lab_runner: what the Lab runs (``bankgame.workers.run_lab`` by default; tests pass a fake).
    """

    TITLE = "bankgame"
    SUB_TITLE = "a bank branch that teaches concurrency"
    CSS_PATH = _stylesheets()  # type: ignore[assignment]  # a list of str is a list of str | PurePath
    BINDINGS = [
        # Not in the footer (80 columns hold a day's keys); the title's menu, help and the palette say it.
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        # "o" as on the title: "s" starts a day on the briefing, so a habit of "s" must not open settings on the day.
        Binding("o", "settings", "Settings"),
        Binding("ctrl+s", "picture", "Picture", show=False),
    ]

    def __init__(
        self,
        start: Start = "title",
        *,
        level: str | None = None,
        seed: int | None = None,
        options: dict[str, Any] | None = None,
        backend: BackendName = "process",
        day: tuple[Level, Branch] | None = None,
        paused: bool = False,
        handle_signals: bool = False,
        store: Store | None = None,
        notice: str = "",
        level_file: str | None = None,
        unlock_all: bool = False,
        replay: Replay | None = None,
        replay_file: str = "",
        lab_runner: LabRunner | None = None,
    ) -> None:
        super().__init__()
        self.start = start
        self.start_level = level
        self.start_seed = seed
        self.start_options = options
        self.backend_name: BackendName = backend
        self.handed_day = day
        self.start_paused = paused
        self.handle_signals = handle_signals
        self.speed = 1.0
        """Speed a new day starts at."""
        self.branch: Branch | None = None
        """The day being played."""
        self._branches: list[Branch] = []
        self.register_theme(HIGH_CONTRAST)
        self._store = store
        self.notice = notice
        """A sentence to show the player once the app is up."""
        self.network: dict[str, Any] = {}
        """``remote`` and ``authkey_file`` for a level with a second branch."""
        self.start_level_file = level_file
        self.start_replay: tuple[Replay, str] | None = (replay, replay_file) if replay is not None else None
        self.unlock_all_flag = unlock_all
        """``--unlock-all``: every campaign level open for this run, whatever the setting."""
        self.level_files: dict[str, str] = {}
        """Level id → the level file it was opened from (Retry reopens the file)."""
        self.code_days: dict[str, tuple[FixIt, Programs]] = {}
        """Level id of a day on the player's code → the fix-it and its programs (Retry runs them again)."""
        self._pictures = 0
        self.lab_runner = lab_runner
        """What the Lab runs (``None``: the real one)."""

    @property
    def unlock_all(self) -> bool:
        """Whether every campaign level is open (``--unlock-all`` or the setting)."""
        if self.unlock_all_flag:
            return True
        try:
            return bool(self.store.settings().get("unlock_all", False))
        except Exception:  # noqa: BLE001 - a save that cannot be read locks nothing more
            return False

    @property
    def store(self) -> Store:
        """The saved progress and settings (opened from ``BANKGAME_HOME`` or the data folder when not given)."""
        if self._store is None:
            self._store = open_store()
        return self._store

    def _load_settings(self) -> None:
        self.store.on_problem = self._save_problem
        if self.store.notice:
            self.notify(self.store.notice, title="Saved progress", severity="warning", timeout=10)
        settings = self.store.settings()
        # Setting the theme restyles every widget: only when it changes.
        if settings.get("theme") in self.available_themes and settings["theme"] != self.theme:
            self.theme = settings["theme"]
        speed = settings.get("speed", 1.0)
        self.speed = speed if speed in SPEEDS else 1.0
        if not settings.get("animations", True):
            self.animation_level = "none"

    def _save_problem(self, sentence: str) -> None:
        """A change was not saved: say why; the game plays on."""
        self.notify(sentence, title="Saved progress", severity="warning", timeout=8)

    # ------------------------------------------------------------- start-up
    def get_driver_class(self) -> type[Driver]:
        # A closed terminal must end the game, not hang it (see terminal.py).
        driver_class = super().get_driver_class()
        if driver_class.__module__ == "textual.drivers.linux_driver" and driver_class.__name__ == "LinuxDriver":
            # Imported here: it needs termios (Linux and macOS only).
            from .terminal import TerminalDriver

            return TerminalDriver
        return driver_class

    def get_default_screen(self) -> Screen:
        # The title is the bottom screen itself (one screen less to build before the first frame).
        straight_in = (self.handed_day is not None or self.start_level is not None or self.start_level_file
                       or self.start_replay)
        return TitleScreen() if self.start == "title" and not straight_in else super().get_default_screen()

    def on_mount(self) -> None:
        self._load_settings()
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(signum, self.exit)
        if self.handed_day is not None:
            from .day import DayOrigin

            level, branch = self.handed_day
            self._play(level, branch, DayOrigin(level.id, branch.seed))
        elif self.start_replay is not None:
            self.open_replay(*self.start_replay)
        elif self.start_level_file is not None:
            self.open_level_file(self.start_level_file, self.start_seed, self.start_options)
        elif self.start_level is not None or self.start in ("sandbox", "level"):
            self.open_level(self.start_level or "sandbox", self.start_seed, self.start_options)
        elif self.start == "tutorial":
            self.push_screen(TitleScreen())
            self.open_tutorial()
        elif self.start == "levels":
            self.show_levels()
        # else: the title is the default screen
        self._check_size()
        if self.notice:
            self.notify(self.notice, title="bankgame", severity="warning", timeout=8)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent)) and not self.screen_stack:
            return  # quitting: the screens are gone, input still queued has nowhere to go
        await super().on_event(event)
        # The App's own resize handler stops the event, so watch for it here.
        if isinstance(event, events.Resize):
            self.call_later(self._check_size)

    def _check_size(self) -> None:
        width, height = self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        if small and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen())
        elif not small:
            while isinstance(self.screen, TooSmallScreen):
                self.pop_screen()

    # -------------------------------------------------------------- screens
    def pop_screen(self) -> AwaitComplete:
        """Pop the current screen; closing the only screen left stays put instead of failing.

        Keys typed faster than the screens change can ask a screen that has
        just become the bottom one to close; there is nothing to go back to.
        """
        if len(self.screen_stack) <= 1:

            async def nothing() -> None:
                return None

            return AwaitComplete(nothing())
        popped = super().pop_screen()

        async def then_forget() -> None:
            await popped
            self.forget_closed_widgets()
            self.call_after_refresh(self.forget_closed_widgets)  # a Footer recomposed on resume

        return AwaitComplete(then_forget()).call_next(self)

    def forget_closed_widgets(self) -> None:
        """Let go of what Textual keeps of widgets that are gone (a screen was closed).

        Textual drops a closed widget's watcher only when the watched value
        changes, and the app's title or a Footer's ``compact`` never do: each
        Header and FooterKey ever mounted stayed reachable, with its render
        caches (about 190 KB each time the sandbox was opened and left). And
        ``StylesCache.get_inner_outer`` is an ``lru_cache`` keyed on the
        widget's styles cache, which kept up to 1,024 closed widgets' rendered
        lines; it is cheap to fill again.
        """
        from textual._styles_cache import StylesCache

        StylesCache.get_inner_outer.cache_clear()
        owners = [self, *(node for screen in self.screen_stack for node in screen.walk_children(with_self=True))]
        for owner in owners:
            watchers = owner.__dict__.get("__watchers")  # textual.reactive keeps them there
            for entries in (watchers or {}).values():
                entries[:] = [(node, callback) for node, callback in entries
                              if node is self or (not node._closing and not node._closed and node.is_attached)]

    # ------------------------------------------------------------ navigation
    def unwind_to_menu(self) -> Screen:
        """Pop screens (a finished day among them) until the title or the level select is on top.

        A game started straight into a day (``bankgame sandbox``) has no menu
        underneath: the title is put there, so that leaving never ends on a
        blank screen. Returns the screen left on top.
        """
        from .screens.level_select import LevelSelectScreen

        menus = (TitleScreen, LevelSelectScreen)
        stack = self.screen_stack
        keep = len(stack) - 1
        while keep > 0 and not isinstance(stack[keep], menus):
            keep -= 1
        for _ in range(len(stack) - 1 - keep):
            self.pop_screen()
        if isinstance(stack[keep], menus):
            return stack[keep]
        title = TitleScreen()
        self.push_screen(title)
        return title

    def show_levels(self, progress: Progress | None = None) -> None:
        """Bring the level select to the top, reusing the one on the stack if any."""
        from .screens.level_select import LevelSelectScreen

        top = self.unwind_to_menu()
        if isinstance(top, LevelSelectScreen):
            top.refresh_levels()
        else:
            self.push_screen(LevelSelectScreen(progress))

    def replace_with_title(self, progress: Progress | None = None) -> None:
        """Put the title in place of the screen on top (a menu with nothing under it goes back to the title)."""
        self.switch_screen(TitleScreen(progress))

    def open_briefing(self, level: Level, progress: Progress | None = None) -> None:
        """Show ``level``'s briefing over the screen on top."""
        from .screens.briefing import BriefingScreen

        self.push_screen(BriefingScreen(level, progress))

    def open_lab(self) -> None:
        """Open the Lab over the screen on top."""
        from .screens.lab import LabScreen

        self.push_screen(LabScreen())

    def open_level(self, level_id: str, seed: int | None = None, options: dict[str, Any] | None = None) -> bool:
        """Open a day of ``level_id`` on the branch screen, replacing the day being played.

        Returns:
            Whether the day opened (an unknown level or a bad option is a notice).
        """
        from .day import DayOrigin, open_day
        from .engine import LevelError, load_level, make_day

        if level_id in self.level_files:
            return self.open_level_file(self.level_files[level_id], seed, options)
        if level_id in self.code_days:
            return self.open_program_day(*self.code_days[level_id], seed=seed)
        try:
            level = load_level(level_id)
            make_day(options or {}, name="options", prefix="--", base=level.day)  # a bad option said before any process starts
        except KeyError:
            self.notify(f"There is no level {level_id!r}.", title="Cannot open", severity="error")
            return False
        except LevelError as error:
            self.notify(str(error), title="Cannot open", severity="error")
            return False
        if level.day.scheduler == "player":
            self.open_puzzle_book(level)
            return True
        origin = DayOrigin(level_id, seed, options)
        return self._open_day(origin, partial(open_day, level_id, seed, options, **self.network),
                              partial(self._play, origin=origin))

    def open_puzzle_book(self, level: Level) -> None:
        """Open the Puzzle Book, where the player is the scheduler (Break the Bank, or a level file like it)."""
        from .screens.puzzle_book import PuzzleBookScreen

        self.push_screen(PuzzleBookScreen(level))

    def open_sandbox(self, seed: int | None = None, options: dict[str, Any] | None = None) -> bool:
        """Open the sandbox with ``options`` (``DayConfig`` fields)."""
        return self.open_level("sandbox", seed, options)

    def open_level_file(self, path: str, seed: int | None = None, options: dict[str, Any] | None = None) -> bool:
        """Open a day of a teacher's own level file, replacing the day being played.

        Returns:
            Whether the day opened (a bad file names the file, the key and the reason in a notice).
        """
        from .day import DayOrigin, load_custom_level, open_file_day
        from .engine import LevelError, make_day

        try:
            level = load_custom_level(path)
            make_day(options or {}, name="options", prefix="--", base=level.day)
        except LevelError as error:
            self.notify(str(error), title="Cannot open the level file", severity="error", timeout=10)
            return False
        self.level_files[level.id] = path
        if level.day.scheduler == "player":
            self.open_puzzle_book(level)
            return True
        origin = DayOrigin(level.id, seed, options)
        return self._open_day(origin, partial(open_file_day, path, seed, options), partial(self._play, origin=origin),
                              title="Cannot open the level file")

    def open_program_day(self, fix: FixIt, programs: Programs, seed: int | None = None) -> bool:
        """Open a day at the branch where every desk runs its edited program of ``fix`` (Fix the Program's ``p``).

        Returns:
            Whether the day opened (code that cannot run a day is a notice that says why).
        """
        from .day import DayOrigin, day_backend
        from .engine import Branch
        from .engine.program_day import program_level

        try:
            level, code = program_level(fix, programs)
        except ValueError as error:
            self.notify(str(error), title="No day on this code", severity="warning", timeout=10)
            return False
        self.code_days[level.id] = (fix, programs)
        day_seed = level.seed if seed is None else seed

        def opener(backend: BackendName) -> tuple[Level, Branch]:
            return level, Branch(level.day, seed=day_seed, backend=day_backend(level.day, backend), code=code)

        origin = DayOrigin(level.id, day_seed)
        return self._open_day(origin, opener, partial(self._play, origin=origin), title="Cannot open the day")

    def open_replay(self, replay: Replay, file: str = "") -> bool:
        """Open a saved day on the branch screen, paused at tick 0; stepping forward replays its actions."""
        from .day import DayOrigin, day_backend
        from .engine import Branch
        from .replays import ReplayError, play_replay, replay_day

        try:
            level, day, source = replay_day(replay, file or "<replay>")
            # The scrubber spans the whole day: play it once, quickly, in this process.
            _, whole = play_replay(replay, "inline", file or "<replay>")
        except ReplayError as error:
            self.notify(str(error), title="Cannot open the replay", severity="error", timeout=10)
            return False
        if source:
            self.level_files[level.id] = source

        def opener(backend: BackendName) -> tuple[Level, Branch]:
            return level, Branch(day, seed=replay.seed, backend=day_backend(day, backend))

        origin = DayOrigin(level.id, replay.seed, replay.options or None)
        opened = self._open_day(origin, opener, partial(self._play, origin=origin, recorded=list(replay.actions),
                                                        end=whole.tick))
        if opened:
            self.notify(f"{Path(file).name or 'The replay'}: {level.title}, seed {replay.seed}, {len(replay.actions)} "
                        "action(s). Paused at tick 0: . steps forward, , steps back, g scrubs, space plays.",
                        title="Replay", timeout=8)
        return opened

    def _open_day(self, origin: DayOrigin, opener: DayOpener, show: DayShower, *, title: str = "Cannot open") -> bool:
        """Open a day with ``opener`` on the game's backend, then ``show`` it (in-process, said so, when real processes cannot start).

        In-process, the day opens at once. Real processes take a while to
        start (about 400 ms for a day's cashiers and clerks): they start in a
        thread worker, and the day's screen is pushed once they are up, the UI
        answering keys meanwhile. A day asked for while another is starting
        replaces it.

        Returns:
            Whether the day opened, or is opening (a bad level or option is a notice).
        """
        from .day import start_on
        from .engine import LevelError

        if self.backend_name == "inline":
            try:
                started = start_on(self.backend_name, opener)
            except (KeyError, LevelError) as error:
                self._not_opened(error, origin, title)
                return False
            self._started(started, show)
            return True
        self.run_worker(partial(self._start_day, self.backend_name, opener, show, origin, title),
                        name=f"open {origin.level_id}", group="open-day", thread=True, exclusive=True)
        return True

    def _start_day(self, backend: BackendName, opener: DayOpener, show: DayShower, origin: DayOrigin,
                   title: str) -> None:
        """Start a day's processes (in a thread worker), then hand the day to the UI thread."""
        from .day import start_on
        from .engine import LevelError

        try:
            started = start_on(backend, opener)
        except (KeyError, LevelError) as error:
            self.call_from_thread(self._not_opened, error, origin, title)
            return
        branch = started.value[1]
        if get_current_worker().is_cancelled:  # another day was asked for meanwhile
            branch.close()
            return
        try:
            self.call_from_thread(self._started, started, show)
        except RuntimeError:  # the game ended while the processes started: none may outlive it
            branch.close()

    def _not_opened(self, error: KeyError | LevelError, origin: DayOrigin, title: str) -> None:
        self.notify(f"There is no level {origin.level_id!r}." if isinstance(error, KeyError) else str(error),
                    title=title, severity="error", timeout=10)

    def _started(self, started: Started[tuple[Level, Branch]], show: DayShower) -> None:
        """Show a day just opened; say so when it plays in-process instead of on real processes."""
        if not self.is_running:  # the game is quitting as the day's processes came up: none may outlive it
            started.value[1].close()
            return
        if started.notice:
            self.backend_name = started.backend
            self.notify(started.notice, title="In-process backend", severity="warning", timeout=8)
        level, branch = started.value
        show(level, branch)

    def _play(self, level: Level, branch: Branch, origin: DayOrigin, recorded: list[Action] | None = None,
              end: int = 0) -> None:
        from .screens.branch import BranchScreen

        self._unwind_branch()
        self.close_branches()
        self.branch = branch
        self._branches.append(branch)
        # A level's day opens with its doors closed, so that a ticket can be in
        # place before the first customer: the first lost update comes within ticks.
        closed = bool(level.goals) and branch.tick == 0
        screen = BranchScreen(level, branch, paused=self.start_paused or closed or recorded is not None, speed=self.speed,
                              recorded=recorded, end=end, origin=origin)
        self.push_screen(screen)
        if closed and not self.start_paused and recorded is None:
            ready = "set your tickets, then " if branch.mode == "shared" else ""
            self.notify(f"The doors are closed: {ready}press space to open them.", title=level.title, timeout=6)

    def _unwind_branch(self) -> None:
        """Pop the day being played and whatever sits on it (results, a timeline...)."""
        from .screens.branch import BranchScreen

        stack = self.screen_stack
        for index, screen in enumerate(stack):
            if isinstance(screen, BranchScreen) and index > 0:
                for _ in range(len(stack) - index):
                    self.pop_screen()
                return

    def leave_branch(self, screen: Screen) -> None:
        """Leave the day on ``screen`` for the screen underneath, if there is one."""
        stack = self.screen_stack
        index = stack.index(screen) if screen in stack else 0
        if index > 1 or (index == 1 and stack[0].id != "_default"):
            self._unwind_branch()
            self.close_branches()
        else:
            self.notify("This is the only screen: ctrl+q quits.", title="bankgame", timeout=3)

    def show_results(self, level: Level, branch: Branch, origin: DayOrigin) -> None:
        """Record the day in the saved progress and show how it went on the results screen."""
        from .engine import make_report
        from .screens.results import ResultsScreen

        report = make_report(branch, level.id, level.goals)
        try:
            self.store.record_report(report, options=origin.options)
        except Exception as error:  # noqa: BLE001 - a save problem never ends the game
            self.notify(f"This day was not saved: {error}", title="Saved progress", severity="warning")
        self.push_screen(ResultsScreen(report, level, branch=branch, options=origin.options))

    def open_tutorial(self, tutorial: Tutorial | None = None, *, speed: float | None = None) -> None:
        """Start the guided tutorial where the player left it, or open ``tutorial``'s chapter in place of its screen.

        Args:
            tutorial: a tutorial under way, moved on to another chapter (or the same chapter again).
            speed: the speed its day runs at (the app's by default).
        """
        from .day import DayOrigin
        from .screens.tutorial import TutorialScreen, chapter_day, new_tutorial

        going = tutorial if tutorial is not None else new_tutorial(self.store)

        def show(level: Level, branch: Branch) -> None:
            screen = TutorialScreen(going, (level, branch), speed=self.speed if speed is None else speed)
            if tutorial is not None and isinstance(self.screen, TutorialScreen):
                self.switch_screen(screen)
            else:
                self.push_screen(screen)

        self._open_day(DayOrigin(going.chapter.level), partial(chapter_day, going), show)

    def release_branch(self, branch: Branch) -> None:
        """Close ``branch`` (its screen is gone): its worker processes stop now, not at exit."""
        if branch in self._branches:
            self._branches.remove(branch)
            branch.close()
        if self.branch is branch:
            self.branch = None

    def swap_branch(self, old: Branch, new: Branch) -> None:
        """Play ``new`` in place of ``old`` (a day rebuilt to step back; ``old`` is closed already)."""
        if old in self._branches:
            self._branches[self._branches.index(old)] = new
        else:
            self._branches.append(new)
        if self.branch is old:
            self.branch = new

    def save_replay(self, branch: Branch, level: Level, actions: list | None = None) -> Path | None:
        """Save ``branch``'s day as a replay file in the data folder; a notice names it.

        Returns:
            The file, or ``None`` when it could not be written (the notice says why).
        """
        from .replays import make_replay, write_replay

        path = data_folder() / "replays" / f"{level.id}-seed{branch.seed}-tick{branch.tick:04d}.toml"
        try:
            write_replay(path, make_replay(branch, level, self.level_files.get(level.id), actions))
        except (OSError, TypeError) as error:
            self.notify(f"The replay was not saved: {error}", title="Replay", severity="error")
            return None
        self.notify(f"Saved {path}\nPlay it again: bankgame replay {path}", title="Replay saved", timeout=8)
        return path

    def action_picture(self) -> None:
        """Save the screen as an SVG picture (for slides) in the data folder; a notice names it."""
        from .screens.branch import BranchScreen
        from .screens.results import ResultsScreen

        screen = self.screen
        if isinstance(screen, ResultsScreen):
            report = screen.report
            name = f"{screen.level.id}-seed{report.seed}-tick{report.ticks:04d}-results"
        elif isinstance(screen, BranchScreen):
            name = f"{screen.level.id}-seed{screen.branch.seed}-tick{screen.branch.tick:04d}"
        else:
            self._pictures += 1
            name = f"{type(screen).__name__.removesuffix('Screen').lower() or 'screen'}-{self._pictures}"
        folder = data_folder() / "pictures"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(f"{name}.svg", str(folder))
        except OSError as error:
            self.notify(f"The picture was not saved: {error}", title="Picture", severity="error")
            return
        self.notify(f"Saved {path}", title="Picture saved", timeout=6)

    def close_branches(self) -> None:
        """Close every day opened here (stops their worker processes)."""
        while self._branches:
            branch = self._branches.pop()
            branch.close()
        self.branch = None

    # -------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing opens over the small-terminal message but the way out.
        if isinstance(self.screen, TooSmallScreen) and action in ("help", "settings", "command_palette"):
            return False
        return True

    def action_command_palette(self) -> None:
        """Show the command palette (ours guards its page keys)."""
        from .screens.command_palette import BankCommandPalette

        # Textual types the app it looks at as App[object]; ours returns None.
        if self.use_command_palette and not BankCommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(BankCommandPalette(id="--command-palette"))

    def action_help(self) -> None:
        """Show every binding and the lessons."""
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            # Built once and kept: the page is some 140 widgets, most of a second to lay out.
            if not self.is_screen_installed(HelpScreen.NAME):
                self.install_screen(HelpScreen(), HelpScreen.NAME)
            self.push_screen(HelpScreen.NAME)

    def action_settings(self) -> None:
        """Change the theme, the speed and animations."""
        from .screens.settings import Settings, SettingsScreen

        if isinstance(self.screen, SettingsScreen):
            return
        saved = self.store.settings().get("unlock_all", False)
        current = Settings(self.theme, self.speed, self.animation_level != "none", unlock_all=bool(saved))
        self.push_screen(SettingsScreen(current, sorted(self.available_themes)), callback=self.apply_settings)

    def apply_settings(self, settings: Settings | None) -> None:
        """Apply chosen settings to the app and to the day being played."""
        from .screens.branch import BranchScreen

        if settings is None:
            return
        self.theme = settings.theme
        self.speed = settings.speed
        self.animation_level = "full" if settings.animations else "none"
        try:  # one change, one transaction; a failure to save is told by the store
            self.store.set_settings({
                "theme": settings.theme, "speed": settings.speed, "animations": settings.animations,
                "unlock_all": settings.unlock_all,
            })
        except (ValueError, OSError) as error:
            self.notify(f"Settings not saved: {error}", severity="warning")
        for screen in self.screen_stack:
            if isinstance(screen, BranchScreen):
                screen.set_speed(settings.speed)

    def action_high_contrast(self) -> None:
        """Switch to the high-contrast theme (or back to the default)."""
        self.theme = "textual-dark" if self.theme == "high-contrast" else "high-contrast"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Every binding and the lessons (?)", self.action_help)
        yield SystemCommand("Settings", "Theme, speed, animations (o)", self.action_settings)
        yield SystemCommand("High contrast", "Switch the high-contrast theme on or off", self.action_high_contrast)
        yield SystemCommand("Save a picture", "The screen as an SVG, for slides (ctrl+s)", self.action_picture)
        yield SystemCommand("Sandbox", "Open your own branch", lambda: self.open_sandbox())
        from .screens.branch import BranchScreen
        from .screens.lab import LabScreen
        from .screens.level_select import LevelSelectScreen

        places: tuple[tuple[str, type[Screen], Callable[[], Screen]], ...] = (
            ("Title screen", TitleScreen, TitleScreen), ("Level select", LevelSelectScreen, LevelSelectScreen),
            ("The Lab", LabScreen, LabScreen),
        )
        for text, kind, make in places:
            if not isinstance(screen, kind):
                yield SystemCommand(text, f"Go to the {text.lower()}", lambda make=make: self.push_screen(make()))
        if isinstance(screen, BranchScreen):
            yield from screen.palette_commands()

    def on_unmount(self) -> None:
        self.close_branches()
        if self._store is not None:
            self._store.close()
