"""The process backend gives the same day as the in-process model, to the byte."""

from __future__ import annotations

import json
import os
import pickle
from multiprocessing.shared_memory import SharedMemory

import pytest

from bankgame.day import open_day
from bankgame.engine import BackendSetup, make_report
from bankgame.workers import make_backend
from bankgame.workers.process import ProcessBackend

CASES = [
    ("opening-day", 1), ("rush-hour", 4), ("rush-hour", 9), ("vault", 2), ("check-then-withdraw", 5),
    ("transfer-desk", 11), ("rate-board", 3), ("back-office", 7), ("hot-account", 2),
    ("second-branch", 6), ("break-the-bank", 1), ("sandbox", 3),
]


def report(level_id: str, seed: int, backend: str, options: dict | None = None, kill_every: int = 0) -> str:
    level, branch = open_day(level_id, seed, options, backend)
    with branch:
        branch.run(kill_clerk_every=kill_every)
        return comparable(make_report(branch, level.id, level.goals), bool(level.day.remote_clerks))


def comparable(report, network: bool) -> str:
    """The report as JSON, less what only a clerk across a socket has: its measured latency and frame sizes."""
    data = report.as_dict()
    data.pop("remote", None)
    if network:  # the process backend puts a second branch on a socket: JSON frames, not pickles
        data["messages"].pop("bytes_copied")
    return json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize(("level_id", "seed"), CASES)
def test_process_day_matches_the_model_byte_for_byte(level_id: str, seed: int) -> None:
    assert report(level_id, seed, "process") == report(level_id, seed, "inline")


@pytest.mark.parametrize(
    "options",
    [{"mode": "message"}, {"tickets": "accounts"}, {"tickets": "vault", "cashiers": 6}, {"mode": "message", "cashiers": 8}],
)
def test_options_match_too(options: dict) -> None:
    assert report("sandbox", 13, "process", options) == report("sandbox", 13, "inline", options)


def test_a_mode_switch_mid_day_moves_the_ledger_for_real() -> None:
    def play(backend: str) -> str:
        level, branch = open_day("sandbox", 5, {"customers": 60}, backend)
        with branch:
            for tick in range(branch.max_ticks):
                if branch.over:
                    break
                if tick in (10, 60, 110):
                    branch.switch_mode()
                branch.step_tick()
            return make_report(branch, level.id, level.goals).to_json()

    assert play("process") == play("inline")


def test_the_ledger_is_a_real_shared_block_and_tickets_are_real_locks() -> None:
    backend = make_backend("process")
    assert isinstance(backend, ProcessBackend)
    with backend:
        backend.open(BackendSetup(balances=(100, 200, 137), desks=2, clerks=1, clerk_of=(0, 0)))
        desks = backend.pids()["desks"]
        assert len(set(desks)) == 2 and os.getpid() not in desks
        backend.write(0, 1, 250)
        outside = SharedMemory(name=backend.ledger.name)
        try:
            assert outside.buf.cast("q")[1] == 250  # written by desk 0's process, seen here
        finally:
            outside.close()
        assert backend.read(1, 1) == 250
        assert backend.try_take(0, 2)
        assert not backend.try_take(1, 2)  # a waiting cashier: the real lock is held
        assert not backend.locks[2].acquire(False)  # held by desk 0's process, not by this one
        backend.give_back(0, 2)
        assert backend.try_take(1, 2)
        backend.give_back(1, 2)
        backend.set_mode("message")
        assert backend.send(0, 1, ("deposit", 0, 5)) == len(pickle.dumps((1, "deposit", 0, 5)))
        reply = backend.handle(0)
        assert (reply.seq, reply.ok, reply.balance) == (1, True, 105)
        assert backend.balances() == [105, 250, 137]
        backend.set_mode("shared")
        assert backend.read(0, 0) == 105


def test_more_clerks_mid_day_hand_the_accounts_to_new_owner_processes() -> None:
    """Hot Account's relief: the accounts move to more clerk processes, and back; nothing is lost."""
    from bankgame.engine.replay import play_actions

    actions = [(5, "mode", "message"), (30, "clerks", "3"), (60, "kill_clerk", "2"), (80, "clerks", "2")]

    def play(backend: str) -> tuple[str, list[int]]:
        level, branch = open_day("hot-account", 3, {"customers": 80}, backend)
        with branch:
            play_actions(branch, actions, strict=True)
            pids = branch.backend.pids()["clerks"] if backend == "process" else []
            return make_report(branch, level.id, level.goals).to_json(), pids

    real, pids = play("process")
    model, _ = play("inline")
    assert real == model
    assert len(pids) == 2  # the last change left two clerk processes at work
    assert '"expected_total": ' in real and json.loads(real)["audit"]["expected_total"] == json.loads(real)["audit"]["actual_total"]
