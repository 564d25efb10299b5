"""Fix the Program: edit the desks' code, and the checker proves the fix (or plays back what breaks it).

``bankgame.engine.program_edit`` makes every edit (or says why not),
``engine.fixits`` runs the checker, ``engine.fix_search`` finds par and gives
the stars; this screen draws them and passes keys and clicks on. A failed proof
is the checker's shortest breaking order, played a step at a time on the desks
(``PuzzleRun``), the damaging step marked ✗.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Static
from textual.widgets.option_list import Option

from ..engine.checker import CheckReport, TooLarge
from ..engine.fix_search import Cost, Fix, cost, smallest_fix, stars
from ..engine.fixits import FixBook, FixIt, Programs
from ..engine.integrity import KINDS
from ..engine.program_day import program_problem, sandbox_problem
from ..engine.program_edit import Editor
from ..engine.program_text import ProgramFileError, read_programs, write_programs
from ..engine.puzzle_run import PuzzleRun
from ..store import FixitProgress, Store
from ..widgets.fix_desk import DeskView, FixDesk
from ..widgets.fix_palette import FixPalette, Palette
from .bank_screen import BankScreen

CHAPTER_TITLE = "8 · Fix the program"
CHAPTER_TEXT = ("Now the code is yours: move, insert and delete lines until the checker finds no order "
                "of the steps that breaks it.")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _stars(n: int) -> str:
    return "★" * n + "☆" * (3 - n)


class FixProgramScreen(BankScreen[None]):
    """The editor on every desk's program of one fix-it puzzle.

    Args:
        book: every fix-it (for the next one).
        fix: the fix-it to edit.
        store: saved progress (the app's by default).
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Line", show=False),
        Binding("down", "cursor(1)", "Line", show=False),
        Binding("left", "desk(-1)", "Desk", show=False),
        Binding("right,tab", "desk(1)", "Desk", show=False),
        Binding("shift+up,[", "move(-1)", "Move up"),
        Binding("shift+down,]", "move(1)", "Move down"),
        *[Binding(str(n), f"insert({n - 1})", "Insert 1–9" if n == 1 else f"Insert {n}", show=n == 1)
          for n in range(1, 10)],
        Binding("delete,x", "delete", "Delete"),
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("enter,r", "run", "Run the checker"),
        Binding("space", "step", "Next step", show=False),
        Binding("w", "write", "Write file"),
        Binding("p", "day", "Day on it"),
        Binding("b", "best", "Best", show=False),
        Binding("escape", "leave", "Back"),
    ]

    DEFAULT_CSS = """
    FixProgramScreen { layout: vertical; }
    #fx-heading { height: 1; padding: 0 1; background: $boost; }
    #fx-goal { height: auto; padding: 0 1; }
    #fx-floor { height: 1fr; min-height: 6; }
    #fx-low { height: auto; max-height: 12; }
    #fx-palette { width: 2fr; }
    #fx-result { width: 3fr; height: auto; min-height: 3; border: heavy $primary; padding: 0 1;
                 border-title-color: $text-accent; }
    #fx-result.-won { border: heavy $success; }
    #fx-result.-lost { border: heavy $warning; }
    """

    def __init__(self, book: FixBook, fix: FixIt, store: Store | None = None) -> None:
        super().__init__()
        self.book = book
        self.fix = fix
        self._store = store
        saved = self._saved(store) if store is not None else None  # the app's store is read once on screen
        self.editor = Editor(fix, self._saved_programs(saved))
        self.desk = 0
        self.cursor = [0] * len(fix.names)
        self.par: Fix | None = None
        self.par_problem = ""
        self.report: CheckReport | None = None
        """The checker's report on the programs as they were at the last run (``None`` after an edit)."""
        self.proof: PuzzleRun | None = None
        """A failed proof being played back."""
        self.result = "enter: run the checker on these programs."
        self.result_class = ""
        self.last_stars = 0
        self.written: Path | None = None
        """The last program file written."""
        self.note = ""
        """A line under the verdict: why an edit was refused, where a file was written (never a toast over the code)."""

    @property
    def store(self) -> Store:
        """The saved progress."""
        return self._store if self._store is not None else self.app.store

    def compose(self) -> ComposeResult:
        yield Header(icon="$")
        yield Static(id="fx-heading")
        yield Static(id="fx-goal")
        with Horizontal(id="fx-floor"):
            for index, lines in enumerate(self.fix.shipped):
                desk = FixDesk(index, self._view(index), id=f"fx-desk-{index}")
                widest = max([len(x) for x in lines] + [len(x) for x in self.fix.palettes[index]])
                desk.styles.width = f"{widest + 8}fr"
                yield desk
        with Horizontal(id="fx-low"):
            yield FixPalette(id="fx-palette")
            yield Static(id="fx-result")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "bankgame · Fix the Program"
        self.sub_title = self.fix.title
        self.query_one("#fx-result").border_title = "The checker"
        self.refresh_view()
        self.run_worker(self._search_par, thread=True, exclusive=True, group="par")

    def _search_par(self) -> None:
        """Par is the smallest fix the checker finds; the search can take a moment, off the screen's thread."""
        try:
            found = smallest_fix(self.fix)
        except TooLarge as error:
            self.app.call_from_thread(self._par_found, None, str(error))
            return
        self.app.call_from_thread(self._par_found, found, "")

    def _par_found(self, found: Fix | None, problem: str) -> None:
        self.par = found
        self.par_problem = problem
        self.refresh_view()

    # ------------------------------------------------------------- saved
    def _saved(self, store: Store | None = None) -> FixitProgress | None:
        """The best fix saved in ``store`` (the screen's by default), if any."""
        store = store if store is not None else self.store
        try:
            return store.fixits().get(self.fix.id)
        except Exception:  # noqa: BLE001 - a save problem never ends the game
            return None

    def _saved_programs(self, saved: FixitProgress | None) -> Programs | None:
        """The saved best program, if it still reads as one for this puzzle (an edited puzzle file may not)."""
        if saved is None or not saved.program:
            return None
        try:
            return read_programs(saved.program, "saved", self.fix.puzzle.machine, self.fix)
        except ProgramFileError:
            return None

    # ------------------------------------------------------------- drawing
    def _view(self, index: int) -> DeskView:
        editor = self.editor
        lines = editor.lines(index)
        fixed = tuple(editor.is_fixed(index, i) for i in range(len(lines)))
        name = self.fix.names[index]
        if self.proof is None:
            return DeskView(name, str(index + 1), lines, fixed, self.cursor[index] if index == self.desk else -1)
        run = self.proof
        damage = -1
        if run.broken is not None and run.picks and run.picks[-1] == index:
            damage = run.states[-2].pcs[index]
        pc = run.next_line(index)
        return DeskView(name, str(index + 1), lines, fixed, -1, status=run.desk_status(index),
                        next_line=pc if damage < 0 else -1, ran=frozenset(run.ran(index)), damage=damage)

    def refresh_view(self) -> None:
        """Redraw everything from the editor, the last run and the proof."""
        fix = self.fix
        if self.par is not None:
            par = f"par {self.par.cost.held} held steps, {_count(self.par.cost.tickets, 'ticket')}"
        elif self.par_problem:
            par = "par: not found (" + self.par_problem + ")"
        else:
            par = "par: the checker is searching for the smallest fix…"
        saved = self._saved()
        best = f" · best {_stars(saved.stars)}" if saved is not None and saved.stars else ""
        chapter = f"{CHAPTER_TITLE} · " if self.size.width >= 110 else ""
        self.query_one("#fx-heading", Static).update(f"{chapter}{fix.title} · {par}{best}")
        goal = Text()
        goal.append("Goal: ", "bold")
        goal.append(fix.goal)
        if fix.text and self.size.width >= 110:
            goal.append("  " + fix.text, "dim")
        self.query_one("#fx-goal", Static).update(goal)
        for desk in self.query(FixDesk):
            desk.show(self._view(desk.index))
        self.query_one(FixPalette).show(Palette(fix.names[self.desk], fix.palettes[self.desk]))
        box = self.query_one("#fx-result", Static)
        box.update(self._result_text())
        box.set_class(self.result_class == "won", "-won")
        box.set_class(self.result_class == "lost", "-lost")

    def _say(self, note: str) -> None:
        self.note = note
        self.refresh_view()

    def _result_text(self) -> Text:
        text = Text(self.result)
        if self.note:
            text.append("\n" + self.note, "bold")
        mine = cost(self.editor.programs)
        costly = mine.serialized and self.par is not None and not self.par.cost.serialized
        serial = f" · one ticket ({mine.serialized}) over everything" if costly else ""
        text.append(f"\nThis program: {_count(mine.held, 'ticket-held step')}, {_count(mine.tickets, 'ticket')}"
                    f"{serial} · {_count(self.editor.edits, 'edit')}", "dim")
        return text

    # ------------------------------------------------------------- run
    def action_run(self) -> None:
        """Run the checker on every desk's program as it is now."""
        self.note = ""
        programs = self.editor.programs
        try:
            report = self.fix.report(programs)
        except TooLarge as error:
            self._set_result(f"Too large to check ({error}): the checker gives up on this program.", "lost")
            return
        self.report = report
        if report.verdict == "safe":
            self.proof = None
            self._safe(programs, report)
            return
        self.proof = PuzzleRun(self.fix.as_puzzle(programs))
        self._show_proof()

    def _safe(self, programs: Programs, report: CheckReport) -> None:
        mine = cost(programs)
        orders = f"{report.orders:,}" if report.orders is not None else "every"
        lines = [(f"Safe: the checker tried all {orders} orders of the steps ({report.states:,} states) "
                  "and nothing breaks it.")]
        par = self.par
        if par is None:
            try:
                par = self.par = smallest_fix(self.fix)
            except TooLarge as error:
                self.par_problem = str(error)
        if par is not None:
            won = stars(mine, par.cost, True)
            self.last_stars = won
            lines[0] = f"{_stars(won)} " + lines[0]
            lines.append(_cost_words(mine, par.cost))
            self._save(won, mine, programs)
        if self.fix.lesson:
            lines.append(self.fix.lesson)
        unsaved = self.note
        self._set_result("\n".join(lines), "won")
        if unsaved:
            self._say(unsaved)

    def _show_proof(self) -> None:
        run, report = self.proof, self.report
        assert run is not None and report is not None
        total = len(report.shortest)
        done = len(run.picks)
        head = _verdict_words(report)
        if done < total:
            nxt = run.described(report.shortest[: done + 1])[-1]
            step = f"Step {done} of {total} played · space: next ({nxt[0]}: {nxt[2]})"
        elif run.broken is not None:
            step = f"All {total} steps played: the ✗ line did the damage."
        elif report.loop_from >= 0:
            step = (f"All {total} steps played: from step {report.loop_from + 1} on, the desks came back to "
                    "where they were, and can go round again for ever.")
        else:
            step = f"All {total} steps played: nobody can move."
        self._set_result(f"{head}\n{step} · any edit goes back to the code", "lost")

    def action_step(self) -> None:
        """Play the next step of the failed proof on the desks."""
        run, report = self.proof, self.report
        if run is None or report is None:
            self._say("Run the checker first (enter): a failed proof plays here a step at a time.")
            return
        if len(run.picks) >= len(report.shortest):
            self._say("The whole order has been played: edit the code, and run again.")
            return
        run.pick(report.shortest[len(run.picks)])
        self._show_proof()

    def _set_result(self, text: str, kind: str) -> None:
        self.result = text
        self.result_class = kind
        self.note = ""
        self.refresh_view()

    # ------------------------------------------------------------- edits
    def _edited(self, problem: str) -> None:
        if problem:
            self._say(f"Cannot: {problem}.")
            return
        self.report = None
        self.proof = None
        self.result, self.result_class, self.note = "Edited. enter: run the checker.", "", ""
        self.cursor[self.desk] = min(self.cursor[self.desk], len(self.editor.lines(self.desk)))
        self.refresh_view()

    def action_cursor(self, delta: int) -> None:
        """Move the cursor a line."""
        top = len(self.editor.lines(self.desk))
        self.cursor[self.desk] = max(0, min(top, self.cursor[self.desk] + delta))
        self.refresh_view()

    def action_desk(self, delta: int) -> None:
        """The cursor to the next (or the previous) desk."""
        self.desk = (self.desk + delta) % len(self.fix.names)
        self.refresh_view()

    def action_move(self, delta: int) -> None:
        """Move the line under the cursor up or down; the cursor follows it."""
        line = self.cursor[self.desk]
        problem = self.editor.move(self.desk, line, delta)
        if not problem:
            self.cursor[self.desk] = line + delta
        self._edited(problem)

    def action_insert(self, index: int) -> None:
        """Insert palette line ``index`` at the cursor."""
        palette = self.fix.palettes[self.desk]
        if index >= len(palette):
            self._say(f"The palette of {self.fix.names[self.desk]} has {len(palette)} lines.")
            return
        line = self.cursor[self.desk]
        problem = self.editor.insert(self.desk, line, palette[index])
        if not problem:
            self.cursor[self.desk] = line + 1
        self._edited(problem)

    def action_delete(self) -> None:
        """Delete the line under the cursor."""
        line = self.cursor[self.desk]
        if line >= len(self.editor.lines(self.desk)):
            self._edited("the cursor is after the last line: there is nothing to delete")
            return
        self._edited(self.editor.delete(self.desk, line))

    def action_undo(self) -> None:
        """Take back the last edit."""
        if not self.editor.undo():
            self._say("Nothing to undo.")
            return
        self._edited("")

    def action_best(self) -> None:
        """Load the saved best program."""
        programs = self._saved_programs(self._saved())
        if programs is None:
            self._say("No fix saved for this puzzle yet.")
            return
        self.editor = Editor(self.fix, programs)
        self._edited("")

    @on(FixDesk.Clicked)
    def _clicked(self, event: FixDesk.Clicked) -> None:
        self.desk = event.desk
        self.cursor[event.desk] = event.line
        self.refresh_view()

    @on(FixPalette.Picked)
    def _picked(self, event: FixPalette.Picked) -> None:
        self.action_insert(event.index)

    # ------------------------------------------------------------- saving
    def _save(self, won: int, mine: Cost, programs: Programs) -> None:
        store = self.store
        text = write_programs(self.fix.names, programs, f"{self.fix.id}: {self.fix.title}")
        try:
            store.record_fixit(self.fix.id, won, mine.held, mine.tickets, text)
        except Exception as error:  # noqa: BLE001 - a save problem never ends the game
            self._say(f"Not saved: {error}")

    def action_write(self) -> None:
        """Write the programs as they are now to a program file in the game's folder."""
        from ..store import data_folder

        folder = data_folder() / "programs"
        path = folder / f"{self.fix.id}.txt"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(write_programs(self.fix.names, self.editor.programs, f"{self.fix.id}: {self.fix.title}"),
                            encoding="utf-8")
        except OSError as error:
            self._say(f"Could not write {path}: {error.strerror or error}")
            return
        self.written = path
        self._say(f"Wrote {path}\nCheck it with: bankgame check --puzzle {self.fix.id} --program {path}")

    def action_day(self) -> None:
        """Open a day at the branch where every customer runs these programs (on the game's backend)."""
        problem = program_problem(self.fix, self.editor.programs)
        if problem:
            self._say(f"No day on this code: {problem}")
            return
        self.app.open_program_day(self.fix, self.editor.programs)

    def action_leave(self) -> None:
        """Back to the code from a proof; else back to the Puzzle Book."""
        if self.proof is not None:
            self.proof = None
            self.result, self.result_class = "Back to the code. enter: run the checker.", ""
            self.refresh_view()
            return
        self.dismiss(None)


