"""The App: screens by name, bindings, themes, the command palette.

Other screens use this API (``self.app`` is a ``BankApp``):

- ``app.open_level(level_id, seed=None, options=None)`` opens a day of a level
  on the branch screen, replacing any day being played (a level whose
  scheduler is the player, Break the Bank, opens the Puzzle Book).
- ``app.open_sandbox(seed=None, options=None)`` is ``open_level("sandbox", ...)``.
- ``app.open_tutorial()`` starts the guided tutorial.
- ``app.show(name, *args, callback=None, **kwargs)`` pushes a screen by name
  (``SCREEN_MODULES``: ``title``, ``levels``, ``results``, ``lab``,
  ``briefing``, ``help``, ``timeline``, ``tutorial``, ``scheduler``; and
  ``settings``); it returns False when that screen is not built.
- ``app.action_settings()`` / ``app.action_help()`` open settings and help.
- ``app.branch`` is the day being played (or ``None``); ``app.store`` (also
  ``app.progress``) the saved progress; ``app.speed`` the speed a day starts
  at; ``app.backend_name`` ``process`` or ``inline``.
- The day's end calls ``app.show_results(level, branch)``: it records the day
  and pushes ``ResultsScreen(report, level, branch=..., options=...)``.
"""

from __future__ import annotations

import asyncio
import importlib
import signal
from collections.abc import Callable, Iterable
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from .engine import Branch, Level, LevelError, make_report
from .paths import assets_dir
from .screens.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen

SPEEDS = (0.5, 1.0, 2.0, 4.0, 8.0)
"""Speeds a day can run at; 1× is 10 ticks a second."""

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

SCREEN_MODULES: dict[str, tuple[str, str]] = {
    "title": ("bankgame.screens.title", "TitleScreen"),
    "levels": ("bankgame.screens.level_select", "LevelSelectScreen"),
    "results": ("bankgame.screens.results", "ResultsScreen"),
    "lab": ("bankgame.screens.lab", "LabScreen"),
    "briefing": ("bankgame.screens.briefing", "BriefingScreen"),
    "help": ("bankgame.screens.help", "HelpScreen"),
    "timeline": ("bankgame.screens.timeline", "TimelineScreen"),
    "tutorial": ("bankgame.screens.tutorial", "TutorialScreen"),
    "scheduler": ("bankgame.screens.puzzle_book", "PuzzleBookScreen"),
}
"""Screen name → (module, class). A missing module means the screen is not there yet."""


def _stylesheets() -> list[str]:
    # Every .tcss in assets/styles: other screens drop their own file there.
    return [str(path) for path in sorted((assets_dir() / "styles").glob("*.tcss"))]


