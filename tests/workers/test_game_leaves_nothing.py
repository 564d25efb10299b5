"""The game in a real terminal (a pty), ended every way: nothing of it is left.

Quit, SIGTERM, SIGHUP, SIGINT, SIGKILL of the game, SIGKILL of its whole
process group, and a forkserver killed mid-game (whose successor must not
write to the terminal). Only this game's processes (by marker) and names
(by pid) are looked at.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest
from test_kill_matrix import MARKER, marked, next_start, wait_for

from bankgame.workers.leftovers import names_of, sweep
from process_support import cmdline, parent_of


class TerminalGame:
    """``bankgame sandbox`` in its own session on a 120x36 pty, its output drained."""

    def __init__(self, home: Path, marker: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        env = {**os.environ, MARKER: marker, "BANKGAME_HOME": str(home), "TERM": "xterm-256color"}
        env.pop("BANKGAME_WORKER_LOG", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bankgame", "sandbox"], stdin=slave, stdout=slave, stderr=slave,
            env=env, start_new_session=True, close_fds=True,
        )
        os.close(slave)
        self.pid = self.process.pid
        self.home = home
        self.marker = marker
        self.output = bytearray()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def helper(self, needle: str) -> int | None:
        return next((p for p in marked(self.marker) if parent_of(p) == self.pid and needle in cmdline(p)), None)

    def end(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(20)
        os.close(self.master)
        wait_for(lambda: not marked(self.marker), 10)
        sweep(self.home)  # what a failed test left, removed as the next start would


WAYS = ["quit", "SIGTERM", "SIGHUP", "SIGINT", "SIGKILL", "group", "forkserver-killed"]


@pytest.mark.parametrize("way", WAYS)
def test_the_game_leaves_nothing(tmp_path: Path, way: str) -> None:
    import uuid

    game = TerminalGame(tmp_path, uuid.uuid4().hex)
    try:
        # The sandbox is open: forkserver, resource tracker, four cashiers, and the day's names.
        assert wait_for(lambda: len(marked(game.marker)) >= 7 or game.process.poll() is not None, 60)
        assert game.process.poll() is None, bytes(game.output[-2000:])
        assert wait_for(lambda: names_of(game.pid)), "the game's names are not in /dev/shm"
        if way == "forkserver-killed":
            old = game.helper("multiprocessing.forkserver")
            cashier = next(p for p in marked(game.marker) if parent_of(p) == old)
            os.kill(old, signal.SIGKILL)
            # The next cashier start (a cashier killed too) needs a forkserver: the game starts one.
            os.kill(cashier, signal.SIGKILL)
            assert wait_for(lambda: game.helper("multiprocessing.forkserver") not in (None, old), 60)
            new = game.helper("multiprocessing.forkserver")
            log = str(tmp_path / "workers.log")
            assert os.readlink(f"/proc/{new}/fd/1") == log and os.readlink(f"/proc/{new}/fd/2") == log
            assert game.process.poll() is None
            os.write(game.master, b"\x11")  # ctrl+q
        elif way == "quit":
            os.write(game.master, b"\x11")
        elif way == "group":
            os.killpg(game.pid, signal.SIGKILL)
        else:
            game.process.send_signal(getattr(signal, way))
        assert wait_for(lambda: game.process.poll() is not None, 60), f"the game did not end ({way})"
        assert wait_for(lambda: not marked(game.marker), 60), [cmdline(p) for p in marked(game.marker)]
        if way == "group":
            assert names_of(game.pid)  # nobody was left to free them
            assert "Removed" in next_start(tmp_path)
        elif way == "SIGKILL":
            # Its resource tracker freed its names; only the folder of its forkserver's socket is left.
            assert not names_of(game.pid)
            assert "Removed 1 temporary folder left" in next_start(tmp_path)
        assert not names_of(game.pid)
        assert "Removed" not in next_start(tmp_path)
        assert b"Traceback" not in game.output or way == "SIGINT"
    finally:
        game.end()
