"""The Lab's Python runs: threads, Value's lock, costs and speed-ups; the locked ones never lose."""

from __future__ import annotations

import multiprocessing
import os
import sys

from bankgame.workers.lab import LabResult, run_lab
from bankgame.workers.lab_cli import lab_table, python_morals
from bankgame.workers.lab_python import (
    COST_METHODS,
    PYTHON_METHODS,
    SPEEDUP_METHODS,
    gil_enabled,
    thread_ops,
)
from bankgame.workers.leftovers import block_prefix


def shm_entries() -> set[str]:
    return set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()


def test_every_python_run_and_what_always_holds() -> None:
    before = shm_entries()
    result = run_lab(2, 20_000, methods=PYTHON_METHODS)
    runs = {run.method: run for run in result.runs}
    assert list(runs) == list(PYTHON_METHODS)
    for run in result.runs:
        assert run.lost == run.expected - run.actual, run.method
        assert run.wall_s > 0 and run.ops_per_s > 0 and run.per_op_us > 0 and run.workers >= 2
    for method in ("threads-augmented", "threads-call", "threads-locked"):
        assert runs[method].expected == thread_ops(20_000)
        assert 0 <= runs[method].actual <= runs[method].expected  # a lost update never adds money
    assert 0 <= runs["value-default-lock"].actual <= 20_000
    # What must always hold: the locked ones lose nothing; a handed-over deposit arrives.
    assert runs["threads-locked"].lost == 0
    assert runs["value-get-lock"].lost == 0
    for method in COST_METHODS:
        assert runs[method].lost == 0 and runs[method].expected == 5_000
    for method in SPEEDUP_METHODS:
        assert runs[method].speedup is not None and runs[method].speedup > 0
    # Nothing left behind: no process, no shared-memory block of ours.
    assert not multiprocessing.active_children()
    assert not {name for name in shm_entries() - before if name.startswith(block_prefix())}


def test_value_without_get_lock_loses_with_many_processes() -> None:
    # Overwhelming: eight processes on one Value; its lock guards the read and the write
    # apart, so a preemption between them (on one core or many) loses an update.
    result = run_lab(8, 200_000, methods=("value-default-lock", "value-get-lock"))
    assert result.run("value-get-lock").lost == 0
    assert result.run("value-default-lock").lost > 0


def test_which_python_and_the_gil() -> None:
    result = run_lab(2, 2_000, methods=("threads-augmented",))
    assert result.python.endswith(".".join(map(str, sys.version_info[:2])) + f".{sys.version_info[2]}")
    assert result.gil == gil_enabled()
    if not hasattr(sys, "_is_gil_enabled"):
        assert result.gil  # before 3.13 every CPython has the GIL
    assert result.as_dict()["gil"] == result.gil


def test_the_table_and_the_morals_name_every_run() -> None:
    result = run_lab(2, 2_000, methods=PYTHON_METHODS)
    assert isinstance(result, LabResult)
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(lab_table(result))
    text = console.export_text()
    for method in PYTHON_METHODS:
        assert method in text
    assert "GIL" in text and result.python in text
    morals = " ".join(python_morals(result))
    assert "get_lock" in morals and "µs" in morals and "Speed-up" in morals
