"""What /proc tells of a running process, for the tests that start and kill real ones."""

from __future__ import annotations

from pathlib import Path


def _field(pid: int, file: str, name: str) -> int:
    """The number after ``name:`` in /proc/PID/``file``; 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def bytes_read(pid: int) -> int:
    """What a process has read so far (its pipes included), from /proc/PID/io; 0 once it is gone."""
    return _field(pid, "io", "rchar")


def parent_of(pid: int) -> int:
    """The parent pid (a game's helpers' is the game; its workers' is the forkserver); 0 once it is gone."""
    return _field(pid, "status", "PPid")


def cmdline(pid: int) -> str:
    """The command line of a process, its arguments joined by spaces; empty once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
