"""The SIGCONT that comes with a hang-up leaves the closed terminal alone.

Textual sets the terminal up again on every SIGCONT (back from Ctrl+Z). On a
terminal that hung up that starts a second input thread, which spins on
end-of-file and can outlive the game's shutdown (see ``bankgame/terminal.py``).
"""

from __future__ import annotations

import os
import pty
import signal

import pytest
from textual.app import App

from bankgame.terminal import TerminalDriver


@pytest.mark.parametrize("hung_up", [False, True])
async def test_sigcont_sets_up_only_a_terminal_that_is_still_there(hung_up: bool) -> None:
    saved = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}
    master, follower = pty.openpty()
    try:
        # Built in a running loop, as Textual builds it; the handlers it installs are restored below.
        driver = TerminalDriver(App())
        driver.fileno = follower
        resumed: list[bool] = []
        driver.resume_application_mode = lambda: resumed.append(True)  # type: ignore[method-assign]
        if hung_up:
            os.close(master)  # the window closed: the kernel hangs the terminal up
            master = -1
        signal.getsignal(signal.SIGCONT)(signal.SIGCONT, None)  # type: ignore[operator]
        assert resumed == ([] if hung_up else [True])
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
        os.close(follower)
        if master >= 0:
            os.close(master)
