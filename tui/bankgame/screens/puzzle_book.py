"""The Puzzle Book: chapters of scheduler puzzles, the stars won, and the way in.

It opens where Break the Bank was (the level select's "Break the Bank", or
``bankgame --level break-the-bank``); enter plays the highlighted puzzle.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..engine import Level
from ..engine.fixits import FixBook, FixIt, load_fixits
from ..engine.puzzles import Book, Puzzle, load_book
from ..store import FixitProgress, PuzzleProgress, Store
from . import fix_program
from .bank_screen import BankScreen
from .puzzle import WIN_WORDS, PuzzleScreen


class PuzzleBookScreen(BankScreen[None]):
    """Every chapter and puzzle, with stars; enter plays one.

    Args:
        level: the Break the Bank level this book stands for (unused but for its title).
        store: saved progress (the app's by default).
        book: the puzzles (the built-in book by default).
    """

    BINDINGS = [
        Binding("enter", "play", "Play", show=True),
        Binding("escape", "leave", "Back"),
    ]

    DEFAULT_CSS = """
    PuzzleBookScreen { layout: vertical; }
    #book-body { height: 1fr; }
    #book-list { width: 44; height: 1fr; border: round $primary 60%; border-title-color: $text-accent; }
    #book-list:focus { border: round $primary; }
    #book-detail { width: 1fr; height: 1fr; padding: 0 1; border: round $panel-lighten-2; border-title-color: $text-accent; }
    """

    def __init__(self, level: Level | None = None, store: Store | None = None, book: Book | None = None) -> None:
        super().__init__()
        self.level = level
        self._store = store
        self.book = book or load_book()

    @property
    def store(self) -> Store:
        """The saved progress."""
        return self._store if self._store is not None else self.app.store

    def _progress(self) -> dict[str, PuzzleProgress]:
        try:
            return self.store.puzzles()
        except Exception:  # noqa: BLE001 - a save problem never ends the game
            return {}

    def compose(self) -> ComposeResult:
        yield Header(icon="$")
        with Horizontal(id="book-body"):
            yield OptionList(id="book-list")
            yield Static(id="book-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "bankgame"
        self.sub_title = "The Puzzle Book"
        self.query_one("#book-list").border_title = "The Puzzle Book"
        self.query_one("#book-detail").border_title = "Puzzle"
        self.refresh_book()
        self.query_one("#book-list", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_book()

    def refresh_book(self) -> None:
        """Redraw the list from the saved progress, keeping the highlight."""
        listing = self.query_one("#book-list", OptionList)
        keep = listing.highlighted
        progress = self._progress()
        options: list[Option] = []
        won = 0
        for chapter in self.book.chapters:
            options.append(Option(Text(chapter.title, "bold"), disabled=True))
            for puzzle in chapter.puzzles:
                saved = progress.get(puzzle.id)
                stars = saved.stars if saved is not None and saved.won else 0
                won += bool(saved is not None and saved.won)
                line = Text(f"  {puzzle.title:<30.30} ")
                line.append("★" * stars, "bold yellow")
                line.append("☆" * (3 - stars), "dim")
                options.append(Option(line, id=puzzle.id))
        options += fix_program.chapter_options(self.fixits, self._fix_progress())
        listing.clear_options()
        listing.add_options(options)
        listing.border_subtitle = f"{won} of {len(self.book.puzzles)} won"
        listing.highlighted = keep if keep is not None else 1
        self._detail()

    def _highlighted(self) -> Puzzle | None:
        listing = self.query_one("#book-list", OptionList)
        if listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return self.book.puzzle(option.id) if option.id and option.id in self.book.ids() else None

    @on(OptionList.OptionHighlighted)
    def _detail(self) -> None:
        puzzle = self._highlighted()
        detail = self.query_one("#book-detail", Static)
        fix = self._highlighted_fix()
        if fix is not None:
            detail.update(fix_program.chapter_detail(fix, self._fix_progress().get(fix.id)))
            return
        if puzzle is None:
            detail.update("")
            return
        chapter = next(c for c in self.book.chapters if c.id == puzzle.chapter)
        saved = self._progress().get(puzzle.id)
        text = Text()
        text.append(puzzle.title + "\n", "bold")
        text.append(chapter.text + "\n\n", "dim")
        text.append("Goal: ", "bold")
        text.append(puzzle.goal + "\n")
        if puzzle.text:
            text.append(puzzle.text + "\n")
        desks = ", ".join(puzzle.machine.names)
        text.append(f"\n{len(puzzle.machine.desks)} desks: {desks} · {WIN_WORDS[puzzle.win]} · par {puzzle.par} steps\n")
        text.append("Stars: won · in par or fewer steps · no hint\n", "dim")
        if saved is not None and saved.won:
            text.append(f"Won: {'★' * saved.stars}{'☆' * (3 - saved.stars)}, best {saved.best_steps} steps\n")
        text.append("\nenter: play", "bold")
        detail.update(text)

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_play()

    def action_play(self) -> None:
        """Play the highlighted puzzle."""
        puzzle = self._highlighted()
        if puzzle is not None:
            self.app.push_screen(PuzzleScreen(self.book, puzzle, self._store))
        fix = self._highlighted_fix()
        if fix is not None:
            self.app.push_screen(fix_program.FixProgramScreen(self.fixits, fix, self.store))

    # ------------------------------------------------ Fix the Program, the last chapter
    @property
    def fixits(self) -> FixBook:
        """The fix-it puzzles (the built-in ones)."""
        return load_fixits()

    def _fix_progress(self) -> dict[str, FixitProgress]:
        try:
            return self.store.fixits()
        except Exception:  # noqa: BLE001 - a save problem never ends the game
            return {}

    def _highlighted_fix(self) -> FixIt | None:
        listing = self.query_one("#book-list", OptionList)
        if listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return self.fixits.fixit(option.id) if option.id and option.id in self.fixits.ids() else None

    def action_leave(self) -> None:
        """Back to the screen underneath."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.notify("This is the only screen: ctrl+q quits.", title="bankgame", timeout=3)