class BankApp(App[None]):
    """The game.

    Args:
        start: the first screen: ``title`` (the branch screen while there is no
            title screen), ``sandbox`` or ``level`` (with ``level``).
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
    """

    TITLE = "bankgame"
    SUB_TITLE = "a bank branch that teaches concurrency"
    CSS_PATH = _stylesheets()
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("s", "settings", "Settings", show=False),
    ]

    def __init__(
        self,
        start: str = "title",
        *,
        level: str | None = None,
        seed: int | None = None,
        options: dict[str, Any] | None = None,
        backend: str = "process",
        day: tuple[Level, Branch] | None = None,
        paused: bool = False,
        handle_signals: bool = False,
        store: Any = None,
        notice: str = "",
    ) -> None:
        super().__init__()
        self.start = start
        self.start_level = level
        self.start_seed = seed
        self.start_options = options
        self.backend_name = backend
        self.handed_day = day
        self.start_paused = paused
        self.handle_signals = handle_signals
        self.speed = 1.0
        """Speed a new day starts at."""
        self.branch: Branch | None = None
        """The day being played."""
        self._branches: list[Branch] = []
        self.register_theme(HIGH_CONTRAST)
        self.store = store
        self.notice = notice
        self.network: dict[str, Any] = {}
        """``remote`` and ``authkey_file`` for a level with a second branch."""
        """Saved progress and settings; ``app.progress`` is the same object."""

    @property
    def progress(self) -> Any:
        """The player's saved progress (stars per level)."""
        return self.store

    def _load_settings(self) -> None:
        from .store import open_store

        if self.store is None:
            self.store = open_store()
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

    # ------------------------------------------------------------- start-up
    def get_default_screen(self) -> Screen:
        # The title is the bottom screen itself (one screen less to build before the first frame).
        title = self.screen_class("title") if self.start == "title" and self.handed_day is None and self.start_level is None else None
        return title() if title is not None else super().get_default_screen()

    def on_mount(self) -> None:
        self._load_settings()
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(signum, self.exit)
        if self.handed_day is not None:
            level, branch = self.handed_day
            self._play(level, branch, (level.id, branch.seed, None))
        elif self.start_level is not None or self.start in ("sandbox", "level", "branch"):
            self.open_level(self.start_level or "sandbox", self.start_seed, self.start_options)
        elif self.start == "tutorial":
            self.show("title")
            self.open_tutorial()
        elif self.start != "title" and self.screen_class(self.start) is not None:
            self.show(self.start)
        elif self.screen_class("title") is not None:
            pass  # the title is the default screen
        else:
            self.open_sandbox(self.start_seed, self.start_options)
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
        return super().pop_screen()

    def screen_class(self, name: str) -> type[Screen] | None:
        """Return the screen class called ``name``, or ``None`` if it is not built."""
        if name == "settings":
            from .screens.settings import SettingsScreen

            return SettingsScreen
        module_name, class_name = SCREEN_MODULES.get(name, ("", ""))
        if not module_name:
            return None
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                return None
            raise
        return getattr(module, class_name, None)

    def show(self, name: str, *args: Any, callback: Callable[[Any], Any] | None = None, **kwargs: Any) -> bool:
        """Push the screen called ``name``, built with ``args`` and ``kwargs``.

        Returns:
            Whether that screen exists.
        """
        if name == "settings":
            self.action_settings()
            return True
        screen_class = self.screen_class(name)
        if screen_class is None:
            return False
        self.push_screen(screen_class(*args, **kwargs), callback=callback)
        return True

    def open_level(self, level_id: str, seed: int | None = None, options: dict[str, Any] | None = None) -> bool:
        """Open a day of ``level_id`` on the branch screen, replacing the day being played.

        Returns:
            Whether the day opened (an unknown level or a bad option is a notice).
        """
        if self._player_schedules(level_id):
            return True
        try:
            level, branch = self._open_day(level_id, seed, options)
        except KeyError:
            self.notify(f"There is no level {level_id!r}.", title="Cannot open", severity="error")
            return False
        except LevelError as error:
            self.notify(str(error), title="Cannot open", severity="error")
            return False
        self._play(level, branch, (level_id, seed, options))
        return True

    def _player_schedules(self, level_id: str) -> bool:
        """Open a level where the player is the scheduler (Break the Bank) on its own screen."""
        screen_class = self.screen_class("scheduler")
        if screen_class is None:
            return False
        from .engine import load_level

        try:
            level = load_level(level_id)
        except (KeyError, LevelError):
            return False  # the branch's way of opening says why
        if level.day.scheduler != "player":
            return False
        self.push_screen(screen_class(level))
        return True

    def open_sandbox(self, seed: int | None = None, options: dict[str, Any] | None = None) -> bool:
        """Open the sandbox with ``options`` (``DayConfig`` fields)."""
        return self.open_level("sandbox", seed, options)

    def _open_day(self, level_id: str, seed: int | None, options: dict[str, Any] | None) -> tuple[Level, Branch]:
        from .day import open_day

        try:
            return open_day(level_id, seed, options, self.backend_name, **self.network)
        except (KeyError, LevelError):
            raise
        except Exception as error:  # the real backend could not start: play on in-process
            if self.backend_name == "inline":
                raise
            self.backend_name = "inline"
            self.notify(
                f"Real worker processes are not available here ({error}). "
                "Playing with the in-process backend: same rules, one process.",
                title="In-process backend", severity="warning", timeout=8,
            )
            return open_day(level_id, seed, options, "inline")

    def _play(self, level: Level, branch: Branch, opened: tuple) -> None:
        from .screens.branch import BranchScreen

        self._unwind_branch()
        self.close_branches()
        self.branch = branch
        self._branches.append(branch)
        # A level's day opens with its doors closed, so that a ticket can be in
        # place before the first customer: the first lost update comes within ticks.
        closed = bool(level.goals) and branch.tick == 0
        screen = BranchScreen(level, branch, paused=self.start_paused or closed, speed=self.speed)
        screen.opened = opened
        self.push_screen(screen)
        if closed and not self.start_paused:
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

    def show_results(self, level: Level, branch: Branch) -> None:
        """Record the day in the saved progress and show how it went on the results screen."""
        report = make_report(branch, level.id, level.goals)
        opened = getattr(self.screen, "opened", (level.id, branch.seed, None))
        if self.store is not None:
            try:
                self.store.record_report(report, options=opened[2])
            except Exception as error:  # a save problem never ends the game
                self.notify(f"This day was not saved: {error}", title="Saved progress", severity="warning")
        self.show("results", report, level, branch=branch, options=opened[2])

    def open_tutorial(self) -> None:
        """Start the guided tutorial (when it is built)."""
        if not self.show("tutorial"):
            self.notify("The guided tutorial is not here yet.", title="Tutorial")

    def release_branch(self, branch: Branch) -> None:
        """Close ``branch`` (its screen is gone): its worker processes stop now, not at exit."""
        if branch in self._branches:
            self._branches.remove(branch)
            branch.close()
        if self.branch is branch:
            self.branch = None

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

    def action_help(self) -> None:
        """Show every binding and the lessons."""
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_settings(self) -> None:
        """Change the theme, the speed and animations."""
        from .screens.settings import Settings, SettingsScreen

        if isinstance(self.screen, SettingsScreen):
            return
        current = Settings(self.theme, self.speed, self.animation_level != "none")
        self.push_screen(SettingsScreen(current, sorted(self.available_themes)), callback=self.apply_settings)

    def apply_settings(self, settings: Any) -> None:
        """Apply chosen settings to the app and to the day being played."""
        if settings is None:
            return
        self.theme = settings.theme
        self.speed = settings.speed
        self.animation_level = "full" if settings.animations else "none"
        if self.store is not None:
            try:
                self.store.set_setting("theme", settings.theme)
                self.store.set_setting("speed", settings.speed)
                self.store.set_setting("animations", settings.animations)
            except (ValueError, OSError) as error:
                self.notify(f"Settings not saved: {error}", severity="warning")
        for screen in self.screen_stack:
            if hasattr(screen, "set_speed"):
                screen.set_speed(settings.speed)

    def action_high_contrast(self) -> None:
        """Switch to the high-contrast theme (or back to the default)."""
        self.theme = "textual-dark" if self.theme == "high-contrast" else "high-contrast"

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Every binding and the lessons (?)", self.action_help)
        yield SystemCommand("Settings", "Theme, speed, animations (s)", self.action_settings)
        yield SystemCommand("High contrast", "Switch the high-contrast theme on or off", self.action_high_contrast)
        yield SystemCommand("Sandbox", "Open your own branch", lambda: self.open_sandbox())
        for name, text in (("title", "Title screen"), ("levels", "Level select"), ("lab", "The Lab")):
            if self.screen_class(name) is not None and not isinstance(screen, self.screen_class(name) or type(None)):
                yield SystemCommand(text, f"Go to the {text.lower()}", lambda n=name: self.show(n))
        if hasattr(screen, "palette_commands"):
            yield from screen.palette_commands()

    def on_unmount(self) -> None:
        self.close_branches()
        if self.store is not None:
            self.store.close()
