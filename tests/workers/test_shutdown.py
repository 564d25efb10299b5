"""No worker outlives the command: normal exit, an exception, Ctrl+C, SIGTERM, SIGHUP, SIGKILL.

Each run gets its own marker in the environment; every process it starts
(forkserver, resource tracker, cashiers, clerks) inherits it, so /proc tells
exactly what is left, whoever its parent is now.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bankgame.workers.leftovers import names_of
from process_support import bytes_read, parent_of

MARKER = "BANKGAME_TEST_MARKER"
BUSY = 64 * 1024
"""Bytes a worker has read once it is well into the day (about a thousand requests)."""
LONG_DAY = ["simulate", "--backend", "process", "--customers", "100000", "--cashiers", "4"]


def marked(marker: str) -> list[int]:
    """Return the live processes carrying ``marker`` in their environment."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def start(home: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    marker = uuid.uuid4().hex
    env = {**os.environ, MARKER: marker, "BANKGAME_HOME": str(home)}
    env.pop("BANKGAME_WORKER_LOG", None)
    process = subprocess.Popen([sys.executable, "-m", "bankgame", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, marker


def workers_of(process: subprocess.Popen[str], marker: str) -> list[int]:
    return [pid for pid in marked(marker) if pid != process.pid]


def cpu_ticks(pid: int) -> int:
    """The CPU time a process has used, in clock ticks (usually hundredths of a second), from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


def serving(process: subprocess.Popen[str], pid: int) -> bool:
    """Whether worker ``pid`` is well into the day (it has read many requests), or the command ended."""
    return bytes_read(pid) > BUSY or process.poll() is not None


def desks_of(process: subprocess.Popen[str], marker: str) -> list[int]:
    """The day's cashiers (or the Lab's workers): the workers the forkserver started, not the command's helpers."""
    return [pid for pid in workers_of(process, marker) if parent_of(pid) != process.pid]


def all_of(pids: list[int], condition) -> bool:
    """Whether there are such processes and ``condition`` holds of each."""
    return bool(pids) and all(condition(pid) for pid in pids)


def started(process: subprocess.Popen[str], marker: str, count: int) -> bool:
    # forkserver + resource tracker + the desks
    assert wait_for(lambda: len(workers_of(process, marker)) >= count or process.poll() is not None)
    return process.poll() is None


def test_normal_exit_leaves_nothing(tmp_path: Path) -> None:
    process, marker = start(tmp_path, "simulate", "--backend", "process", "--mode", "message", "--kill-clerk-every", "5")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "recovered" in out
    assert wait_for(lambda: not marked(marker)), marked(marker)
    assert "leaked" not in (tmp_path / "workers.log").read_text()


@pytest.mark.parametrize(
    ("signum", "status"),
    [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGHUP, 128 + signal.SIGHUP), (signal.SIGINT, 130), (signal.SIGKILL, -signal.SIGKILL)],
    ids=["SIGTERM", "SIGHUP", "SIGINT", "SIGKILL"],
)
def test_a_signal_to_the_command_leaves_nothing(tmp_path: Path, signum: int, status: int) -> None:
    process, marker = start(tmp_path, *LONG_DAY)
    try:
        assert started(process, marker, 6), process.communicate()
        assert wait_for(lambda: all_of(desks_of(process, marker), lambda pid: serving(process, pid)))  # well into the day
        assert names_of(process.pid)  # the day's block and tickets
        process.send_signal(signum)
        process.communicate(timeout=20)
        assert process.returncode == status
        # SIGKILL gives no chance to clean up: the workers notice their parent is gone.
        assert wait_for(lambda: not marked(marker)), marked(marker)
        # ...and the resource tracker, last to go, unlinks what the game could not.
        assert not names_of(process.pid)
        if signum != signal.SIGKILL:
            assert "leaked" not in (tmp_path / "workers.log").read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_a_killed_cashier_is_restarted_and_the_day_goes_on(tmp_path: Path) -> None:
    # (An exception unwinding the command is the SIGINT case above: KeyboardInterrupt.)
    process, marker = start(tmp_path, *LONG_DAY)
    try:
        assert started(process, marker, 6)
        assert wait_for(lambda: all_of(desks_of(process, marker), lambda pid: serving(process, pid)))  # the day is running
        log = str(tmp_path / "workers.log")
        for pid in workers_of(process, marker):  # no child can paint over the terminal
            assert os.readlink(f"/proc/{pid}/fd/1") == log and os.readlink(f"/proc/{pid}/fd/2") == log
        desk = desks_of(process, marker)[0]
        os.kill(desk, signal.SIGKILL)
        # A new cashier takes its place and the day goes on.
        assert wait_for(lambda: process.poll() is None and desk not in workers_of(process, marker)
                        and len(workers_of(process, marker)) >= 6)
        # The new cashier serves: the day goes on.
        new = [pid for pid in desks_of(process, marker) if pid != desk]
        assert wait_for(lambda: any(serving(process, pid) for pid in new))
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
        assert process.returncode == 128 + signal.SIGTERM, err
        assert wait_for(lambda: not marked(marker)), marked(marker)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGKILL, -signal.SIGKILL)], ids=["SIGTERM", "SIGKILL"]
)
def test_lab_interrupted_leaves_nothing(tmp_path: Path, signum: int, status: int) -> None:
    # The Lab's workers spin in a busy loop, not on a pipe: only their
    # parent-watching thread can notice a SIGKILLed parent.
    process, marker = start(tmp_path, "lab", "--processes", "2", "--ops", "50000000", "--json")
    try:
        assert started(process, marker, 4)
        # The workers are racing: each has spent a tenth of a second on the CPU.
        assert wait_for(lambda: process.poll() is not None or all_of(desks_of(process, marker), lambda pid: cpu_ticks(pid) >= 10))
        process.send_signal(signum)
        process.communicate(timeout=20)
        assert process.returncode == status
        assert wait_for(lambda: not marked(marker)), marked(marker)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
