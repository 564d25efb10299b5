"""Closing the terminal ends the game: at once, every time, leaving nothing.

The game runs in a real terminal (a tmux pane) and the terminal is closed
under it (``tmux kill-session``, as closing a window does). Textual's output
thread used to die on the first write the closed terminal refused, and the
game then hung for ever in its shutdown (see ``bankgame/terminal.py``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

from bankgame.terminal import SurvivingOutput

IN_CI = os.environ.get("CI") == "true"
SCREENS = ["help", "title", "help"]
"""What is open when the terminal closes, run after run. With the help open the
closing terminal is sent the most (its long page drawn again): without the
surviving output the game hung every time (14 of 14, pty and tmux); with only
the title open, about half of the time."""
EXIT_WITHIN = 5.0
"""Seconds the game may take to end after its terminal closed (the issue's bound)."""


class DeadTerminal:
    """A stream like a hung-up tty: every write fails with EIO."""

    def write(self, text: str) -> int:
        raise OSError(5, "Input/output error")

    def flush(self) -> None:
        raise OSError(5, "Input/output error")

    def fileno(self) -> int:
        return 2

    def isatty(self) -> bool:
        return True


def test_output_to_a_dead_terminal_never_blocks_the_game() -> None:
    """Many more writes than Textual's queue holds, then a stop: all of them return."""
    writer = WriterThread(SurvivingOutput(DeadTerminal()))  # type: ignore[arg-type]
    writer.start()
    finished = threading.Event()

    def shut_down() -> None:
        for n in range(10 * MAX_QUEUED_WRITES):
            writer.write(f"frame {n}")
        writer.stop()
        finished.set()

    threading.Thread(target=shut_down, daemon=True).start()
    # Not a timing: a blocked queue never unblocks, this only bounds the wait.
    assert finished.wait(30), "writes to a dead terminal blocked (Textual's output thread died)"
    assert not writer.is_alive()


def _marked(marker: str) -> list[int]:
    """Processes carrying this run's marker in their environment: the game and its workers."""
    needle = f"BANKGAME_TEST_MARK={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                stat = (entry / "stat").read_text()
                if stat[stat.rindex(")") + 2] not in "ZX":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def _wait(predicate, timeout: float, what: str) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - start


def test_closing_the_terminal_ends_the_game_every_time(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        if IN_CI:
            pytest.fail("CI must run the closed-terminal test, but tmux is missing")
        pytest.skip("tmux is missing")
    home = tmp_path / "home"
    left_behind: list[int] = []
    for run, screen in enumerate(SCREENS):
        marker, session = uuid.uuid4().hex, f"bankgame-close-{uuid.uuid4().hex[:8]}"
        command = (f"env BANKGAME_HOME={home} BANKGAME_TEST_MARK={marker} TEXTUAL_ANIMATIONS=none "
                   f"{sys.executable} -m bankgame")
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command], check=True)
        try:
            _wait(lambda s=session: "Quit" in _tmux("capture-pane", "-p", "-t", s), 30, "the title screen")
            if screen == "help":
                subprocess.run(["tmux", "send-keys", "-t", session, "?"], check=True)
                _wait(lambda s=session: "How to play" in _tmux("capture-pane", "-p", "-t", s), 30, "the help screen")
            assert _marked(marker), "the game is running"
            subprocess.run(["tmux", "kill-session", "-t", session], check=True)
            try:
                _wait(lambda m=marker: not _marked(m), EXIT_WITHIN, "the game to end")
            except AssertionError:
                left_behind = _marked(marker)
                raise AssertionError(
                    f"run {run + 1} of {len(SCREENS)} ({screen} open): the game did not end within "
                    f"{EXIT_WITHIN:.0f} s of its terminal closing; still running: {left_behind}"
                ) from None
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
            for pid in _marked(marker):
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass


class Pty:
    """A pseudo-terminal with the game on its far side; closing it is closing the terminal window."""

    def __init__(self, home: Path, marker: str) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.master, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        env = {**os.environ, "BANKGAME_HOME": str(home), "BANKGAME_TEST_MARK": marker,
               "TEXTUAL_ANIMATIONS": "none", "TERM": "xterm-256color"}
        env.pop("NO_COLOR", None)
        # Its own session with the pty as its controlling terminal: the hang-up reaches it as it would.
        self.game = subprocess.Popen([sys.executable, "-m", "bankgame"], stdin=follower, stdout=follower,
                                     stderr=follower, env=env, start_new_session=True,
                                     preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(follower)
        self.seen = b""

    def read_until(self, text: bytes, guard: float = 60.0) -> None:
        """Read what the game draws until ``text`` is among it (``guard`` only bounds a game that never draws it)."""
        import select

        start = time.monotonic()
        while text not in self.seen:
            assert time.monotonic() - start < guard, f"{text!r} never drawn; last: {self.seen[-300:]!r}"
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                self.seen += os.read(self.master, 1 << 16)

    def close(self) -> None:
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


def test_a_closed_pty_ends_the_game_every_time_and_leaves_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for run, screen in enumerate(SCREENS):
        marker = uuid.uuid4().hex
        terminal = Pty(home, marker)
        try:
            terminal.read_until(b"Quit")
            if screen == "help":
                os.write(terminal.master, b"?")
                terminal.read_until(b"How to play")
            assert len(_marked(marker)) > 1, "the game and its process helpers are running"
            terminal.close()
            try:
                # A hung game never exits: the bound only keeps a failing run from lasting for ever.
                terminal.game.wait(timeout=60)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"run {run + 1} of {len(SCREENS)} ({screen} open): the game hung after its terminal closed") from None
            # Its forkserver and resource tracker end when the game does (they see its end of their pipes close).
            _wait(lambda m=marker: not _marked(m), 60, f"run {run + 1}: what the game started to end")
        finally:
            terminal.close()
            if terminal.game.poll() is None:
                os.killpg(terminal.game.pid, 9)
                terminal.game.wait()
            for pid in _marked(marker):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
