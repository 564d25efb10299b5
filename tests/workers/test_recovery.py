"""A clerk killed for real is noticed, restarted, and nothing is lost."""

from __future__ import annotations

import json
import os
import pickle
import signal

import pytest

from bankgame.day import open_day
from bankgame.engine import BackendSetup, make_report
from bankgame.workers.process import ProcessBackend


def test_killed_clerk_recovers_with_acked_balances_and_unacked_messages() -> None:
    with ProcessBackend() as backend:
        backend.open(BackendSetup(balances=(100, 200, 300, 137), desks=2, clerks=2, clerk_of=(0, 1, 0), mode="message"))
        before = backend.pids()["clerks"]
        backend.send(0, 1, ("deposit", 0, 10))
        assert backend.handle(0).balance == 110  # acknowledged
        backend.send(0, 2, ("withdraw", 2, 50))  # in the mailbox, not yet handled
        backend.kill_clerk(0)
        victim = before[0]
        assert not os.path.exists(f"/proc/{victim}") or "Z" in open(f"/proc/{victim}/stat").read().split()[2]
        backend.send(0, 3, ("deposit", 0, 5))  # sent while the clerk is dead
        assert backend.recovered() == []  # noticed on its next use, like the model
        reply = backend.handle(0)
        assert (reply.seq, reply.ok, reply.balance) == (2, True, 250)
        assert backend.recovered() == [0]
        assert backend.recovered() == []  # reported once
        assert backend.handle(0).balance == 115
        after = backend.pids()["clerks"]
        assert after[0] != before[0] and after[1] == before[1]
        assert backend.balances() == [115, 200, 250, 137]


def test_a_clerk_answers_a_repeated_request_once() -> None:
    with ProcessBackend() as backend:
        backend.open(BackendSetup(balances=(100, 137), desks=1, clerks=1, clerk_of=(0,), mode="message"))
        backend.send(0, 7, ("deposit", 0, 10))
        backend.clerks.mailboxes[0].send_bytes(pickle.dumps((7, "deposit", 0, 10)))  # the same copy again
        assert backend.handle(0).balance == 110
        assert backend.clerks._handle(0) == pickle.dumps((7, True, 110))
        assert backend.balances() == [110, 137]


def test_a_clerk_killed_from_outside_is_noticed_too() -> None:
    with ProcessBackend() as backend:
        backend.open(BackendSetup(balances=(100, 137), desks=1, clerks=1, clerk_of=(0,), mode="message"))
        backend.send(0, 1, ("deposit", 0, 1))
        os.kill(backend.pids()["clerks"][0], 9)
        backend.clerks.processes[0].join(5)
        assert backend.handle(0).balance == 101
        assert backend.recovered() == [0]


def comparable(report, network: bool) -> str:
    """The report as JSON, less what only a clerk across a socket has: its measured latency and frame sizes."""
    data = report.as_dict()
    data.pop("remote", None)
    if network:  # the process backend puts a second branch on a socket: JSON frames, not pickles
        data["messages"].pop("bytes_copied")
    return json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize(("level_id", "seed", "every"), [("back-office", 3, 7), ("hot-account", 2, 5), ("second-branch", 4, 9)])
def test_kill_clerk_every_keeps_the_audit_exact(level_id: str, seed: int, every: int) -> None:
    reports = {}
    for backend in ("inline", "process"):
        level, branch = open_day(level_id, seed, {"mode": "message"}, backend)
        with branch:
            branch.run(kill_clerk_every=every)
            reports[backend] = make_report(branch, level.id, level.goals)
    real = reports["process"]
    assert real.recovered_clerks > 0
    assert real.actual_total == real.expected_total
    assert not [e for e in real.errors if e.kind == "audit"]
    network = level_id == "second-branch"
    assert comparable(real, network) == comparable(reports["inline"], network)


def test_a_killed_cashier_is_restarted_holding_its_ticket() -> None:
    backend = ProcessBackend()
    backend.open(BackendSetup(balances=(100, 200, 137), desks=2, clerks=1, clerk_of=(0, 0)))
    try:
        lock_a = 1  # account A's ticket
        assert backend.try_take(0, lock_a)
        assert not backend.try_take(1, lock_a)
        first = backend.cashiers.processes[0].pid
        os.kill(first, signal.SIGKILL)
        backend.cashiers.processes[0].join(5)
        # The restarted desk still holds A in real lock state: the other desk still waits...
        assert backend.read(0, 0) == 100
        assert backend.cashiers.processes[0].pid != first
        assert not backend.try_take(1, lock_a)
        # ...until the new process gives it back.
        backend.write(0, 0, 150)
        backend.give_back(0, lock_a)
        assert backend.try_take(1, lock_a)
        assert backend.read(1, 0) == 150
        assert backend.cashiers.restarts == 1
    finally:
        backend.close()


@pytest.mark.parametrize("op", ["take", "give"])
def test_a_cashier_dying_around_a_ticket_is_settled_from_the_real_lock(op: str) -> None:
    backend = ProcessBackend()
    backend.open(BackendSetup(balances=(100, 137), desks=2, clerks=1, clerk_of=(0,)))
    try:
        pool = backend.cashiers
        lock = pool.locks[1]
        if op == "give":
            assert backend.try_take(0, 1)
            lock.release()  # as if the cashier gave it back, then died before answering
        else:
            assert lock.acquire(False)  # as if the cashier took it, then died before answering
        os.kill(pool.processes[0].pid, signal.SIGKILL)
        pool.processes[0].join(5)
        if op == "give":
            backend.give_back(0, 1)  # no second release of a free lock
            assert backend.try_take(1, 1)
        else:
            assert backend.try_take(0, 1)  # it was taken for desk 0
            assert not backend.try_take(1, 1)
    finally:
        backend.close()


@pytest.mark.parametrize(("level_id", "seed"), [("rush-hour", 2), ("transfer-desk", 5)])
def test_cashiers_killed_mid_day_change_nothing_in_the_report(level_id: str, seed: int) -> None:
    level, model = open_day(level_id, seed, {"tickets": "accounts"}, "inline")
    with model:
        model.run()
        expected = make_report(model, level.id, level.goals).to_json()
    level, branch = open_day(level_id, seed, {"tickets": "accounts"}, "process")
    with branch:
        while not branch.over:
            branch.step_tick()
            if branch.tick % 7 == 0:  # a real SIGKILL to one desk's process, every 7 ticks
                pool = branch.backend.cashiers
                victim = pool.processes[(branch.tick // 7) % len(pool.processes)]
                if victim.is_alive():  # a desk idle since its last kill is restarted only when next used
                    os.kill(victim.pid, signal.SIGKILL)
                    victim.join(5)
        assert branch.backend.cashiers.restarts >= 3
        assert make_report(branch, level.id, level.goals).to_json() == expected
