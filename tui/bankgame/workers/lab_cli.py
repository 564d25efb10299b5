"""``bankgame lab``: the Lab on the command line, with a Rich progress bar and table."""

from __future__ import annotations

import sys
from typing import TextIO

from .lab import METHODS, LabResult, run_lab

VERDICT = {
    "shared-unlocked": "no ticket",
    "shared-locked": "one lock",
    "message-passing": "clerk + pipes",
}


def lab_table(result: LabResult):  # -> rich.table.Table
    """Return the Lab's result as a Rich table (symbols as well as colour)."""
    from rich.table import Table

    table = Table(title=f"The Lab · {result.processes} processes · {result.ops:,} deposits each way")
    table.add_column("method", no_wrap=True)
    table.add_column("expected", justify="right")
    table.add_column("actual", justify="right")
    table.add_column("lost", justify="right")
    table.add_column("wall s", justify="right")
    table.add_column("ops/s", justify="right")
    for column in table.columns[1:]:
        column.no_wrap = True
    for run in result.runs:
        lost = f"[bold red]✗ {run.lost:,} ({run.lost / run.expected:.0%})[/]" if run.lost else "[green]✓ 0[/]"
        table.add_row(
            f"{run.method}\n[dim]{VERDICT[run.method]}[/]", f"{run.expected:,}", f"{run.actual:,}", lost,
            f"{run.wall_s:.3f}", f"{run.ops_per_s:,.0f}",
        )
    return table


def lab_command(processes: int | None, ops: int, as_json: bool, out: TextIO | None = None) -> int:
    """Run the Lab and print a table (or one JSON object); return the exit status."""
    out = out or sys.stdout
    if as_json:
        print(run_lab(processes, ops).to_json(), file=out)
        return 0
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=out)
    columns = (TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks = [bar.add_task(method, total=ops, start=False) for method in METHODS]

        def progress(done: int, total: int) -> None:
            for index, task in enumerate(tasks):
                if done >= index * ops and not bar.tasks[index].started:
                    bar.start_task(task)
                bar.update(task, completed=min(ops, max(0, done - index * ops)))
                if done >= (index + 1) * ops:
                    bar.stop_task(task)

        result = run_lab(processes, ops, progress=progress)
        for task in tasks:
            bar.update(task, completed=ops)
    console.print(lab_table(result))
    unlocked = result.run("shared-unlocked")
    if unlocked.lost:
        console.print(f"Without a ticket, {unlocked.lost:,} deposits vanished: two processes read the same balance and both wrote.")
    else:
        console.print("No deposit was lost without a ticket this time: the race is real but needs two processes running at once.")
    return 0
