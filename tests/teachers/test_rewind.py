"""Step back lands exactly where the day was: N forward and k back is N−k forward."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bankgame.day import open_day
from bankgame.engine import make_report
from bankgame.engine.replay import apply_action
from bankgame.engine.rewind import MARK_SPANS, Tape, state_of
from bankgame.workers import make_backend

LEVELS = ["opening-day", "rush-hour", "vault", "check-then-withdraw", "transfer-desk", "rate-board",
          "back-office", "hot-account", "second-branch", "sandbox"]
VERBS = [("ticket_on", "A"), ("ticket_on", "B"), ("ticket_off", "A"), ("ticket_on", "vault"), ("ticket_off", "vault"),
         ("ticket_on", "rates"), ("scope", "write"), ("scope", "check"), ("order", "account"), ("order", "any"),
         ("mode", "message"), ("mode", "shared"), ("kill_clerk", "0")]


def plays(customers: int) -> st.SearchStrategy:
    """A level, a seed, the player's actions by tick, N and k."""
    return st.tuples(
        st.sampled_from(LEVELS),
        st.integers(0, 2**31),
        st.lists(st.tuples(st.integers(0, 60), st.sampled_from(VERBS)), max_size=8),
        st.integers(1, 90),
        st.integers(0, 90),
    ).map(lambda t: (*t, customers))


def act(branch, actions, tick) -> None:
    """Do what the player does at ``tick`` (before the tick runs)."""
    for stamp, (kind, argument) in actions:
        if stamp == tick and not branch.over:
            if kind == "mode" and not branch.day.shared_available:
                continue
            if kind.startswith("ticket") and len(argument) == 1 and ord(argument) - 65 >= branch.day.accounts:
                continue  # the ticket board offers only the accounts there are
            apply_action(branch, kind, argument)


def forward(level_id, seed, customers, backend, actions, ticks):
    """A day played live by the player for ``ticks`` ticks, acting at each tick."""
    _, branch = open_day(level_id, seed, {"customers": customers}, backend)
    act(branch, actions, 0)
    while branch.tick < ticks and not branch.over:
        branch.step_tick()
        act(branch, actions, branch.tick)
    branch.drain_events()
    return branch


def comparable(branch) -> dict:
    """A day's state without what the operating system measured (latencies) and named (the block)."""
    state = state_of(branch)
    for message in state["message_log"]:
        message.pop("latency_ms", None)
    for desk in state["desks"]:
        if isinstance(desk.get("reply"), dict):
            desk["reply"].pop("wall_ms", None)
    return state


def check(play, backend: str) -> None:
    level_id, seed, actions, n, k, customers = play
    live = forward(level_id, seed, customers, backend, actions, n)
    tape = Tape(live, lambda: tape.branch.backend.fresh())  # as the branch screen builds it
    reached = live.tick
    back = tape.back(k)
    try:
        assert back.tick == max(0, reached - k)
        assert back is live or live.backend.name == "inline" or _closed(live)
        reference = forward(level_id, seed, customers, backend, actions, back.tick)
        with reference:
            assert comparable(back) == comparable(reference)
    finally:
        tape.close()


def _closed(branch) -> bool:
    backend = getattr(branch.backend, "local", branch.backend)  # a network backend's own processes
    return backend.cashiers is None and backend.clerks is None and backend.ledger is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plays(customers=25))
@example(("rush-hour", 4, [(5, ("ticket_on", "A")), (12, ("scope", "write"))], 30, 18, 25))  # back to an action's tick
@example(("back-office", 7, [(3, ("kill_clerk", "0"))], 40, 37, 25))  # back to the tick a clerk was killed
def test_step_back_is_the_earlier_tick_inline(play) -> None:
    check(play, "inline")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plays(customers=10))
def test_step_back_is_the_earlier_tick_on_real_processes(play) -> None:
    check(play, "process")


def test_stepping_forward_again_replays_the_recorded_actions() -> None:
    _, live = open_day("rush-hour", 3, None, "inline")
    for tick in range(40):
        if tick == 10:
            live.place_ticket("A")
        live.step_tick()
    end = state_of(live)
    tape = Tape(live)
    tape.back(35)
    tape.forward(35)
    assert state_of(tape.branch) == end
    assert tape.recorded == [(10, "ticket_on", "A")]


def test_a_new_action_back_in_time_drops_the_recorded_future() -> None:
    _, live = open_day("rush-hour", 3, None, "inline")
    live.place_ticket("A")
    for _ in range(20):
        live.step_tick()
    live.place_ticket("B")
    tape = Tape(live)
    tape.forward(10)
    tape.back(25)
    assert tape.tick == 5
    tape.branch.place_ticket("vault")
    tape.forward(30)
    assert tape.recorded == [(0, "ticket_on", "A"), (5, "ticket_on", "vault")]
    assert tape.branch.has_ticket("A") and tape.branch.has_ticket("vault") and not tape.branch.has_ticket("B")
    tape.close()


def test_the_process_backend_of_the_old_day_is_closed() -> None:
    _, live = open_day("rush-hour", 2, {"customers": 6}, "process")
    tape = Tape(live, lambda: make_backend("process"))
    tape.forward(15)
    old_backend = live.backend
    pids = [p.pid for p in old_backend.cashiers.processes]
    block = old_backend.ledger.name
    tape.back(5)
    assert not os.path.exists(f"/dev/shm/{block.lstrip('/')}")
    assert tape.branch is not live and _closed(live)
    assert tape.branch.backend.name == "process"
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    tape.close()


def test_step_back_on_a_branch_with_a_clerk_across_the_network() -> None:
    """Second Branch on real processes: the rebuilt day reaches new loopback clerks, the old ones stop."""
    from bankgame.workers.remote import NetworkBackend

    _, live = open_day("second-branch", 4, {"customers": 12}, "process")
    tape = Tape(live, lambda: tape.branch.backend.fresh())  # as the branch screen builds it
    tape.forward(30)
    old = live.backend
    assert isinstance(old, NetworkBackend)
    old_clerks = [clerk.loopback.process.pid for clerk in old.remotes.values()]
    back = tape.back(7)
    try:
        assert back is not live and back.tick == 23
        assert isinstance(back.backend, NetworkBackend) and back.backend.name == "process+tcp"
        new_clerks = [clerk.loopback.process.pid for clerk in back.backend.remotes.values()]
        assert set(new_clerks).isdisjoint(old_clerks)
        for pid in old_clerks:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        _, reference = open_day("second-branch", 4, {"customers": 12}, "process")
        with reference:
            for _ in range(23):
                reference.step_tick()
            assert comparable(back) == comparable(reference)
        assert "FileNotFoundError" in back.network_note  # the new clerk tried the new day's block too
        tape.forward(400)
        assert back.over
        report = make_report(back, "second-branch", [])
        assert report.actual_total == report.expected_total
    finally:
        tape.close()


def test_a_long_day_without_tickets_marks_its_errors_in_a_bounded_set_and_steps_back_through_it() -> None:
    level, branch = open_day("sandbox", 3, {"customers": 3000, "tickets": "none", "cashiers": 6}, "inline")
    tape = Tape(branch)
    try:
        tape.forward(100_000)
        errors = [e.tick for e in tape.branch.errors]
        assert tape.branch.errors.total > MARK_SPANS, "the day must make more errors than the scrubber keeps marks"
        assert len(tape.marks) <= MARK_SPANS and tape.marks.span > 1
        assert all(tick in tape.marks for tick in errors)  # the errors still kept are all marked
        before = tape.branch.tick
        tape.back(7)
        assert tape.tick == before - 7
    finally:
        tape.close()
