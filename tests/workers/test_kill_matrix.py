"""Kill every kind of process of a headless day, in both modes: nothing of that game is left.

Each game runs in its own session (so that its process group can be
SIGKILLed at once) with its own marker in the environment, which every
process it starts inherits: /proc tells exactly which processes are its
own, and its pid names exactly its blocks and semaphores in /dev/shm. Other
games running on this machine at the same time are never looked at.

The day is short (a few seconds), yet every kill lands in its middle: the
game is stopped (SIGSTOP) the moment its workers are seen at work, the
process is killed while it is frozen, and the game goes on (SIGCONT). The
test then fails loudly if the day had ended before it could be stopped.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bankgame.day import open_day
from bankgame.engine import make_report
from bankgame.workers.leftovers import names_of, sweep
from process_support import bytes_read, cmdline, parent_of

MARKER = "BANKGAME_TEST_MARKER"
CUSTOMERS = 6000
DAY = ["--customers", str(CUSTOMERS), "--cashiers", "4", "--seed", "3"]
"""A day of a few seconds on real processes (the game is frozen for each kill)."""
AT_WORK = 8 * 1024
"""Bytes a worker reads after it was first seen once it is at work (a few hundred requests)."""


def marked(marker: str) -> list[int]:
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    if (entry / "stat").read_text().rsplit(") ", 1)[1][0] not in "ZX":
                        found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


class Game:
    """One ``bankgame`` command in its own session, and what it started."""

    def __init__(self, home: Path, *args: str) -> None:
        self.marker = uuid.uuid4().hex
        self.env = {**os.environ, MARKER: self.marker, "BANKGAME_HOME": str(home)}
        self.env.pop("BANKGAME_WORKER_LOG", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bankgame", *args], env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        self.pid = self.process.pid
        self.home = home

    def helper(self, kind: str) -> int | None:
        """The running forkserver or resource tracker of this game."""
        needle = "multiprocessing.forkserver" if kind == "forkserver" else "multiprocessing.resource_tracker"
        return next((p for p in marked(self.marker) if parent_of(p) == self.pid and needle in cmdline(p)), None)

    def workers(self) -> list[int]:
        """The cashiers or clerks: children of the forkserver."""
        server = self.helper("forkserver")
        return [p for p in marked(self.marker) if server and parent_of(p) == server]

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """Stop the game (its workers and helpers run on, idle) while inside; fail if its day is already over."""
        os.kill(self.pid, signal.SIGSTOP)
        try:
            assert self.process.poll() is None, "the day ended before the game could be stopped"
            yield
        finally:
            os.kill(self.pid, signal.SIGCONT)

    def end(self) -> None:
        """Stop what a failed test left running, and remove its names (as the next start would)."""
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.communicate()
        wait_for(lambda: not marked(self.marker), 10)
        sweep(self.home)


@functools.lru_cache
def _expected_report(mode: str) -> str:
    level, branch = open_day("sandbox", 3, {"mode": mode, "customers": CUSTOMERS, "cashiers": 4}, "inline")
    with branch:
        branch.run()
        return make_report(branch, level.id, level.goals).to_json()


def expected_report(mode: str) -> dict:
    """The undisturbed day's report, as ``--json`` prints it."""
    return json.loads(_expected_report(mode))


def temp_folder(home: Path, pid: int) -> Path:
    """The ``multiprocessing`` folder that running game ``pid`` named in its record."""
    return Path((home / "games" / str(pid)).read_text().splitlines()[1])


def next_start(home: Path) -> str:
    """Start bankgame again (a quick headless day); return what it said on stderr."""
    out = subprocess.run(
        [sys.executable, "-m", "bankgame", "simulate", "--customers", "1"], capture_output=True, text=True,
        timeout=60, env={**os.environ, "BANKGAME_HOME": str(home)},
    )
    assert out.returncode == 0, out.stderr
    return out.stderr


