"""The headless commands against bad input and interruptions: exit 2 with a reason, or 130 quietly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

MARKER = "BANKGAME_TEST_MARKER"


def run(*args: str, home: Path | str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BANKGAME_HOME": str(home)}
    env.pop("BANKGAME_WORKER_LOG", None)
    return subprocess.run([sys.executable, "-m", "bankgame", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)


@pytest.mark.parametrize("processes", ["1000", "65", "0", "-3"])
def test_lab_processes_are_bounded(tmp_path: Path, processes: str) -> None:
    result = run("lab", "--processes", processes, "--ops", "10", home=tmp_path)
    assert result.returncode == 2
    assert "usage: bankgame lab" in result.stderr
    assert f"--processes must be between 1 and 64, not {processes}" in result.stderr


@pytest.mark.parametrize("command", [
    ["simulate", "--backend", "process", "--customers", "5"],
    ["simulate", "--customers", "5", "--json"],
    ["lab", "--processes", "2", "--ops", "2000", "--json"],
])
def test_headless_commands_run_with_an_unusable_home(tmp_path: Path, command: list[str]) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("not a folder")
    result = run(*command, home=not_a_folder / "home")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stdout.strip()


@pytest.mark.parametrize("command", [
    ["clerk", "--listen", "127.0.0.1:0"],
    ["simulate", "--level", "second-branch", "--customers", "3", "--remote", "127.0.0.1:9"],
], ids=["clerk", "remote"])
def test_the_clerk_key_cannot_be_kept_in_an_unusable_home(tmp_path: Path, command: list[str]) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("not a folder")
    result = run(*command, home=not_a_folder / "home", timeout=60)
    assert result.returncode == 2, result.stderr
    assert "clerk.key: cannot keep a key there (Not a directory); give one with --authkey-file FILE" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_clerk_refuses_an_empty_host() -> None:
    from bankgame.workers.remote_clerk import parse_address

    with pytest.raises(ValueError, match="has no host"):
        parse_address("[]:7040")
    assert parse_address("[::1]:7040") == ("::1", 7040)


def _ipv6_loopback() -> bool:
    import socket

    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_the_clerk_writes_its_ipv6_address_in_brackets(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("k" * 32)
    env = {**os.environ, "BANKGAME_HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "bankgame", "clerk", "--listen", "[::1]:0",
                                "--authkey-file", str(key)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, start_new_session=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("clerk listening on [::1]:"), line
        assert line.strip().rpartition(":")[2].isdigit()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)


def _marked(marker: str) -> list[int]:
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _shared_memory_of(pids: list[int]) -> set[str]:
    """The /dev/shm files these processes have mapped (what this command created)."""
    names = set()
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
                if "/dev/shm/" in line:
                    names.add(line.split("/dev/shm/", 1)[1].split()[0])
        except OSError:
            continue
    return names


def _wait(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("command", [
    ["simulate", "--backend", "process", "--customers", "100000", "--cashiers", "4"],
    ["lab", "--processes", "2", "--ops", "50000000"],
], ids=["simulate", "lab"])
def test_ctrl_c_ends_a_command_quietly_and_leaves_nothing(tmp_path: Path, command: list[str]) -> None:
    marker = uuid.uuid4().hex
    env = {**os.environ, MARKER: marker, "BANKGAME_HOME": str(tmp_path)}
    env.pop("BANKGAME_WORKER_LOG", None)
    # Its own process group, as a terminal's foreground job: Ctrl+C reaches every process in it.
    process = subprocess.Popen([sys.executable, "-m", "bankgame", *command], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert _wait(lambda: len(_marked(marker)) >= 5 or process.poll() is not None), "the workers never started"
        assert process.poll() is None, process.communicate()
        segments: set[str] = set()
        assert _wait(lambda: bool(segments.update(_shared_memory_of(_marked(marker))) or segments)), \
            "no shared memory seen"
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 130, err
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        assert _wait(lambda: not _marked(marker)), f"left behind: {_marked(marker)}"
        left = {name for name in segments if (Path("/dev/shm") / name).exists()}
        assert not left, f"shared memory left behind: {left}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
