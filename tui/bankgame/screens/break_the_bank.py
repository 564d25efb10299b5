"""Break the Bank: the player is the scheduler and picks who moves.

``bankgame.engine.challenge`` decides everything (the steps, undo by replay,
the verdicts, the proof over every order); this screen draws it and passes
the player's keys on.
"""

from __future__ import annotations

from rich.text import Text
from collections.abc import Iterator

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..engine import Level, account_name, money
from ..engine.challenge import ChallengeRun, ChallengeSpec, describe_order, explore, level_stars, load_challenges, open_challenge
from ..engine.programs import Step
from ..workers import make_backend
from ..widgets.program_view import ProgramView
from ..widgets.python_view import PythonView

PYTHON_NOTE = "Here you pick the order of the steps. An export (x) runs them on real processes, and the OS picks."

KEYS = ("a", "b")
"""The key that moves each cashier (Ann, Ben)."""


class BreakTheBankScreen(Screen[None]):
    """Pick who moves; undo; see the verdict; prove the locked program safe.

    Args:
        level: the Break the Bank level (its ``[[challenges]]``).
        store: saved progress (the app's by default): a won challenge is kept.
    """

    BINDINGS = [
        Binding("a,1", "pick(0)", "Ann moves"),
        Binding("b,2", "pick(1)", "Ben moves"),
        Binding("u,backspace", "undo", "Undo"),
        Binding("r", "reset", "Reset"),
        Binding("p", "prove", "Every order"),
        Binding("y", "python", "Python"),
        Binding("x", "export", "Export .py", show=False),
        Binding("right,n", "challenge(1)", "Next challenge"),
        Binding("left", "challenge(-1)", "Previous", show=False),
        Binding("escape", "leave", "Back"),
    ]

    DEFAULT_CSS = """
    BreakTheBankScreen { layout: vertical; }
    #bb-heading { height: auto; padding: 0 1; background: $boost; }
    #bb-text { height: auto; padding: 0 1; }
    #bb-floor { height: 1fr; }
    #bb-side { width: 36; }
    #bb-ledger, #bb-order { border: round $panel-lighten-2; padding: 0 1; border-title-color: $text-accent; }
    #bb-ledger { height: auto; }
    #bb-order { height: 1fr; }
    #bb-verdict { height: auto; min-height: 3; border: heavy $primary; padding: 0 1; border-title-color: $text-accent; }
    #bb-verdict.-won { border: heavy $success; }
    #bb-verdict.-lost { border: heavy $warning; }
    .bb-desk { width: 1fr; height: 1fr; }
    .bb-desk PythonView { display: none; height: 1fr; }
    BreakTheBankScreen.-python .bb-desk PythonView { display: block; }
    """

    def __init__(self, level: Level, store: object | None = None) -> None:
        super().__init__()
        self.level = level
        self.specs: list[ChallengeSpec] = load_challenges(level)
        self.index = 0
        self.run = self._new_run(self.specs[0])
        self.programs = self._programs(self.specs[0])
        self._store = store
        self.won: set[str] = set()
        self.proof = ""
        self.python = False
        """Whether each program is shown as Python too (y)."""
        self._python: list = []

    def _new_run(self, spec: ChallengeSpec) -> ChallengeRun:
        """A run on the game's backend: Ann and Ben are real processes on a real shared ledger."""
        try:
            name = self.app.backend_name
        except Exception:  # noqa: BLE001 - a screen made outside the game (tests): in-process
            name = "inline"
        try:
            return ChallengeRun(spec, lambda: make_backend(name))
        except Exception as error:  # noqa: BLE001 - processes could not start: say so, play on
            self.notify(f"Real worker processes could not start ({error}); this challenge runs in-process.",
                        title="Break the Bank", severity="warning")
            return ChallengeRun(spec)

    def on_unmount(self) -> None:
        self.run.close()

    @staticmethod
    def _programs(spec: ChallengeSpec) -> list[list[Step]]:
        return [list(desk.program) for desk in open_challenge(spec).desks]

    def compose(self) -> ComposeResult:
        yield Header(icon="$")
        yield Static(id="bb-heading")
        yield Static(id="bb-text")
        with Horizontal(id="bb-floor"):
            for index, key in enumerate(KEYS):
                with Vertical(classes="bb-desk"):
                    yield ProgramView(self.run, index, self.programs[index], key, id=f"bb-desk-{index}")
                    yield PythonView(note=PYTHON_NOTE, id=f"bb-python-{index}")
            with Vertical(id="bb-side"):
                yield Static(id="bb-ledger")
                yield Static(id="bb-order")
        yield Static(id="bb-verdict")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "bankgame"
        self.sub_title = self.level.title
        self.query_one("#bb-ledger").border_title = "Ledger"
        self.query_one("#bb-order").border_title = "Your order"
        self.query_one("#bb-verdict").border_title = "Verdict"
        self.won = self._won_before()
        self.refresh_view()

    # ------------------------------------------------------------ progress
    @property
    def store(self) -> object | None:
        """The saved progress, if any."""
        return self._store if self._store is not None else getattr(self.app, "store", None)

    def _won_before(self) -> set[str]:
        store = self.store
        if store is None or not hasattr(store, "history"):
            return set()
        won: set[str] = set()
        for day in store.history(self.level.id, limit=1000):
            won.update(day.details.get("challenges", []))
        return won & {spec.id for spec in self.specs}

    def _record_win(self) -> None:
        spec = self.specs[self.index]
        if spec.id in self.won:
            return
        self.won.add(spec.id)
        stars = level_stars(self.won, self.specs)
        store = self.store
        if store is not None and hasattr(store, "record_day"):
            try:
                store.record_day(self.level.id, stars=stars, score=100 * stars, seed=self.level.seed,
                                 details={"challenges": sorted(self.won)})
            except Exception as error:  # a save problem never ends the game
                self.notify(f"Not saved: {error}", title="Saved progress", severity="warning")
        if stars == len(self.specs):
            self.notify("Every challenge won: you broke what could be broken, and nothing else.", title="★★★ Break the Bank")

    # ------------------------------------------------------------- drawing
    def refresh_view(self) -> None:
        """Redraw everything from the challenge run."""
        spec = self.specs[self.index]
        run = self.run
        tabs = Text()
        for number, other in enumerate(self.specs):
            mark = "✓" if other.id in self.won else "·"
            label = f" {mark} {number + 1} {other.title} "
            tabs.append(label, "bold reverse" if number == self.index else "")
        stars = level_stars(self.won, self.specs)
        tabs.append(f"   {'★' * stars}{'☆' * (len(self.specs) - stars)}")
        self.query_one("#bb-heading", Static).update(tabs)
        par = f" Par: {spec.par} steps." if spec.par else ""
        self.query_one("#bb-text", Static).update(" ".join(spec.text.split()) + par)
        for view in self.query(ProgramView):
            view.show(run, self.programs[view.index])
        self._show_python()
        self.query_one("#bb-ledger", Static).update(self._ledger())
        order = describe_order(spec, run.picks)
        shown = order[-12:]
        lines = [f"{len(order) - len(shown) + i + 1:>2} {line}" for i, line in enumerate(shown)]
        self.query_one("#bb-order", Static).update("\n".join(lines) or "a or b: pick who moves")
        verdict = run.verdict()
        text = verdict.text if not self.proof else self.proof
        if verdict.won and stars == len(self.specs) and self.level.debrief:
            text += "\n" + " ".join(self.level.debrief.split())  # every challenge won: the lesson
        box = self.query_one("#bb-verdict", Static)
        box.update(("★ " if verdict.won else "") + text)
        box.set_class(verdict.won, "-won")
        box.set_class(verdict.over and not verdict.won, "-lost")

    def _ledger(self) -> Text:
        branch = self.run.branch
        text = Text()
        for account in range(branch.day.accounts):
            name = account_name(account)
            holder = branch.ticket_holder.get(name, -1)
            ticket = ""
            if branch.has_ticket(name):
                ticket = f"  ticket: {branch.desks[holder].name}" if holder >= 0 else "  ticket: free"
            text.append(f"{name}  {money(branch.backend.balances()[account])}{ticket}\n")
        expected = self.specs[self.index].opening_balance * branch.day.accounts + sum(
            c[2] if c[0] == "deposit" else 0 for c in self.specs[self.index].customers)
        text.append(f"when both finish: {money(expected)} in all", "dim")
        return text

    # ------------------------------------------------------------- actions
    def action_pick(self, actor: int) -> None:
        """Let cashier ``actor`` take its next step."""
        run = self.run
        name = run.branch.desks[actor].name
        if actor not in run.movable():
            why = "the challenge is decided: undo (u) or reset (r)" if run.verdict().over else f"{name} has finished"
            self.notify(f"{name} cannot move: {why}.", title="Scheduler", timeout=3)
            return
        run.pick(actor)
        self.proof = ""
        if run.verdict().won:
            self._record_win()
        self.refresh_view()

    def action_undo(self) -> None:
        """Take back the last step."""
        if not self.run.undo():
            self.notify("Nothing to undo.", title="Scheduler", timeout=2)
        self.proof = ""
        self.refresh_view()

    def action_reset(self) -> None:
        """Start this challenge again."""
        self.run.reset()
        self.proof = ""
        self.refresh_view()

    def action_prove(self) -> None:
        """Try every order of these two programs and say what they come to."""
        result = explore(self.specs[self.index])
        self.proof = "Every order tried. " + result.summary()
        if result.broken_example is not None:
            first = "; ".join(describe_order(self.specs[self.index], result.broken_example))
            self.proof += f" One of them: {first}."
        self.refresh_view()

    def action_challenge(self, delta: int) -> None:
        """Go to the next (or previous) challenge."""
        self.index = (self.index + delta) % len(self.specs)
        self.run.close()
        self.run = self._new_run(self.specs[self.index])
        self.programs = self._programs(self.specs[self.index])
        self.proof = ""
        self.refresh_view()

    # ------------------------------------------------------------ Python
    def action_python(self) -> None:
        """Show (or hide) both programs as Python, the next line of each marked."""
        self.python = not self.python
        self.set_class(self.python, "-python")
        self._show_python()

    def _show_python(self) -> None:
        if not self.python:
            return
        from ..engine.python_code import desk_python

        spec = self.specs[self.index]
        if len(self._python) != len(self.programs) or self._python[0][0] is not self.programs[0]:
            desks = self.run.branch.desks
            self._python = [(program, desk_python(program, lock_order=spec.lock_order, title=(
                desks[i].customer.describe() if desks[i].customer else spec.customers[i][0])))
                for i, program in enumerate(self.programs)]
        branch = self.run.branch
        for view in self.query(ProgramView):
            code = self._python[view.index][1]
            pc = view.pc()
            desk = branch.desks[view.index]
            self.query_one(f"#bb-python-{view.index}", PythonView).show(
                code, code.line_for(pc), mark="◷" if desk.waiting_for else "▶", comment=code.leaving(pc),
                title=f"Python · {desk.name}" + ("" if pc < len(view.program) else " · finished"))

    def action_export(self) -> None:
        """Write this challenge as a script: Ann and Ben on real processes, over and over, no scheduler."""
        from ..exporting import challenge_script, default_name, export_folder, write_script

        spec = self.specs[self.index]
        try:
            title, text = challenge_script(spec.id)
            path = write_script(export_folder() / default_name(title), text)
        except (OSError, KeyError) as error:
            self.notify(f"Not written: {error}", title="Export", severity="error")
            return
        self.notify(f"Wrote {path}\nRun it with python: Ann and Ben on real processes, the OS picks the order.",
                    title="Exported to Python", timeout=8)

    def palette_commands(self) -> Iterator[SystemCommand]:
        """Yield this screen's own palette entries: the Python view and the export."""
        yield SystemCommand("Show the programs as Python" if not self.python else "Hide the Python",
                            "Each cashier's program as Python with multiprocessing, the next line marked (y)",
                            self.action_python)
        yield SystemCommand("Export this challenge as a Python script",
                            "Ann and Ben on real processes, no scheduler: the OS picks the order (x)", self.action_export)

    def action_leave(self) -> None:
        """Back to the screen underneath."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.notify("This is the only screen: ctrl+q quits.", title="bankgame", timeout=3)
