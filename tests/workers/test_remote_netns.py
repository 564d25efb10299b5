"""Two hosts on one machine: the clerk in one network namespace, the branch in another, a veth between.

The clerk's namespace also gets its own ``/dev/shm`` (a private tmpfs), as
another machine has: the branch's shared-memory block is not there, and the
clerk's real attempt to open it by name fails. Needs root (CI is); skipped
with the reason where namespaces cannot be made.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TAG = f"{os.getpid() % 100000}"
CLERK_NS, BRANCH_NS = f"bgclerk{TAG}", f"bgbranch{TAG}"
CLERK_IP, BRANCH_IP = "10.231.7.1", "10.231.7.2"


def sh(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=30)


def cannot_make_namespaces() -> str:
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "the `ip` tool (iproute2) is not installed"
    probe = sh("ip", "netns", "add", f"bgprobe{TAG}")
    if probe.returncode:
        return f"cannot make a network namespace here: {probe.stderr.strip()}"
    sh("ip", "netns", "del", f"bgprobe{TAG}")
    return ""


WHY = cannot_make_namespaces()
pytestmark = pytest.mark.skipif(bool(WHY), reason=WHY or "namespaces available")


@pytest.fixture(scope="module")
def two_hosts() -> Iterator[None]:
    steps = [
        ("ip", "netns", "add", CLERK_NS), ("ip", "netns", "add", BRANCH_NS),
        ("ip", "link", "add", f"vc{TAG}", "type", "veth", "peer", "name", f"vb{TAG}"),
        ("ip", "link", "set", f"vc{TAG}", "netns", CLERK_NS), ("ip", "link", "set", f"vb{TAG}", "netns", BRANCH_NS),
        ("ip", "-n", CLERK_NS, "addr", "add", f"{CLERK_IP}/30", "dev", f"vc{TAG}"),
        ("ip", "-n", BRANCH_NS, "addr", "add", f"{BRANCH_IP}/30", "dev", f"vb{TAG}"),
        ("ip", "-n", CLERK_NS, "link", "set", f"vc{TAG}", "up"), ("ip", "-n", BRANCH_NS, "link", "set", f"vb{TAG}", "up"),
        ("ip", "-n", CLERK_NS, "link", "set", "lo", "up"), ("ip", "-n", BRANCH_NS, "link", "set", "lo", "up"),
    ]
    try:
        for step in steps:
            done = sh(*step)
            if done.returncode:
                pytest.skip(f"cannot wire two namespaces: {' '.join(step)}: {done.stderr.strip()}")
        yield
    finally:
        sh("ip", "netns", "del", CLERK_NS)  # takes the veth pair with it
        sh("ip", "netns", "del", BRANCH_NS)


@pytest.fixture
def clerk(two_hosts: None, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    key = tmp_path / "shared.key"
    key.write_text("the key both hosts were given\n")
    env = {**os.environ, "BANKGAME_HOME": str(tmp_path / "clerk-home")}
    # Its own /dev/shm, as another machine has (mounts stay inside this namespace).
    script = ('mount -t tmpfs -o size=1m tmpfs /dev/shm && exec "$0" -m bankgame clerk '
              f'--listen {CLERK_IP}:7040 --authkey-file {key}')
    process = subprocess.Popen(
        ["ip", "netns", "exec", CLERK_NS, "unshare", "--mount", "--propagation", "private", "sh", "-c", script,
         sys.executable], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith(f"clerk listening on {CLERK_IP}:7040"), (line, process.stderr.read())  # type: ignore[union-attr]
        yield key, process.stderr.readline()  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait(10)


def in_branch_host(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BANKGAME_HOME": str(tmp_path / "branch-home")}
    return subprocess.run(
        ["ip", "netns", "exec", BRANCH_NS, sys.executable, "-m", "bankgame", "simulate", "--level", "second-branch",
         "--remote", f"{CLERK_IP}:7040", *args],
        capture_output=True, text=True, env=env, timeout=180, check=False,
    )


def test_a_second_branch_day_across_two_hosts_is_exact(tmp_path: Path, clerk: tuple[Path, str]) -> None:
    key, warning = clerk
    assert "warning: listening on" in warning  # not loopback: the clerk says so
    done = in_branch_host(tmp_path, "--backend", "process", "--authkey-file", str(key), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["audit"]["expected_total"] == report["audit"]["actual_total"]
    assert report["remote"]["messages"] > 0 and report["remote"]["mean_latency_ms"] > 0
    # The real attempt of the clerk on the other host to open the branch's block:
    assert report["remote"]["shared_memory"].startswith("FileNotFoundError")


def test_killing_the_connection_across_hosts_keeps_the_audit_exact(tmp_path: Path, clerk: tuple[Path, str]) -> None:
    key, _ = clerk
    done = in_branch_host(tmp_path, "--authkey-file", str(key), "--kill-clerk-every", "6", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["audit"]["expected_total"] == report["audit"]["actual_total"]
    assert report["remote"]["reconnects"] > 0


def test_a_wrong_key_across_hosts_exits_2(tmp_path: Path, clerk: tuple[Path, str]) -> None:
    wrong = tmp_path / "wrong.key"
    wrong.write_text("a key the clerk never saw\n")
    done = in_branch_host(tmp_path, "--authkey-file", str(wrong))
    assert done.returncode == 2 and "does not share our key" in done.stderr
