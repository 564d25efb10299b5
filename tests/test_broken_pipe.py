"""A command whose reader goes away (``bankgame simulate | head``) stops quietly: no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bankgame.cli import BROKEN_PIPE


@pytest.mark.parametrize("args", [["simulate", "--customers", "20"], ["simulate", "--customers", "20", "--json"]])
def test_a_closed_pipe_ends_the_command_quietly(args: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader has gone before the first line: every write meets a closed pipe
    try:
        done = subprocess.run([sys.executable, "-m", "bankgame", *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == BROKEN_PIPE
