"""A clerk across TCP: the wire refuses what is not ours, and a day over it stays exact."""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator

import pytest
from bankgame.engine import Branch, InlineBackend, load_level, make_report
from bankgame.workers.remote import NetworkBackend, RemoteClerk
from bankgame.workers.remote_clerk import ClerkServer, parse_address
from bankgame.workers.wire import (
    MAX_FRAME,
    AuthError,
    Channel,
    WireError,
    check_request,
)

KEY = b"k" * 32


class Running:
    """A clerk server on loopback in a thread of this test, with its log."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.server = ClerkServer("127.0.0.1", 0, KEY, log=self.lines.append)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.server.port)

    def raw(self) -> socket.socket:
        return socket.create_connection(self.address, timeout=10)

    def authenticated(self) -> Channel:
        channel = Channel(self.raw(), KEY, server=False)
        channel.handshake()
        return channel


@pytest.fixture
def clerk() -> Iterator[Running]:
    running = Running()
    yield running
    running.server.stop()


def eventually(condition) -> bool:
    """Wait (bounded) for the clerk's thread to get there: a wait, not a timing."""
    import time

    for _ in range(1000):
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def closed_by_clerk(sock: socket.socket) -> bool:
    """Read until the clerk hangs up; True if it did (it refused us)."""
    sock.settimeout(10)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    sock.close()
    return True


def second_branch_day(address: tuple[str, int], seed: int = 4, interrupt=None) -> tuple[Branch, object]:
    """A Second Branch day whose remote clerk is at ``address``; ``interrupt(branch)`` runs each tick."""
    level = load_level("second-branch")
    day = level.day
    backend = NetworkBackend(InlineBackend(), {day.clerks: RemoteClerk(address, KEY)})
    branch = Branch(day, seed=seed, backend=backend)
    with branch:
        while not branch.over:
            if interrupt is not None:
                interrupt(branch)
            branch.step_tick()
        report = make_report(branch, level.id, level.goals)
    return branch, report


def reference(seed: int = 4):
    level = load_level("second-branch")
    with Branch(level.day, seed=seed) as branch:
        branch.run()
        return make_report(branch, level.id, level.goals)


def test_a_day_over_tcp_is_the_same_day_with_an_exact_audit(clerk: Running) -> None:
    _, report = second_branch_day(clerk.address)
    expected = reference()
    assert report.actual_total == report.expected_total == expected.expected_total
    assert (report.served, report.refused, report.ticks) == (expected.served, expected.refused, expected.ticks)
    assert report.remote["messages"] > 0 and report.remote["mean_latency_ms"] > 0
    assert json.loads(report.to_json())["remote"] == report.remote
    assert not clerk.server.refused


def test_garbage_is_refused_and_logged_and_the_clerk_serves_the_next_branch(clerk: Running) -> None:
    sock = clerk.raw()
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"\x00" * 64)
    assert closed_by_clerk(sock)
    assert clerk.server.refused == 1
    assert any("refused" in line and "not authenticated" in line for line in clerk.lines)
    _, report = second_branch_day(clerk.address)
    assert report.actual_total == report.expected_total


def test_a_wrong_key_is_refused_both_ways(clerk: Running) -> None:
    with pytest.raises(AuthError):
        RemoteClerk(clerk.address, b"x" * 32).connect()
    assert eventually(lambda: clerk.server.refused == 1)
    _, report = second_branch_day(clerk.address)
    assert report.actual_total == report.expected_total


@pytest.mark.parametrize("size", [MAX_FRAME + 1, 2**31])
def test_an_oversized_frame_is_refused_before_it_is_read(clerk: Running, size: int) -> None:
    channel = clerk.authenticated()
    channel.sock.sendall(struct.pack(">I", size) + b"x" * 1024)
    assert closed_by_clerk(channel.sock)
    assert any(f"a frame of {size} bytes" in line for line in clerk.lines)
    _, report = second_branch_day(clerk.address)
    assert report.actual_total == report.expected_total


