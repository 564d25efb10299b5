"""The Lab on real processes: a lock and messages never lose a deposit."""

from __future__ import annotations

import json
import multiprocessing
import threading

import pytest

from bankgame.cli import main
from bankgame.workers.lab import METHODS, RACE_METHODS, LabCancelled, run_lab


def test_three_ways_and_what_always_holds() -> None:
    seen: list[tuple[int, int]] = []
    result = run_lab(2, 30_000, progress=lambda done, total: seen.append((done, total)), methods=RACE_METHODS)
    assert [run.method for run in result.runs] == list(RACE_METHODS)
    assert (result.processes, result.ops) == (2, 30_000)
    for run in result.runs:
        assert run.expected == 30_000
        assert run.lost == run.expected - run.actual
        assert run.wall_s > 0 and run.ops_per_s > 0
    assert 0 <= result.run("shared-unlocked").actual <= 30_000
    assert result.run("shared-locked").lost == 0
    assert result.run("message-passing").lost == 0
    assert list(result) == list(result.runs)
    assert all(0 <= done <= total == 90_000 for done, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert {done for done, _ in seen} >= {0, 30_000, 60_000, 90_000}  # each run starts and ends


def test_without_a_lock_deposits_are_lost() -> None:
    # Overwhelming on purpose: eight processes in a read-work-write on two
    # accounts lose updates whenever any two overlap or one is preempted
    # between its read and its write, on one core or many.
    result = run_lab(8, 80_000, methods=("shared-unlocked",))
    assert result.run("shared-unlocked").lost > 0


def test_uneven_shares_still_add_up() -> None:
    result = run_lab(3, 1_001, methods=("shared-locked", "message-passing"))
    assert [run.actual for run in result.runs] == [1_001, 1_001]


def test_cancel_stops_the_workers() -> None:
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        cancel.set()

    with pytest.raises(LabCancelled):
        run_lab(2, 50_000_000, progress=progress, cancel=cancel)
    assert not multiprocessing.active_children()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        run_lab(0, 10)
    with pytest.raises(ValueError):
        run_lab(2, 10, methods=("telepathy",))


def test_lab_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "--processes", "2", "--ops", "4000", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["processes"] == 2 and out["ops"] == 4000
    assert [run["method"] for run in out["runs"]] == list(METHODS)
    for run in out["runs"]:
        assert set(run) == {"method", "expected", "actual", "lost", "wall_s", "ops_per_s", "workers", "per_op_us",
                            "speedup"}
        assert run["lost"] == run["expected"] - run["actual"]
    runs = {run["method"]: run for run in out["runs"]}
    for method in ("shared-locked", "message-passing", "threads-locked", "value-get-lock",
                   "cost-queue", "cost-pipe", "cost-shared-memory"):
        assert runs[method]["lost"] == 0, method
    assert runs["speedup-threads"]["speedup"] > 0 and runs["speedup-processes"]["speedup"] > 0
    assert out["python"].split()[0] and isinstance(out["gil"], bool)


def test_lab_command_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "--processes", "2", "--ops", "2000"]) == 0
    out = capsys.readouterr().out
    assert "shared-locked" in out and "message-passing" in out and "✓ 0" in out


@pytest.mark.parametrize("args", [["lab", "--ops", "0"], ["lab", "--processes", "0"], ["lab", "--ops", "many"]])
def test_lab_command_refuses_bad_numbers(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert "usage: bankgame lab" in capsys.readouterr().err
