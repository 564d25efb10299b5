"""The campaign's levels: stars earned, locks, and what each one teaches."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ..campaign import LevelState, Progress, lessons, level_states
from ..engine import Level
from ..paths import assets_dir
from ..widgets.stars import stars_content
from ..widgets.title_bar import TitleBar
from .bank_screen import BankScreen

TITLE_WIDTH = 27
LOCK = "⊘"


def level_line(state: LevelState) -> Content:
    """Return one level as the list shows it: number, title, stars or lock."""
    title = state.level.title
    title = title if len(title) <= TITLE_WIDTH else title[: TITLE_WIDTH - 1] + "…"
    number = Content.styled(f"{state.number:>2}  ", "$text-muted")
    if state.locked:
        return Content.assemble(number, (f"{title:<{TITLE_WIDTH}}", "$text-disabled"), (f" {LOCK} locked", "$text-muted"))
    return Content.assemble(number, (f"{title:<{TITLE_WIDTH}}", "bold"), " ", stars_content(state.stars), "     ")


LEGEND = Content.assemble(
    ("★", "$warning"), " earned  ", ("☆", "$text-muted"), " not yet  ", (LOCK, "$text-muted"),
    " pass the level before\n", ("enter", "bold $text-accent"), " briefing  ",
    ("↑↓", "bold $text-accent"), " choose  ", ("n", "bold $text-accent"), " next to play",
)


class LevelSelectScreen(BankScreen[None]):
    """The campaign: ten levels, their stars, and which are still locked.

    Args:
        progress: the player's saved progress (the app's by default).
        levels: the campaign's levels (the built-in ones by default).
    """

    CSS_PATH = assets_dir() / "styles" / "level_select.tcss"
    AUTO_FOCUS = "#levels-list"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (76, "-wide")]

    BINDINGS = [
        Binding("enter", "play", "Briefing", show=True, priority=False),
        Binding("escape", "back", "Back"),
        Binding("home", "first", "First level", show=False),
        Binding("n", "next_open", "Next to play"),
    ]

    def __init__(self, progress: Progress | None = None, levels: list[Level] | None = None) -> None:
        super().__init__()
        self._progress = progress
        self._levels = levels
        # Titles are set before the Header mounts: its title watcher can
        # outlive a screen popped at once (a fast typist, a key storm).
        self.title = "Campaign"
        self.states: list[LevelState] = []
        """Each level with its stars and lock, as last drawn."""

    @property
    def progress(self) -> Progress:
        """The player's progress this screen reads."""
        return self._progress if self._progress is not None else self.app.store

    def compose(self) -> ComposeResult:
        """Lay out the list and the highlighted level's details."""
        yield TitleBar()
        with Horizontal(id="levels-body"):
            with Vertical(id="levels-left"):
                yield OptionList(id="levels-list")
                yield Static(LEGEND, id="levels-legend")
            with VerticalScroll(id="levels-detail"):
                yield Static(id="detail-title")
                yield Static(id="detail-status")
                yield Static(id="detail-lessons")
                yield Static(id="detail-goals")
        yield Footer()

    def on_mount(self) -> None:
        """Fill the list and open on the next level to play."""
        self.refresh_levels()
        self.action_next_open()

    def on_screen_resume(self) -> None:
        """Redraw: a day played since may have earned stars or opened a level (then move to it)."""
        before = [(state.stars, state.locked) for state in self.states]
        self.refresh_levels()
        if before != [(state.stars, state.locked) for state in self.states]:
            self.action_next_open()

    def _list(self) -> OptionList | None:
        # Keys can reach a screen before its children are mounted, or after they left.
        try:
            return self.query_one("#levels-list", OptionList)
        except NoMatches:
            return None

    def refresh_levels(self) -> None:
        """Read the progress again and redraw the list."""
        self.states = level_states(self.progress, self._levels, unlock_all=self.app.unlock_all)
        menu = self._list()
        if menu is None:
            return
        highlighted = menu.highlighted
        menu.clear_options()
        menu.add_options(Option(level_line(state), id=state.level.id) for state in self.states)
        stars = sum(state.stars for state in self.states)
        sub_title = f"{stars} of {3 * len(self.states)} stars"
        if self.sub_title != sub_title:
            self.sub_title = sub_title
        if self.states:
            menu.highlighted = highlighted if highlighted is not None else 0
            self._show_detail(self.states[menu.highlighted or 0])

    def state_of(self, level_id: str) -> LevelState:
        """Return the drawn state of ``level_id``."""
        return next(state for state in self.states if state.level.id == level_id)

    @on(OptionList.OptionHighlighted, "#levels-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id:
            self._show_detail(self.state_of(event.option.id))

    @on(OptionList.OptionSelected, "#levels-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.open_briefing(event.option.id)

    def _show_detail(self, state: LevelState) -> None:
        try:
            self._draw_detail(state)
        except NoMatches:  # the screen is being taken down
            pass

    def _draw_detail(self, state: LevelState) -> None:
        level = state.level
        self.query_one("#detail-title", Static).update(
            Content.assemble((f"Level {state.number}  ", "$text-muted"), (level.title, "bold $text"))
        )
        if state.locked:
            status = Content.assemble((f"{LOCK} Locked", "bold $text-warning"), f": pass {state.after} first (one star is enough).")
        elif state.passed:
            status = Content.assemble(stars_content(state.stars), ("  passed", "$text-success"), self._best(level.id))
        else:
            status = Content.assemble(stars_content(0), ("  open: ", "$text-muted"), ("not passed yet", "$text"))
        self.query_one("#detail-status", Static).update(status)
        known = lessons()
        lines = [Content.styled("Lessons", "bold $text-accent")]
        for key in level.lessons:
            lesson = known.get(key)
            if lesson is not None:
                lines.append(Content.assemble(("• ", "$text-muted"), (lesson.title, "bold")))
        self.query_one("#detail-lessons", Static).update(Content("\n").join(lines))
        goals = [Content.styled("Goals", "bold $text-accent")]
        for index, goal in enumerate(level.goals):
            earned = index < state.stars
            goals.append(Content.assemble(("★ " if earned else "☆ ", "$warning" if earned else "$text-muted"), goal.text))
        self.query_one("#detail-goals", Static).update(Content("\n").join(goals))

    def _best(self, level_id: str) -> str:
        score = self.progress.best_score(level_id)
        return f" · best score {score}" if score is not None else ""

    def open_briefing(self, level_id: str) -> bool:
        """Open the briefing of ``level_id``; refuse (with a notice) when it is locked."""
        state = self.state_of(level_id)
        if state.locked:
            self.notify(f"{state.level.title} is locked: pass {state.after} first.", title="Locked", severity="warning")
            return False
        self.app.open_briefing(state.level, self._progress)
        return True

    def action_play(self) -> None:
        """Open the highlighted level's briefing."""
        menu = self._list()
        if menu is not None and menu.highlighted is not None:
            option = menu.get_option_at_index(menu.highlighted)
            if option.id:
                self.open_briefing(option.id)

    def action_next_open(self) -> None:
        """Move to the first open level not yet passed (or the last open one)."""
        open_states = [i for i, state in enumerate(self.states) if not state.locked]
        target = next((i for i in open_states if not self.states[i].passed), open_states[-1] if open_states else 0)
        menu = self._list()
        if menu is not None and menu.option_count:
            menu.highlighted = target

    def action_first(self) -> None:
        """Move to the first level."""
        menu = self._list()
        if menu is not None and menu.option_count:
            menu.highlighted = 0

    def action_back(self) -> None:
        """Go back to where the campaign was opened from (the title, when nothing is under it)."""
        if self.app.screen is not self:
            return
        stack = self.app.screen_stack
        if len(stack) > 2 or (len(stack) == 2 and stack[0].id != "_default"):
            self.app.pop_screen()
        else:
            self.app.replace_with_title(self._progress)
