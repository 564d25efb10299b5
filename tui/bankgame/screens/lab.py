"""The Lab: the same workload free-running on real processes, measured on this machine."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, ProgressBar, Static
from textual.worker import Worker, WorkerState

from ..paths import assets_dir
from ..widgets.bar_chart import Bar, BarChart, Chart
from .bank_screen import BankScreen

if TYPE_CHECKING:  # the Lab's processes start only when it runs
    from ..workers.lab import LabResult
from ..widgets.title_bar import TitleBar

LabRunner = Callable[..., Any]
"""``run_lab(processes, ops, progress=None[, cancel=Event])``: ``progress(done, total)``
is called from the worker thread; ``cancel`` is set when the player leaves the lab."""

METHOD_WORDS = {
    "shared-unlocked": "shared, no lock", "shared-locked": "shared + lock", "message-passing": "message passing",
    "threads-augmented": "threads: c += 1", "threads-call": "threads: c = c + f()",
    "threads-locked": "threads + Lock", "value-default-lock": "Value: v.value += 1",
    "value-get-lock": "Value + get_lock()", "cost-queue": "a Queue message", "cost-pipe": "a Pipe message",
    "cost-shared-memory": "shared memory + Lock", "speedup-threads": "N threads vs 1",
    "speedup-processes": "N processes vs 1",
}
"""The Lab's methods (``bankgame.workers.lab.METHODS``) as the player reads them."""
DEFAULT_OPS = 200_000
OPS_STEPS = (20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000)


@dataclass(frozen=True, slots=True)
class LabRow:
    """One method's measurement, as the table and chart show it."""

    method: str
    expected: int
    actual: int
    lost: int
    wall: float
    """Seconds."""
    ops_per_s: float
    per_op_us: float = 0.0
    """Microseconds per operation."""
    speedup: float | None = None
    """One worker's time over N workers' (``speedup-*`` runs)."""

    @property
    def group(self) -> str:
        """``shared``, ``message``, ``threads``, ``value``, ``cost`` or ``speedup``."""
        return self.method.split("-")[0]

    @property
    def lost_percent(self) -> float:
        """Updates lost, as a share of those expected."""
        return 100.0 * self.lost / self.expected if self.expected else 0.0


def lab_rows(result: LabResult) -> list[LabRow]:
    """Return the rows of a ``bankgame.workers.LabResult``, in the order the runs ran."""
    return [LabRow(run.method, run.expected, run.actual, run.lost, run.wall_s, run.ops_per_s,
                   run.per_op_us or 1e6 * run.wall_s / max(1, run.expected), run.speedup)
            for run in result.runs]


def interpreter_text(result: LabResult) -> str:
    """Return which Python ran a Lab and whether the GIL was on, or ``""`` if it does not say."""
    if not result.python:
        return ""
    return f"{result.python} · " + ("GIL on" if result.gil else "GIL off (free-threaded)")


def method_text(method: str) -> str:
    """Return a method's name as the player reads it."""
    return METHOD_WORDS.get(method, method)


def default_runner() -> LabRunner:
    """Return the real lab, ``bankgame.workers.run_lab``."""
    from ..workers import run_lab

    return run_lab


