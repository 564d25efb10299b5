"""One puzzle of the Puzzle Book: the player is the scheduler and picks who moves.

``bankgame.engine.puzzle_run`` decides everything (the steps, undo, the
verdict, the hints, the stars); this screen draws it and passes keys on.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Static

from ..constants import BackendName
from ..day import start_on
from ..engine import load_level
from ..engine.machine import ASLEEP, RUNNING
from ..engine.puzzle_run import PuzzleRun
from ..engine.puzzles import Book, Puzzle
from ..store import PuzzleProgress, Store
from ..widgets.puzzle_desk import PuzzleDesk, desk_run
from ..widgets.python_view import Listing, PythonView
from .bank_screen import BankScreen
from .python_desks import PythonDesks

PUZZLE_ORDER_NOTE = "You pick the order; the checker tried them all. x: a script where the OS picks."
"""Who picks the order, said where the player reads the real code."""

WIN_WORDS = {
    "broken": "break it", "deadlocked": "jam it", "livelocked": "make it loop",
    "starved": "starve someone", "safe": "try to break it: it cannot be",
}


class PuzzleScreen(BankScreen[None]):
    """Pick who moves (1–6), undo, hints, the verdict.

    Args:
        book: the Puzzle Book (for the next puzzle and the chapter's title).
        puzzle: the puzzle to play.
        store: saved progress (the app's by default).
    """

    BINDINGS = [
        Binding("1", "pick(0)", "Desk 1"),
        Binding("2", "pick(1)", "Desk 2"),
        Binding("3", "pick(2)", "Desk 3", show=False),
        Binding("4", "pick(3)", "Desk 4", show=False),
        Binding("5", "pick(4)", "Desk 5", show=False),
        Binding("6", "pick(5)", "Desk 6", show=False),
        Binding("u,backspace", "undo", "Undo"),
        Binding("r", "reset", "Reset"),
        Binding("h", "hint", "Hint"),
        Binding("space", "guided", "Checker's step", show=False),
        Binding("n", "next", "Next puzzle"),
        Binding("y", "python", "Python", show=False),  # in the help and the palette, as on the branch
        Binding("x", "export", "Export", show=False),
        Binding("escape", "leave", "Puzzle Book"),
    ]

    DEFAULT_CSS = """
    PuzzleScreen { layout: vertical; }
    #pz-heading { height: 1; padding: 0 1; background: $boost; }
    #pz-goal { height: auto; padding: 0 1; color: $text; }
    #pz-floor { height: 1fr; min-height: 6; }
    #pz-low { height: auto; max-height: 8; }
    #pz-board, #pz-order { width: 1fr; height: auto; border: round $panel-lighten-2; padding: 0 1;
                           border-title-color: $text-accent; }
    #pz-hint { height: auto; padding: 0 1; background: $boost; display: none; }
    #pz-hint.-shown { display: block; }
    #pz-verdict { height: auto; min-height: 3; border: heavy $primary; padding: 0 1; border-title-color: $text-accent; }
    #pz-verdict.-won { border: heavy $success; }
    #pz-verdict.-lost { border: heavy $warning; }
    #pz-python { width: 55%; display: none; background: $surface; }
    """

    def __init__(self, book: Book, puzzle: Puzzle, store: Store | None = None) -> None:
        super().__init__()
        self.book = book
        self.puzzle = puzzle
        self._store = store
        self.run = PuzzleRun(puzzle)
        """Replaced on mount by an attempt on real processes when the game has them."""
        self.hint_text = ""
        self.saved_win = False
        self.python = PythonDesks(puzzle.machine.names, "Its program as Python, the next step's line marked (y)")
        """Which desk's program the Python view shows (y)."""

    @property
    def store(self) -> Store:
        """The saved progress."""
        return self._store if self._store is not None else self.app.store

    def compose(self) -> ComposeResult:
        yield Header(icon="$")
        yield Static(id="pz-heading")
        yield Static(id="pz-goal")
        with Horizontal(id="pz-floor"):
            for index, program in enumerate(self.puzzle.machine.programs):
                desk = PuzzleDesk(self.run, index, str(index + 1), id=f"pz-desk-{index}")
                # Each desk as wide as its longest line allows: a one-line sender needs less room.
                desk.styles.width = f"{max(len(i.text) for i in program) + 8}fr"
                yield desk
            yield PythonView(note=PUZZLE_ORDER_NOTE, id="pz-python")
        with Horizontal(id="pz-low"):
            yield Static(id="pz-board")
            yield Static(id="pz-order")
        yield Static(id="pz-hint")
        yield Static(id="pz-verdict")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.run = self._new_run()
        self.title = "bankgame · Puzzle Book"
        self.sub_title = self.puzzle.title
        self.query_one("#pz-board").border_title = "Ledger and locks"
        self.query_one("#pz-order").border_title = "Your order"
        self.query_one("#pz-verdict").border_title = "Verdict"
        self.refresh_view()

    def _new_run(self) -> PuzzleRun:
        """An attempt whose steps real processes carry out too, when the game plays on real processes."""
        from ..workers.puzzles import PuzzleProcesses

        machine = self.puzzle.machine

        def start(backend: BackendName) -> PuzzleRun:
            return PuzzleRun(self.puzzle, (lambda: PuzzleProcesses(machine)) if backend == "process" else None)

        started = start_on(self.app.backend_name, start)
        if started.notice:
            self.notify(started.notice, title="Puzzle Book", severity="warning")
        return started.value

    def on_resize(self) -> None:
        self.refresh_view()

    def on_unmount(self) -> None:
        self.run.close()

    # ------------------------------------------------------------- drawing
    def refresh_view(self) -> None:
        """Redraw everything from the attempt."""
        run, puzzle = self.run, self.puzzle
        chapter = next(c for c in self.book.chapters if c.id == puzzle.chapter)
        saved = self._saved()
        best = f" · best {'★' * saved.stars}{'☆' * (3 - saved.stars)}" if saved is not None and saved.won else ""
        hints = f" · hints used {run.hints}/3" if run.hints else ""
        self.query_one("#pz-heading", Static).update(
            f"{chapter.title} · {puzzle.title} · {WIN_WORDS[puzzle.win]} · par {puzzle.par} steps{hints}{best}")
        goal = Text()
        goal.append("Goal: ", "bold")
        goal.append(puzzle.goal)
        if puzzle.text and self.size.width >= 100:  # on a small terminal the goal alone (the book has the story)
            goal.append("  " + puzzle.text, "dim")
        self.query_one("#pz-goal", Static).update(goal)
        for desk in self.query(PuzzleDesk):
            desk.show(desk_run(run, desk.index))
        self.query_one("#pz-board", Static).update("\n".join(run.board()))
        order = run.order_lines()
        shown = order[-6:]
        lines = [f"{len(order) - len(shown) + i + 1:>2} {line}" for i, line in enumerate(shown)]
        self.query_one("#pz-order", Static).update("\n".join(lines) or "1, 2, … pick who moves")
        hint = self.query_one("#pz-hint", Static)
        hint.update(f"Hint {run.hints}: {self.hint_text}" if self.hint_text else "")
        hint.set_class(bool(self.hint_text), "-shown")
        verdict = run.verdict()
        text = verdict.text
        if verdict.won:
            stars = run.stars()
            text = f"{'★' * stars}{'☆' * (3 - stars)} " + text
            if puzzle.lesson:
                text += "\n" + puzzle.lesson
        elif run.can_hint():
            text += "  (h: a hint)"
        box = self.query_one("#pz-verdict", Static)
        box.update(text)
        box.set_class(verdict.won, "-won")
        box.set_class(verdict.over and not verdict.won, "-lost")
        self._show_python()

    def _show_python(self) -> None:
        self.python.show(self.query_one(PythonView), self._python_listing)

    def _python_listing(self, index: int) -> Listing:
        from ..engine.puzzle_python import leaving, puzzle_desk_python

        machine = self.puzzle.machine
        code = self.python.code(index, lambda: puzzle_desk_python(machine, index, self.puzzle.title))
        run = self.run
        pc = run.next_line(index)
        movable = index in run.movable() or machine.finished(run.state, index)
        line, comment = code.line_for(pc), leaving(machine, index, pc)
        if run.state.status[index] != RUNNING:
            # Asleep on a condition (or woken, taking the lock back): inside the wait() call.
            line, comment = line + 1, ("asleep: the lock given back" if run.state.status[index] == ASLEEP
                                       else "woken: taking the lock back")
        return Listing(code, line, "▶" if movable else "◷", self.python.title(), comment=comment)

    def _saved(self) -> PuzzleProgress | None:
        try:
            return self.store.puzzles().get(self.puzzle.id)
        except Exception:  # noqa: BLE001 - a save problem never ends the game
            return None

    def _save(self, won: bool) -> None:
        store = self.store
        run = self.run
        try:
            store.record_puzzle(self.puzzle.id, won=won, stars=run.stars(), steps=len(run.picks), hints=run.hints)
            if won:
                self._record_level(store)
        except Exception as error:  # noqa: BLE001 - a save problem never ends the game
            self.notify(f"Not saved: {error}", title="Saved progress", severity="warning")

    def _record_level(self, store: Store) -> None:
        """Break the Bank's stars in the campaign: its goals, met by the number of puzzles won."""
        won = sum(1 for p in store.puzzles().values() if p.won)
        level = load_level("break-the-bank")
        stars = 0
        for goal in level.goals:  # the n-th goal met in order gives the n-th star
            if not goal.met(won):
                break
            stars += 1
        store.record_day(level.id, stars=stars, score=won, details={"puzzles_won": won})

    # ------------------------------------------------------------- actions
    def action_pick(self, desk: int) -> None:
        """Let desk ``desk`` take its next step."""
        run = self.run
        if desk >= len(run.machine.desks):
            return
        name = run.machine.names[desk]
        if desk not in run.movable():
            why = "the puzzle is decided: undo (u) or reset (r)" if run.verdict().over else run.desk_status(desk)
            self.notify(f"{name} cannot move: {why}.", title="Scheduler", timeout=3)
            return
        run.pick(desk)
        verdict = run.verdict()
        if verdict.won and not self.saved_win:
            self.saved_win = True
            self._save(True)
        self.refresh_view()

    def action_guided(self) -> None:
        """Play the checker's next step (after the third hint)."""
        desk = self.run.guided()
        if desk < 0:
            self.notify("The checker's order plays after the third hint (h).", title="Scheduler", timeout=3)
            return
        self.action_pick(desk)

    def action_undo(self) -> None:
        """Take back the last step."""
        if not self.run.undo():
            self.notify("Nothing to undo.", title="Scheduler", timeout=2)
        self.refresh_view()

    def action_reset(self) -> None:
        """Start this puzzle again."""
        self.run.reset()
        self.refresh_view()

    def action_hint(self) -> None:
        """The next hint, once an attempt has failed."""
        run = self.run
        if not run.can_hint() and run.hints < 3:
            text = run.hint() if self.puzzle.win == "safe" else ""
            self.notify(text or "Hints open after a failed attempt: play until nobody can move.",
                        title="Hint", timeout=4)
            return
        self.hint_text = run.hint()
        self._save(False)
        self.refresh_view()

    def action_next(self) -> None:
        """The next puzzle of the book."""
        puzzles = self.book.puzzles
        index = puzzles.index(self.puzzle)
        nxt = puzzles[(index + 1) % len(puzzles)]
        self.run.close()
        self.app.switch_screen(PuzzleScreen(self.book, nxt, self._store))

    def action_python(self) -> None:
        """Show the next desk's program as Python; after the last desk, close the view."""
        self.python.walk()
        self._show_python()

    def show_python(self, desk: int | None) -> None:
        """Show desk ``desk``'s program as Python (``None``: close the view)."""
        self.python.choose(desk)
        self._show_python()

    def action_export(self) -> None:
        """Write this puzzle as a script whose desks are real processes: the OS picks the order."""
        from ..exporting import export_folder, puzzle_script, write_script

        try:
            path = write_script(export_folder() / f"puzzle-{self.puzzle.id}.py", puzzle_script(self.puzzle))
        except OSError as error:
            self.notify(f"Not written: {error}", title="Export", severity="error")
            return
        # Short and brief: the toast sits over the order and the verdict.
        self.notify(f"Wrote {path}: the checker tried every order; run it and the OS picks.",
                    title="Exported to Python", timeout=5)

    def palette_commands(self) -> Iterator[SystemCommand]:
        """Yield the palette entries of this screen: the Python of each desk and the export."""
        yield from self.python.commands(self.show_python)
        yield SystemCommand("Export as a Python script", "This puzzle on real processes: the OS picks the order (x)",
                            self.action_export)

    def action_leave(self) -> None:
        """Back to the Puzzle Book."""
        self.dismiss(None)