WORKERS = {"shared": 4, "message": 2}
"""The day's cashiers (shared memory) or clerks (messages): all of them are started before anything is killed.
A forkserver killed while a desk was still starting failed that start, and the day went on in-process."""
KILLS = ["parent", "worker", "tracker", "forkserver-then-tracker", "group"]
"""Each kind of process, and the group: the forkserver is killed (and must come back) before the tracker."""


@pytest.mark.parametrize("mode", ["shared", "message"])
@pytest.mark.parametrize("kill", KILLS)
def test_nothing_of_the_game_is_left(tmp_path: Path, mode: str, kill: str) -> None:
    game = Game(tmp_path, "simulate", "--backend", "process", "--mode", mode, "--json", *DAY)
    try:
        # Running: its helpers, all its workers, and its block and semaphores in /dev/shm.
        assert wait_for(lambda: game.helper("resource tracker") and len(game.workers()) >= WORKERS[mode]
                        or game.process.poll() is not None)
        assert game.process.poll() is None, game.process.communicate()
        assert names_of(game.pid), "the game's names are not in /dev/shm: nothing would be tested"
        folder = temp_folder(tmp_path, game.pid)
        assert folder.name.startswith("pymp-") and folder.is_dir(), folder
        if kill in ("parent", "group"):
            with game.frozen():
                (os.kill if kill == "parent" else os.killpg)(game.pid, signal.SIGKILL)
        elif kill == "worker":
            # Only once it is at work: a clerk killed before it is given its
            # accounts held nothing yet, and its start is no recovery.
            worker = game.workers()[0]
            seen = bytes_read(worker)
            assert wait_for(lambda: bytes_read(worker) > seen + AT_WORK or game.process.poll() is not None)
            with game.frozen():
                os.kill(worker, signal.SIGKILL)
        else:
            for helper in kill.split("-then-"):
                helper = "resource tracker" if helper == "tracker" else helper
                with game.frozen():
                    old = game.helper(helper)
                    assert old is not None
                    os.kill(old, signal.SIGKILL)
                # The game notices and starts a new one (its own child, with the log as its output).
                assert wait_for(lambda h=helper, o=old: game.helper(h) not in (None, o)), f"no new {helper}"
                new = game.helper(helper)
                log = str(tmp_path / "workers.log")
                assert os.readlink(f"/proc/{new}/fd/1") == log and os.readlink(f"/proc/{new}/fd/2") == log
        out, err = game.process.communicate(timeout=300)
        assert "Traceback" not in err
        if kill in ("parent", "group"):
            assert game.process.returncode == -signal.SIGKILL
        else:
            # The day went on to its end, with the same report as an undisturbed day.
            assert game.process.returncode == 0, err
            expected = expected_report(mode)
            if kill == "worker" and mode == "message":
                expected["recovered_clerks"] = 1  # a killed clerk is recovered, and the report says so
            assert json.loads(out) == expected
            if kill != "worker":
                assert all(h in err for h in kill.replace("tracker", "resource tracker").split("-then-")), err
        assert wait_for(lambda: not marked(game.marker)), [cmdline(p) for p in marked(game.marker)]
        if kill not in ("parent", "group"):
            assert not names_of(game.pid)  # freed by the game, or by its resource tracker
            assert not folder.exists()
            assert "Removed" not in next_start(tmp_path)
        elif kill == "parent":
            # Its resource tracker freed the names; the folder of its forkserver's socket is the next start's.
            assert not names_of(game.pid)
            assert folder.is_dir()
            said = next_start(tmp_path)
            assert "Removed 1 temporary folder left behind by 1 earlier game" in said, said
            assert not folder.exists()
            assert "Removed" not in next_start(tmp_path)
        else:
            # Nobody was left to free them: the next start does, and says so once.
            assert names_of(game.pid)
            said = next_start(tmp_path)
            assert "Removed" in said and "earlier game" in said and "temporary folder" in said, said
            assert not names_of(game.pid) and not folder.exists()
            assert "Removed" not in next_start(tmp_path)
    finally:
        game.end()