class LabScreen(BankScreen[None]):
    """Run the Lab off the UI thread, then show its table and chart.

    Args:
        runner: ``run_lab(processes, ops, progress=None)``; by default the
            app's ``lab_runner`` if it has one, else the real one. Tests pass a fake.
        processes: worker processes racing (``None``: the runner's default, one per core).
        ops: deposits in all, for each method.
        autorun: start a run as soon as the screen opens.
    """

    CSS_PATH = assets_dir() / "styles" / "lab.tcss"

    BINDINGS = [
        Binding("r", "run", "Run"),
        Binding("plus,equals_sign", "ops(1)", "More ops"),
        Binding("minus", "ops(-1)", "Fewer ops"),
        Binding("escape", "back", "Back"),
    ]

    class Progressed(Message):
        """The lab moved on (posted from the worker thread)."""

        def __init__(self, done: float, total: float | None) -> None:
            super().__init__()
            self.done = done
            self.total = total

    def __init__(self, runner: LabRunner | None = None, processes: int | None = None,
                 ops: int = DEFAULT_OPS, autorun: bool = True) -> None:
        super().__init__()
        self._runner = runner
        self.processes = processes
        self.ops = ops
        self.autorun = autorun
        self.title = "Lab"
        self.sub_title = "real processes on this machine"
        self.rows: list[LabRow] = []
        """The last run's measurements."""
        self.interpreter = ""
        """Which Python measured them, and whether the GIL was on."""
        self.running = False
        """Whether a run is under way."""
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        """Lay out the explanation, the progress, the table and the charts."""
        yield TitleBar()
        with VerticalScroll(id="lab-body"):
            yield Static(Content.assemble(
                ("The same deposits, free-running on real processes: ", "$text"),
                ("shared memory without a lock, with a lock, and by message passing;", "bold"),
                (" then threads and the GIL, Value's lock, and what each way costs.", "$text"),
                (" Lost updates, wall time and throughput are measured on this machine.", "$text-muted"),
            ), id="lab-intro")
            with Horizontal(id="lab-run"):
                yield Button("▶ Run", id="lab-run-button", variant="primary", compact=True)
                yield Static(id="lab-setup")
                yield ProgressBar(id="lab-progress", show_eta=False)
            yield Static(id="lab-status")
            table: DataTable = DataTable(id="lab-table", cursor_type="none", zebra_stripes=True)
            table.add_column("method", key="method")
            for label in ("expected", "actual", "lost", "wall time", "ops/s", "µs/op", "speed-up"):
                table.add_column(Text(label, justify="right"), key=label)
            yield table
            with Horizontal(id="lab-charts"):
                with Vertical(id="lab-lost-box") as box:
                    box.border_title = "Updates lost (%)"
                    yield BarChart(id="lab-lost", empty="Run the lab to see lost updates.")
                with Vertical(id="lab-speed-box") as box:
                    box.border_title = "Throughput (ops/s)"
                    yield BarChart(id="lab-speed", empty="Run the lab to see throughput.")
            with Horizontal(id="lab-cost-charts"):
                with Vertical(id="lab-cost-box") as box:
                    box.border_title = "One operation handed over (µs)"
                    yield BarChart(id="lab-cost", empty="Run the lab to see what a message costs.")
                with Vertical(id="lab-speedup-box") as box:
                    box.border_title = "Speed-up over one worker (×)"
                    yield BarChart(id="lab-speedup", empty="Run the lab to see threads against processes.")
        yield Footer()

    def on_mount(self) -> None:
        """Start a run."""
        self._show_setup()
        self._status("Press r to run the lab.")
        if self.autorun:
            self.action_run()

    def _show_setup(self) -> None:
        for setup in self.query("#lab-setup").results(Static):
            racers = f"{self.processes} processes" if self.processes else "a process per core"
            setup.update(Content.assemble((f"{self.ops:,}", "bold"), " deposits each way · ", (racers, "bold")))

    def _status(self, text: str, style: str = "$text-muted") -> None:
        for status in self.query("#lab-status").results(Static):
            status.update(Content.styled(text, style))

    def action_run(self) -> None:
        """Run the lab again (nothing happens while a run is under way)."""
        bars = self.query("#lab-progress").results(ProgressBar)
        if self.running or not bars:
            return
        runner = self._runner or self.app.lab_runner or default_runner()
        self._set_running(True)
        for bar in bars:
            bar.update(total=None, progress=0)
        self._status("Running on real processes… the game stays responsive meanwhile.")
        self._run(runner)

    def _set_running(self, running: bool) -> None:
        self.running = running
        for button in self.query("#lab-run-button").results(Button):
            button.disabled = running
            button.label = "Running…" if running else "▶ Run again" if self.rows else "▶ Run"

    @on(Button.Pressed, "#lab-run-button")
    def _run_pressed(self) -> None:
        self.action_run()

    def action_ops(self, direction: int) -> None:
        """Pick more or fewer operations for the next run."""
        steps = OPS_STEPS
        index = min(range(len(steps)), key=lambda i: abs(steps[i] - self.ops))
        self.ops = steps[max(0, min(len(steps) - 1, index + direction))]
        self._show_setup()

    def action_back(self) -> None:
        """Leave the lab."""
        if len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.app.pop_screen()

    @work(thread=True, exclusive=True, group="lab", exit_on_error=False)
    def _run(self, runner: LabRunner) -> list[LabRow]:
        def progress(done: float, total: float | None = None) -> None:
            self.post_message(self.Progressed(done, total))

        options: dict[str, Any] = {"progress": progress}
        try:
            if "cancel" in inspect.signature(runner).parameters:
                self._cancel.clear()
                options["cancel"] = self._cancel
        except (TypeError, ValueError):  # a runner without a signature to read
            pass
        result = runner(self.processes, self.ops, **options)
        self.interpreter = interpreter_text(result)
        return lab_rows(result)

    def on_unmount(self) -> None:
        """Stop a run under way: its processes are not needed any more."""
        self._cancel.set()

    def on_lab_screen_progressed(self, message: Progressed) -> None:
        """Move the progress bar."""
        bar = next(iter(self.query("#lab-progress").results(ProgressBar)), None)
        if bar is None:
            return
        if message.total:
            bar.update(total=message.total, progress=message.done)
        elif 0 <= message.done <= 1:
            bar.update(total=1.0, progress=message.done)

    @on(Worker.StateChanged)
    def _run_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "lab" or not self.query("#lab-table"):
            return
        if event.state == WorkerState.SUCCESS:
            self.show_rows(event.worker.result or [])
            self._set_running(False)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._set_running(False)
            error = event.worker.error
            self._status(f"The lab stopped: {error}" if error else "The lab was cancelled.", "$text-error")
            self.query_one("#lab-progress", ProgressBar).update(total=1, progress=0)

    def show_rows(self, rows: list[LabRow]) -> None:
        """Fill the table and the charts with ``rows``."""
        self.rows = list(rows)
        table = self.query_one("#lab-table", DataTable)
        table.clear()
        # Only the theme's colour: a cell keeps the table's own background (zebra, cursor).
        colours = self.app.theme_variables
        error = Style.parse(f"bold {colours.get('text-error', 'red')}")
        fine = Style.parse(colours.get("text-success", "green"))
        for row in self.rows:
            lost = Text(f"✗ {row.lost:,} ({row.lost_percent:.1f}%)", style=error, justify="right") if row.lost else Text("✓ 0", style=fine, justify="right")
            speedup = f"×{row.speedup:.2f}" if row.speedup is not None else ""
            table.add_row(
                method_text(row.method), *(Text(cell, justify="right") for cell in (f"{row.expected:,}", f"{row.actual:,}")),
                lost, *(Text(cell, justify="right") for cell in (
                    f"{row.wall:.3f} s", f"{row.ops_per_s:,.0f}", f"{row.per_op_us:.2f}", speedup)), key=row.method,
            )
        # Races (lost updates) apart from costs: a thread's 30 million increments a second
        # would flatten every process bar on one throughput scale.
        races = [r for r in self.rows if r.group in ("shared", "message", "threads", "value")]
        self.query_one("#lab-lost", BarChart).show(Chart(
            tuple(Bar(method_text(r.method), r.lost_percent, f"{r.lost_percent:5.1f}%") for r in races), maximum=100.0,
        ))
        self.query_one("#lab-speed", BarChart).show(Chart(
            tuple(Bar(method_text(r.method), r.ops_per_s, f"{r.ops_per_s:,.0f}") for r in self.rows
                  if r.group in ("shared", "message")),
        ))
        self.query_one("#lab-cost", BarChart).show(Chart(
            tuple(Bar(method_text(r.method), r.per_op_us, f"{r.per_op_us:,.2f}") for r in self.rows if r.group == "cost"),
        ))
        self.query_one("#lab-speedup", BarChart).show(Chart(
            tuple(Bar(method_text(r.method), r.speedup or 0.0, f"×{r.speedup or 0:.2f}") for r in self.rows
                  if r.group == "speedup"),
        ))
        bar = self.query_one("#lab-progress", ProgressBar)
        bar.update(total=1, progress=1)
        self._status(self._moral(), "$text")

    def _moral(self) -> str:
        lossy = [r for r in self.rows if r.lost and r.group in ("shared", "message")] or [r for r in self.rows if r.lost]
        if not self.rows:
            return "The lab returned nothing."
        # The money moves of the race runs; threads and costs are compared among themselves.
        moves = [r for r in self.rows if r.group in ("shared", "message")] or self.rows
        fastest = max(moves, key=lambda r: r.ops_per_s)
        safe = [r for r in moves if not r.lost]
        parts = []
        if lossy:
            parts.append(f"✗ {method_text(lossy[0].method)} lost {lossy[0].lost:,} updates.")
        if safe:
            best = max(safe, key=lambda r: r.ops_per_s)
            parts.append(f"✓ Fastest correct: {method_text(best.method)}.")
        if fastest.lost:
            parts.append("The fastest method is the one that loses money.")
        runs = {r.method: r for r in self.rows}
        if "threads-call" in runs and "threads-augmented" in runs:
            parts.append(f"Threads: c += 1 lost {runs['threads-augmented'].lost:,}, c = c + f() lost "
                         f"{runs['threads-call'].lost:,}: a switch lands at the call, between read and write.")
        if "value-default-lock" in runs:
            parts.append(f"Value's own lock lost {runs['value-default-lock'].lost:,}; get_lock() lost none.")
        if self.interpreter:
            parts.append(f"Measured with {self.interpreter}.")
        return " ".join(parts)