def _verdict_words(report: CheckReport) -> str:
    if report.verdict == "broken":
        return f"Not yet: broken ({KINDS.get(report.kind, report.kind)}) in {report.par} steps. {report.text}."
    if report.verdict == "deadlocked":
        return f"Not yet: deadlocked in {report.par} steps: {report.text}."
    summary = report.summary()
    return "Not yet: " + summary[:1].lower() + summary[1:]


def _cost_words(mine: Cost, par: Cost) -> str:
    words = (f"Ticket-held steps {mine.held} (par {par.held}) · tickets {mine.tickets} (par {par.tickets}).")
    if mine.serialized and not par.serialized:
        words += (f" It is safe because {mine.serialized} is held over every line of every desk: the desks only "
                  "take turns and nothing runs at once: that is what it costs (never the third star).")
    return words


# ------------------------------------------------------------ the book's chapter
def chapter_options(book: FixBook, progress: dict[str, FixitProgress]) -> list[Option]:
    """The Puzzle Book's last chapter: every fix-it with its best stars (option ids are the fix-its' ids)."""
    options = [Option(Text(CHAPTER_TITLE, "bold"), disabled=True)]
    for fix in book.fixits:
        saved = progress.get(fix.id)
        won = saved.stars if saved is not None else 0
        line = Text(f"  {fix.title:<30.30} ")
        line.append("★" * won, "bold yellow")
        line.append("☆" * (3 - won), "dim")
        options.append(Option(line, id=fix.id))
    return options


def chapter_detail(fix: FixIt, saved: FixitProgress | None) -> Text:
    """The Puzzle Book's words about a fix-it."""
    text = Text()
    text.append(fix.title + "\n", "bold")
    text.append(CHAPTER_TEXT + "\n\n", "dim")
    text.append("Goal: ", "bold")
    text.append(fix.goal + "\n")
    if fix.text:
        text.append(fix.text + "\n")
    text.append(f"\n{len(fix.names)} desks: {', '.join(fix.names)} · make it safe\n")
    text.append("Stars: safe · no more ticket-held steps than par · and no more tickets\n", "dim")
    if saved is not None and saved.stars:
        text.append(f"Best: {_stars(saved.stars)}, {saved.held} ticket-held steps, {saved.tickets} tickets\n")
    no_day = sandbox_problem(fix)
    if no_day:
        text.append(f"No day at the branch for this one: {no_day}.\n", "dim")
    else:
        text.append("p in the editor: a day at the branch where every customer runs your code, on real processes.\n",
                    "dim")
    text.append("\nenter: edit the code", "bold")
    return text
