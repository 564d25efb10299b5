"""`bankgame clerk --listen` and `simulate --remote`: real processes on a real socket."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BANKGAME = [sys.executable, "-m", "bankgame"]


@pytest.fixture
def listening(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen]]:
    env = {**os.environ, "BANKGAME_HOME": str(tmp_path)}
    key = tmp_path / "shared.key"
    key.write_text("a shared key of the two sides\n")
    clerk = subprocess.Popen([*BANKGAME, "clerk", "--listen", "127.0.0.1:0", "--authkey-file", str(key)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = clerk.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("clerk listening on 127.0.0.1:"), line
        yield line.split()[-1], key, clerk
    finally:
        clerk.terminate()
        clerk.wait(10)


def simulate(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BANKGAME_HOME": str(tmp_path)}
    return subprocess.run([*BANKGAME, "simulate", "--level", "second-branch", *args],
                          check=False, capture_output=True, text=True, env=env, timeout=120)


def test_a_second_branch_day_over_tcp_reports_its_latency(tmp_path: Path, listening) -> None:
    address, key, _ = listening
    done = simulate(tmp_path, "--remote", address, "--authkey-file", str(key), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["audit"]["expected_total"] == report["audit"]["actual_total"]
    assert report["remote"]["messages"] > 0 and report["remote"]["mean_latency_ms"] > 0
    same_day = simulate(tmp_path, "--json")  # inline: the remote clerk in this process
    assert json.loads(same_day.stdout)["audit"] == report["audit"]


def test_a_wrong_key_is_a_clear_error_and_exit_2(tmp_path: Path, listening) -> None:
    address, key, _ = listening
    wrong = tmp_path / "wrong.key"
    wrong.write_text("not the key the clerk holds\n")
    done = simulate(tmp_path, "--remote", address, "--authkey-file", str(wrong))
    assert done.returncode == 2
    assert "does not share our key" in done.stderr
    ok = simulate(tmp_path, "--remote", address, "--authkey-file", str(key), "--json")
    assert ok.returncode == 0, ok.stderr  # the clerk still serves


def test_killing_the_connection_every_few_ticks_keeps_the_audit_exact(tmp_path: Path, listening) -> None:
    address, key, _ = listening
    done = simulate(tmp_path, "--remote", address, "--authkey-file", str(key), "--kill-clerk-every", "5", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["audit"]["expected_total"] == report["audit"]["actual_total"]
    assert report["recovered_clerks"] > 0


@pytest.mark.parametrize("args", [["--remote", "nohost"], ["--remote", "127.0.0.1:1"], ["--authkey-file", "/no/such/key"]])
def test_bad_network_options_exit_2(tmp_path: Path, args: list[str]) -> None:
    done = simulate(tmp_path, *args)
    assert done.returncode == 2
    assert "--remote" in done.stderr or "key" in done.stderr


def test_remote_on_a_level_without_a_second_branch_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "BANKGAME_HOME": str(tmp_path)}
    done = subprocess.run([*BANKGAME, "simulate", "--level", "rush-hour", "--remote", "127.0.0.1:7040"],
                          check=False, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "second branch" in done.stderr


def test_a_clerk_on_another_address_warns(tmp_path: Path) -> None:
    env = {**os.environ, "BANKGAME_HOME": str(tmp_path)}
    clerk = subprocess.Popen([*BANKGAME, "clerk", "--listen", "0.0.0.0:0"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert clerk.stdout.readline().startswith("clerk listening")  # type: ignore[union-attr]
        assert "warning: listening on 0.0.0.0" in clerk.stderr.readline()  # type: ignore[union-attr]
        assert (tmp_path / "clerk.key").stat().st_mode & 0o077 == 0  # generated, kept private
    finally:
        clerk.terminate()
        clerk.wait(10)
