"""The title: the bank's front, its name and the menu."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from .. import __version__
from ..paths import assets_dir
from .bank_screen import BankScreen

# The campaign (and the engine under it) is read after the first frame, for Continue's hint.
if TYPE_CHECKING:
    from ..campaign import Progress

MENU: tuple[tuple[str, str, str], ...] = (
    ("continue", "Continue", "c"),
    ("tutorial", "Tutorial", "t"),
    ("campaign", "Campaign", "p"),
    ("sandbox", "Sandbox", "s"),
    ("lab", "Lab", "l"),
    ("settings", "Settings", "o"),
    ("quit", "Quit", "q"),
)
"""Menu entries: id, label, key."""

ITEM_WIDTH = 34


def art(name: str) -> Content:
    """Return the art file ``assets/art/<name>`` as styled content."""
    text = (assets_dir() / "art" / name).read_text(encoding="utf-8").rstrip("\n")
    return Content.from_markup(text)


class TitleScreen(BankScreen[None]):
    """The first screen: the bank's front, its name, and where to go.

    Args:
        progress: the player's saved progress (the app's by default); it
            tells Continue which level is next.
    """

    CSS_PATH = assets_dir() / "styles" / "title.tcss"
    AUTO_FOCUS = "#title-menu"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (22, "-medium"), (30, "-tall")]

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"choose('{choice}')", label, show=False) for choice, label, key in MENU),
        Binding("ctrl+q", "choose('quit')", "Quit", show=False),
    ]

    def __init__(self, progress: Progress | None = None) -> None:
        super().__init__()
        self._progress = progress
        self.chosen: list[str] = []
        """Every menu choice made on this screen, in order."""

    @property
    def progress(self) -> Progress:
        """The player's progress this screen reads."""
        return self._progress if self._progress is not None else self.app.store

    def compose(self) -> ComposeResult:
        """Lay out the front, the name and the menu."""
        with Vertical(id="title-box"):
            yield Static(art("bank.txt"), id="title-art")
            yield Static(art("bank_small.txt"), id="title-small-art")
            yield Static(art("wordmark.txt"), id="title-wordmark")
            yield Static("a branch, its cashiers, and the tickets that keep the ledger honest", id="title-tagline")
            with Center():
                yield OptionList(*self._options(hint=False), id="title-menu")
            yield Static(f"bankgame {__version__}", id="title-version")
        yield Footer()

    def _options(self, hint: bool = True) -> list[Option]:
        options = []
        for choice, label, key in MENU:
            line = Content.assemble((label, "bold"), " " * (ITEM_WIDTH - len(label) - len(key)), (key, "$text-muted"))
            if choice == "continue":
                line = Content("\n").join([line, Content.styled(self._continue_hint() if hint else "  ↳ …", "$text-muted")])
            options.append(Option(line, id=choice))
        return options

    def _continue_hint(self) -> str:
        from ..campaign import next_to_play

        try:
            state = next_to_play(self.progress)
        except Exception:  # noqa: BLE001 - a broken save must not keep the title from showing
            return "  ↳ the campaign"
        hint = "  ↳ every level passed" if state is None else f"  ↳ {state.number}. {state.level.title}"
        return hint if len(hint) <= ITEM_WIDTH else hint[: ITEM_WIDTH - 1] + "…"

    def on_screen_resume(self) -> None:
        """Fill in Continue's hint after the frame is drawn (reading the levels
        and the save takes a few milliseconds the first frame need not wait
        for), and again whenever a day played since may have changed it."""
        self.call_after_refresh(self._refresh_menu)

    def _refresh_menu(self) -> None:
        try:
            menu = self.query_one("#title-menu", OptionList)
        except NoMatches:  # resumed while being taken down
            return
        highlighted = menu.highlighted
        menu.clear_options()
        menu.add_options(self._options())
        menu.highlighted = highlighted if highlighted is not None else 0

    @on(OptionList.OptionSelected, "#title-menu")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.action_choose(event.option.id)

    def action_choose(self, choice: str) -> None:
        """Go where the menu entry ``choice`` leads."""
        self.chosen.append(choice)
        app = self.app
        if choice == "continue":
            from ..campaign import next_to_play

            state = next_to_play(self.progress)
            app.show_levels(self._progress)
            if state is not None:
                app.open_briefing(state.level, self._progress)
        elif choice == "campaign":
            app.show_levels(self._progress)
        elif choice == "lab":
            app.open_lab()
        elif choice == "tutorial":
            app.open_tutorial()
        elif choice == "sandbox":
            app.open_sandbox()
        elif choice == "settings":
            app.action_settings()
        elif choice == "quit":
            app.exit()
