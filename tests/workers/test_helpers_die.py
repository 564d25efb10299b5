"""A killed forkserver or resource tracker is a fault like a dead clerk: noticed, restarted, nothing lost.

The helpers are this test process's own (the forkserver and the resource
tracker every process backend here uses), so each test kills them for real
and checks that later tests still find them working.
"""

from __future__ import annotations

import gc
import os
import signal
import time
from multiprocessing import util
from pathlib import Path

import pytest

from bankgame.day import open_day
from bankgame.engine import make_report
from bankgame.workers import helpers, leftovers


def kill(pid: int | None) -> None:
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    # Dead, not yet reaped: the game's own check must find it (it waits with WNOWAIT).
    assert wait_for(lambda: exited(pid))


def exited(pid: int) -> bool:
    """Whether child ``pid`` has exited (reaped already, by a game restarting its helpers meanwhile, counts)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] in "ZX"
    except OSError:
        return True


def names_of_day(branch) -> set[str]:
    """The /dev/shm entries of this day's block and tickets."""
    backend = branch.backend
    return {backend.ledger.name} | {"sem." + lock._semlock.name.lstrip("/") for lock in backend.locks}


def model_report(level_id: str, seed: int, options: dict, every: int = 0) -> str:
    level, branch = open_day(level_id, seed, options, "inline")
    with branch:
        branch.run(kill_clerk_every=every)
        return make_report(branch, level.id, level.goals).to_json()


@pytest.mark.parametrize(
    ("level_id", "seed", "options", "every"),
    [("rush-hour", 2, {"tickets": "accounts"}, 0), ("back-office", 3, {"mode": "message"}, 7)],
    ids=["shared", "message"],
)
def test_forkserver_then_tracker_killed_mid_day_change_nothing_in_the_report(
    level_id: str, seed: int, options: dict, every: int
) -> None:
    expected = model_report(level_id, seed, options, every)
    level, branch = open_day(level_id, seed, options, "process")
    backend = branch.backend
    names = names_of_day(branch)
    assert all((leftovers.SHM_DIR / name).exists() for name in names)
    workers = [p.pid for p in (backend.cashiers or backend.clerks).processes]
    notices: list[str] = []
    with branch:
        while not branch.over:
            if every and branch.mode == "message" and branch.tick and branch.tick % every == 0:
                branch.kill_clerk((branch.tick // every) % len(branch.clerks))
            branch.step_tick()
            if branch.tick == 15:
                kill(helpers._forkserver_pid())
            if branch.tick == 20 and backend.cashiers is not None:
                # A cashier dying now needs a new process: the forkserver comes back from there.
                os.kill(backend.cashiers.processes[0].pid, signal.SIGKILL)
            if branch.tick == 40:
                kill(helpers._tracker_pid())
            notices += backend.take_notices()
        report = make_report(branch, level.id, level.goals).to_json()
        notices += backend.take_notices()
    assert report == expected
    assert backend.fallback is None  # still real processes
    assert any("forkserver" in n for n in notices), notices
    assert any("resource tracker" in n for n in notices), notices
    # The day's names are unlinked, and the workers started by the dead forkserver are gone.
    gc.collect()
    assert not [name for name in names if (leftovers.SHM_DIR / name).exists()]
    assert wait_for(lambda: all(gone(pid) for pid in workers)), workers
    assert helpers.helpers_alive()


def test_the_report_is_unchanged_when_real_processes_cannot_come_back(monkeypatch: pytest.MonkeyPatch) -> None:
    options = {"tickets": "accounts", "customers": 60}
    expected = model_report("sandbox", 4, options)
    level, branch = open_day("sandbox", 4, options, "process")
    backend = branch.backend
    names = names_of_day(branch)

    def cannot_start(*args: object) -> int:
        raise OSError("no more processes")

    with branch:
        while not branch.over:
            branch.step_tick()
            if branch.tick == 10:
                monkeypatch.setattr(util, "spawnv_passfds", cannot_start)
                kill(helpers._forkserver_pid())
        report = make_report(branch, level.id, level.goals).to_json()
        fell_back = backend.fallback is not None
    monkeypatch.undo()
    assert report == expected
    assert fell_back and backend.name == "inline"
    assert any("in-process" in n for n in backend.take_notices())
    gc.collect()
    assert not [name for name in names if (leftovers.SHM_DIR / name).exists()]
    helpers.restart_dead_helpers()  # for the tests that follow
    assert helpers.helpers_alive()


def test_message_mode_falls_back_with_its_mail_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    options = {"mode": "message", "customers": 60}
    expected = model_report("sandbox", 6, options, every=5)
    level, branch = open_day("sandbox", 6, options, "process")

    def cannot_start(*args: object) -> int:
        raise OSError("no more processes")

    with branch:
        while not branch.over:
            if branch.tick and branch.tick % 5 == 0:
                branch.kill_clerk((branch.tick // 5) % len(branch.clerks))
            branch.step_tick()
            if branch.tick == 12:
                monkeypatch.setattr(util, "spawnv_passfds", cannot_start)
                kill(helpers._forkserver_pid())
        report = make_report(branch, level.id, level.goals).to_json()
        fell_back = branch.backend.fallback is not None
    monkeypatch.undo()
    assert fell_back
    assert report == expected
    helpers.restart_dead_helpers()
    assert helpers.helpers_alive()


def test_the_lab_runs_after_its_helpers_were_killed() -> None:
    from bankgame.workers import run_lab
    from bankgame.workers.lab import RACE_METHODS

    helpers.ensure_process_helpers()
    kill(helpers._forkserver_pid())
    kill(helpers._tracker_pid())
    before = set(leftovers.names_of())
    result = run_lab(2, 4_000, methods=RACE_METHODS)  # the three runs on the game's own workers
    assert [run.expected for run in result.runs] == [4_000] * 3
    assert helpers.helpers_alive()
    gc.collect()
    assert set(leftovers.names_of()) <= before  # the Lab's blocks and locks are gone again


def test_a_lab_run_whose_forkserver_is_killed_is_run_again() -> None:
    import threading

    from bankgame.workers import run_lab

    helpers.ensure_process_helpers()
    server = helpers._forkserver_pid()
    out: list = []
    lab = threading.Thread(target=lambda: out.append(run_lab(2, 1_000_000, methods=("shared-locked",))))
    lab.start()

    def children(pid: int) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if f"PPid:\t{pid}\n" in (entry / "status").read_text():
                        found.append(int(entry.name))
                except OSError:
                    pass
        return found

    assert wait_for(lambda: len(children(server)) >= 2)  # the Lab's workers are racing
    racing = children(server)
    kill(server)
    lab.join(120)
    assert not lab.is_alive() and out, "the Lab did not finish"
    (run,) = out[0].runs
    assert run.expected == run.actual == 1_000_000  # the locked run, done again from the start
    assert helpers._forkserver_pid() != server
    assert wait_for(lambda: all(gone(pid) for pid in racing)), racing  # the first run's workers were stopped
