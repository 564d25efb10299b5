"""A live day on real processes survives its forkserver, then its resource tracker, SIGKILLed.

The helpers are this test process's own; killing them mid-day inside a
running app is exactly what crashed the game (a helper started again from
inside Textual, whose stderr has no file descriptor).
"""

from __future__ import annotations

import gc
import os
import signal
import time
from pathlib import Path

from bankgame.app import BankApp
from bankgame.day import open_day
from bankgame.engine import make_report
from bankgame.store import Store
from bankgame.workers import helpers
from bankgame.workers.leftovers import SHM_DIR
from branch_support import branch_screen

OPTIONS = {"tickets": "accounts", "customers": 60}


def kill(pid: int | None) -> None:
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None and time.monotonic() < deadline:
        time.sleep(0.02)


def expected() -> str:
    level, branch = open_day("sandbox", 4, OPTIONS, "inline")
    with branch:
        branch.run()
        return make_report(branch, level.id, level.goals).to_json()


def day_names(branch) -> list[str]:
    backend = branch.backend
    return [backend.ledger.name] + ["sem." + lock._semlock.name.lstrip("/") for lock in backend.locks]


async def test_a_live_day_goes_on_when_its_helpers_are_killed_and_retry_opens_on_real_processes() -> None:
    day = open_day("sandbox", 4, OPTIONS, "process")
    level, branch = day
    names = day_names(branch)
    helpers.ensure_process_helpers()
    log = Path(helpers._helpers_log or "")
    start = log.stat().st_size if log.exists() else 0
    app = BankApp(day=day, backend="process", paused=True, store=Store.memory())
    app.animation_level = "none"
    said: list[str] = []  # every notice, however long ago its toast timed out
    notify = app.notify

    def noting(message: str, *args: object, **kwargs: object) -> None:
        said.append(str(message))
        notify(message, *args, **kwargs)  # type: ignore[arg-type]

    app.notify = noting  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = branch_screen(app)
        screen.advance(10)
        kill(helpers._forkserver_pid())
        screen.advance(10)
        # A cashier dying now needs a new process, started from inside the running app.
        os.kill(branch.backend.cashiers.processes[1].pid, signal.SIGKILL)
        screen.advance(10)
        kill(helpers._tracker_pid())
        while not branch.over:
            screen.advance(8)
            await pilot.pause()
        assert make_report(branch, level.id, level.goals).to_json() == expected()
        assert branch.backend.fallback is None
        assert any("forkserver" in m for m in said) and any("resource tracker" in m for m in said), said
        for pid in helpers.helper_pids():  # never the terminal
            assert os.readlink(f"/proc/{pid}/fd/1") == str(log) and os.readlink(f"/proc/{pid}/fd/2") == str(log)
        # Retry with both helpers dead again: the next day opens on real processes, no KeyError anywhere.
        await pilot.pause()
        kill(helpers._forkserver_pid())
        kill(helpers._tracker_pid())
        app.screen.action_retry()
        await app.workers.wait_for_complete()  # a day on real processes opens off the UI thread
        await pilot.pause()
        assert app.branch is not None and app.branch is not branch
        assert app.branch.backend.name == "process" and app.branch.backend.fallback is None
        app.branch.step_tick()
    gc.collect()
    assert not [name for name in names if (SHM_DIR / name).exists()]
    written = log.read_text()[start:]
    assert "KeyError" not in written and "Traceback" not in written, written[-2000:]
