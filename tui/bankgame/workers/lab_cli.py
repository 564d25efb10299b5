"""``bankgame lab``: the Lab on the command line, with a Rich progress bar and table."""

from __future__ import annotations

import sys
from typing import TextIO

from .lab import METHODS, LabResult, LabRun, run_lab

VERDICT = {
    "shared-unlocked": "no ticket",
    "shared-locked": "one lock",
    "message-passing": "clerk + pipes",
    "threads-augmented": "counter.value += 1",
    "threads-call": "value = value + f()",
    "threads-locked": "with threading.Lock()",
    "value-default-lock": "v.value += 1",
    "value-get-lock": "with v.get_lock()",
    "cost-queue": "Queue put → get",
    "cost-pipe": "Pipe send → recv",
    "cost-shared-memory": "shm write + Lock",
    "speedup-threads": "N threads vs 1",
    "speedup-processes": "N processes vs 1",
}


def speedup_text(run: LabRun) -> str:
    """Return a run's speed-up over one worker (``×1.84``), or ``""``."""
    return f"×{run.speedup:.2f}" if run.speedup is not None else ""


def lab_table(result: LabResult):  # -> a Rich renderable: two tables
    """Return the Lab's result as Rich tables (symbols as well as colour): what was lost, then what it costs."""
    from rich.console import Group
    from rich.table import Table

    gil = "GIL on" if result.gil else "GIL off (free-threaded)"
    races = Table(title=f"The Lab · {result.processes} processes · {result.ops:,} deposits each way · "
                        f"{result.python}, {gil}")
    costs = Table(title="What it costs · one operation handed over, and N workers against one")
    for name in ("method", "expected", "actual", "lost", "ops/s"):
        races.add_column(name, justify="left" if name == "method" else "right", no_wrap=True)
    for name in ("method", "ops", "µs/op", "ops/s", "speed-up"):
        costs.add_column(name, justify="left" if name == "method" else "right", no_wrap=True)
    for run in result.runs:
        method = f"{run.method}\n[dim]{VERDICT.get(run.method, '')}[/]"
        if run.group in ("cost", "speedup"):
            costs.add_row(method, f"{run.expected:,}", f"{run.per_op_us:.2f}", f"{run.ops_per_s:,.0f}", speedup_text(run))
            continue
        lost = f"[bold red]✗ {run.lost:,} ({run.lost / run.expected:.0%})[/]" if run.lost else "[green]✓ 0[/]"
        races.add_row(method, f"{run.expected:,}", f"{run.actual:,}", lost, f"{run.ops_per_s:,.0f}")
    return Group(races, costs) if costs.row_count else races


def lab_command(processes: int | None, ops: int, as_json: bool, out: TextIO | None = None) -> int:
    """Run the Lab and print a table (or one JSON object); return the exit status."""
    out = out or sys.stdout
    if as_json:
        print(run_lab(processes, ops).to_json(), file=out)
        return 0
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=out)
    columns = (TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
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
    for line in python_morals(result):
        console.print(line)
    return 0


def python_morals(result: LabResult) -> list[str]:
    """Return what the Python runs showed, in a sentence each."""
    runs = {run.method: run for run in result.runs}
    lines = []
    augmented, call = runs.get("threads-augmented"), runs.get("threads-call")
    if augmented and call:
        why = ("with the GIL a thread is switched only at a call or a backward jump, so only the call between "
               "the read and the write lets another thread in" if result.gil else
               "without the GIL threads truly run at once: any read-then-write can lose")
        lines.append(f"Threads: `counter += 1` lost {augmented.lost:,}, `counter = counter + f()` lost {call.lost:,} "
                     f"of {call.expected:,}: {why}.")
    value = runs.get("value-default-lock")
    if value:
        lines.append(f"multiprocessing.Value: `v.value += 1` lost {value.lost:,} despite its lock "
                     "(it guards the read and the write apart); `with v.get_lock():` loses none.")
    costs = [runs[m] for m in ("cost-queue", "cost-pipe", "cost-shared-memory") if m in runs]
    if costs:
        lines.append("Per operation: " + ", ".join(f"{VERDICT[r.method]} {r.per_op_us:.2f} µs" for r in costs) + ".")
    speed = [runs[m] for m in ("speedup-threads", "speedup-processes") if m in runs]
    if speed:
        lines.append("Speed-up over one worker: " + ", ".join(
            f"{r.workers} {r.method.split('-')[1]} {speedup_text(r)}" for r in speed) + ".")
    return lines
