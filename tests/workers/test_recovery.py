"""A clerk killed for real is noticed, restarted, and nothing is lost."""

from __future__ import annotations

import os
import pickle

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
    assert real.to_json() == reports["inline"].to_json()
