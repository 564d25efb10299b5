"""Faults across the socket: a remote clerk killed for real, a dropped connection, a lost message.

Each day is compared with the same day in one process (the same kills at the
same ticks): the branch notices, reconnects or restarts the clerk, sends the
unacknowledged messages again, and the closing audit is exact.
"""

from __future__ import annotations

import json
import os
import threading

import pytest
from bankgame.day import open_day
from bankgame.engine import Branch, InlineBackend, load_level, make_report
from bankgame.workers.remote import NetworkBackend, RemoteClerk
from bankgame.workers.remote_clerk import ClerkServer

KEY = b"f" * 32


def comparable(report) -> str:
    data = report.as_dict()
    data.pop("remote", None)
    data["messages"].pop("bytes_copied")  # JSON frames on one side, pickles on the other
    return json.dumps(data)


def remote_sent(branch: Branch, clerk: int) -> int:
    return sum(1 for m in branch.message_log if m.clerk == clerk)


def play(branch: Branch, every: int, fault) -> None:
    """Run the day; call ``fault(branch)`` each time ``every`` more messages went to the remote clerk."""
    remote = branch.day.clerks
    done = 0
    while not branch.over:
        sent = sum(1 for m in branch.message_log if m.clerk == remote)
        if sent // every > done:
            done = sent // every
            fault(branch)
        branch.step_tick()


@pytest.mark.parametrize(("seed", "every"), [(4, 3), (9, 5)])
def test_killing_the_loopback_clerk_every_few_messages_keeps_the_audit_exact(seed: int, every: int) -> None:
    level, branch = open_day("second-branch", seed, None, "process")
    remote = branch.day.clerks
    backend = branch.backend
    assert isinstance(backend, NetworkBackend)
    clerk = backend.remotes[remote]
    pids: list[int] = []
    kills: list[int] = []

    def kill(b: Branch) -> None:
        pids.append(clerk.loopback.pid)
        kills.append(b.tick)
        b.kill_clerk(remote)

    with branch:
        play(branch, every, kill)
        real = make_report(branch, level.id, level.goals)
        pids.append(clerk.loopback.pid)
    assert clerk.loopback.process is None  # nothing left behind
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]
    assert clerk.restarts >= 2 and len(set(pids)) >= 2  # really killed, really started again
    assert real.actual_total == real.expected_total
    # The same kills at the same ticks in one process: the same day.
    _, model = open_day("second-branch", seed, None, "inline")
    with model:
        while not model.over:
            if model.tick in kills:
                model.kill_clerk(remote)
            model.step_tick()
        assert comparable(make_report(model, level.id, level.goals)) == comparable(real)


@pytest.fixture
def server():
    running = ClerkServer("127.0.0.1", 0, KEY, log=lambda line: None)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield running
    running.stop()


def network_day(server: ClerkServer, seed: int) -> tuple[Branch, RemoteClerk]:
    day = load_level("second-branch").day
    clerk = RemoteClerk(("127.0.0.1", server.port), KEY)
    return Branch(day, seed=seed, backend=NetworkBackend(InlineBackend(), {day.clerks: clerk})), clerk


def reference(seed: int) -> str:
    level = load_level("second-branch")
    with Branch(level.day, seed=seed) as branch:
        branch.run()
        return comparable(make_report(branch, level.id, level.goals))


@pytest.mark.parametrize("seed", [4, 6])
def test_a_dropped_connection_is_noticed_reconnected_and_nothing_is_lost(server: ClerkServer, seed: int) -> None:
    branch, clerk = network_day(server, seed)
    with branch:
        play(branch, 2, lambda b: clerk.drop() if clerk.channel is None else clerk.channel.sock.close())
        report = make_report(branch, "second-branch", load_level("second-branch").goals)
    assert clerk.reconnects >= 3 and clerk.restarts == 0  # the same clerk, reached again
    assert comparable(report) == reference(seed)  # the engine saw nothing: the very same day


@pytest.mark.parametrize("seed", [4, 6])
def test_a_lost_message_is_noticed_and_sent_again(server: ClerkServer, seed: int) -> None:
    branch, clerk = network_day(server, seed)

    def lose(b: Branch) -> None:
        clerk.lose = 1

    with branch:
        play(branch, 3, lose)
        report = make_report(branch, "second-branch", load_level("second-branch").goals)
    assert clerk.resent > 0
    assert report.actual_total == report.expected_total
    assert comparable(report) == reference(seed)


def test_a_reply_lost_after_the_clerk_applied_it_is_not_applied_twice(server: ClerkServer) -> None:
    clerk = RemoteClerk(("127.0.0.1", server.port), KEY)
    clerk.open({1: 1000}, frozenset())
    clerk.send(1, ("deposit", 1, 50))
    assert clerk.channel is not None
    clerk.channel.send({"op": "handle"})  # the clerk applies #1 ...
    clerk.channel.recv()
    clerk.channel.sock.close()  # ... and its answer is lost with the connection
    clerk.channel = None
    assert clerk.handle().balance == 1050  # sent again: answered from memory, applied once
    assert clerk.balances() == {1: 1050}
    clerk.close()


def test_the_accounts_come_back_from_the_remote_clerk_and_go_out_again(server: ClerkServer) -> None:
    day = load_level("second-branch").day
    clerk = RemoteClerk(("127.0.0.1", server.port), KEY)
    backend = NetworkBackend(InlineBackend(), {day.clerks: clerk})
    from bankgame.engine import BackendSetup

    owners = tuple(a % 2 for a in range(4))
    backend.open(BackendSetup(balances=(100, 200, 300, 400, 137), desks=2, clerks=2, clerk_of=owners, mode="message"))
    try:
        backend.send(1, 1, ("deposit", 1, 5))
        assert backend.handle(1).balance == 205
        backend.set_mode("shared")
        assert backend.balances()[:4] == [100, 205, 300, 400]  # the remote balance, not the stand-in
        backend.write(0, 3, 450)
        backend.set_mode("message")
        assert clerk.balances() == {1: 205, 3: 450}
    finally:
        backend.close()