@pytest.mark.parametrize("bad", [
    {"op": "exec", "code": "import os"},
    {"op": "send", "seq": 1, "kind": "deposit", "account": 1, "amount": True},
    {"op": "send", "seq": -1, "kind": "deposit", "account": 1, "amount": 5},
    {"op": "send", "seq": 1, "kind": "steal", "account": 1, "amount": 5},
    {"op": "send", "seq": 1, "kind": "deposit", "account": 1, "amount": 5, "extra": 1},
    {"op": "load", "accounts": {"x": 1}, "closed": []},
    {"op": "attach", "block": "../../etc/passwd"},
])
def test_a_field_out_of_bounds_is_refused(clerk: Running, bad: dict) -> None:
    channel = clerk.authenticated()
    channel.send(bad)
    assert closed_by_clerk(channel.sock)
    assert clerk.server.refused == 1
    _, report = second_branch_day(clerk.address)
    assert report.actual_total == report.expected_total


def test_a_frame_with_a_forged_tag_is_refused(clerk: Running) -> None:
    channel = clerk.authenticated()
    payload = json.dumps({"op": "balances"}).encode()
    channel.sock.sendall(struct.pack(">I", 32 + len(payload)) + b"\x00" * 32 + payload)
    assert closed_by_clerk(channel.sock)
    assert any("tag does not match" in line for line in clerk.lines)


def test_pickles_are_never_loaded(clerk: Running) -> None:
    import pickle

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('unpickled!')",))

    channel = clerk.authenticated()
    payload = pickle.dumps(Boom())
    tag = channel._tag(False, 0, payload)
    channel.sock.sendall(struct.pack(">I", 32 + len(payload)) + tag + payload)
    assert closed_by_clerk(channel.sock)
    assert any("not JSON" in line for line in clerk.lines)
    assert clerk.thread.is_alive()


def test_garbage_in_the_middle_of_a_day_loses_nothing(clerk: Running) -> None:
    def attack(branch: Branch) -> None:
        if branch.tick % 40 == 5:
            sock = clerk.raw()
            sock.sendall(b"\xff" * 100)
            closed_by_clerk(sock)
        if branch.tick % 40 == 25:
            with pytest.raises(AuthError):
                RemoteClerk(clerk.address, b"y" * 32).connect()

    _, report = second_branch_day(clerk.address, interrupt=attack)
    assert report.actual_total == report.expected_total == reference().expected_total
    assert eventually(lambda: clerk.server.refused >= 4)


def test_check_request_accepts_the_requests_a_branch_sends() -> None:
    for good in ({"op": "send", "seq": 3, "kind": "credit", "account": 3, "amount": 500}, {"op": "handle"},
                 {"op": "load", "accounts": {"1": 100, "3": 0}, "closed": [3]}, {"op": "attach", "block": "psm_ab12"}):
        assert check_request(good) is good
    with pytest.raises(WireError):
        check_request({"op": "handle", "x": 1})


@pytest.mark.parametrize(("text", "expected"), [("127.0.0.1:7040", ("127.0.0.1", 7040)), ("[::1]:80", ("::1", 80))])
def test_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["7040", "host:", ":80", "h:99999", "h:x"])
def test_bad_addresses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_address(text)


def test_connections_beyond_the_limit_are_refused_and_the_clerk_still_serves(clerk: Running) -> None:
    from bankgame.workers.remote_clerk import SESSIONS

    idle = [clerk.authenticated() for _ in range(SESSIONS)]  # every session slot held by an idle peer
    extra = clerk.raw()
    assert closed_by_clerk(extra)
    assert any("connections are open already" in line for line in clerk.lines)
    for channel in idle:
        channel.close()
    assert eventually(lambda: clerk.server._sessions.acquire(blocking=False) and (clerk.server._sessions.release() or True))
    _, report = second_branch_day(clerk.address)
    assert report.actual_total == report.expected_total
