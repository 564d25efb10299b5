"""How the screens around the branch move between each other and reach the app.

The app owns the branch (``open_level``, ``open_sandbox``, the tutorial, the
settings); these screens ask it by name and say "not yet" politely when an
app does not offer something. Saved progress comes from the app
(``app.store`` or ``app.progress``) unless a screen is given its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App

if TYPE_CHECKING:
    from textual.screen import Screen

    # Read when first asked (after the title's first frame): the campaign imports the engine.
    from ..campaign import Progress


def progress_of(app: App, given: Progress | None = None) -> Progress:
    """Return ``given``, else the app's saved progress, else a new player's."""
    if given is not None:
        return given
    for name in ("progress", "store"):
        found = getattr(app, name, None)
        if found is not None and callable(getattr(found, "stars", None)):
            return found
    from ..campaign import MemoryProgress

    return MemoryProgress()


def ask_app(app: App, method: str, *args: Any, **kwargs: Any) -> bool:
    """Call ``app.<method>(...)`` (or ``app.action_<name>`` for ``open_<name>``).

    Returns:
        False, after telling the player, when the app offers neither.
    """
    handler = getattr(app, method, None)
    if not callable(handler) and method.startswith("open_"):
        handler = getattr(app, "action_" + method.removeprefix("open_"), None)
    if not callable(handler):
        app.notify(f"{method.removeprefix('open_').replace('_', ' ').capitalize()}: not yet in this build.",
                   severity="warning")
        return False
    handler(*args, **kwargs)
    return True


def unwind_to_menu(app: App) -> Screen:
    """Pop screens (a finished branch among them) until the title or the level select is on top.

    A game started straight into a day (``bankgame sandbox``) has no menu
    underneath: the title is put there, so that leaving never ends on a blank
    screen. Returns the screen left on top.
    """
    from .level_select import LevelSelectScreen
    from .title import TitleScreen

    stack = app.screen_stack
    keep = len(stack) - 1
    while keep > 0 and not isinstance(stack[keep], (TitleScreen, LevelSelectScreen)):
        keep -= 1
    for _ in range(len(stack) - 1 - keep):
        app.pop_screen()
    if isinstance(stack[keep], (TitleScreen, LevelSelectScreen)):
        return stack[keep]
    title = TitleScreen()
    app.push_screen(title)
    return title


def show_levels(app: App, progress: Progress | None = None) -> None:
    """Bring the level select to the top, reusing the one on the stack if any."""
    from .level_select import LevelSelectScreen

    top = unwind_to_menu(app)
    if isinstance(top, LevelSelectScreen):
        top.refresh_levels()
    else:
        app.push_screen(LevelSelectScreen(progress))
