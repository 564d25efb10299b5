"""A long day keeps bounded lists, and its report still counts every error, deadlock and wait."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from bankgame.day import open_day
from bankgame.engine import branch as branch_module
from bankgame.engine import make_report
from bankgame.engine.branch import EVENTS, FIRST_ERRORS, RECENT_ERRORS, RECENT_WAITS
from bankgame.engine.events import BoundedLog, Tally, TrailStep, cap_steps
from bankgame.engine.rewind import Marks


class Item:
    def __init__(self, kind: str, n: int) -> None:
        self.kind, self.n = kind, n


@given(st.lists(st.sampled_from(["lost_update", "overdraft"]), max_size=300), st.integers(0, 20), st.integers(1, 20))
def test_a_bounded_log_keeps_the_first_and_the_latest_and_counts_all(kinds: list[str], first: int, recent: int) -> None:
    log: BoundedLog[Item] = BoundedLog(first, recent, lambda item: item.kind)
    items = [Item(kind, n) for n, kind in enumerate(kinds)]
    for item in items:
        log.append(item)
    kept = items[:first] + items[first:][-recent:]
    assert list(log) == kept and len(log) == len(kept)
    assert [log[i] for i in range(len(log))] == kept and log[-1:] == kept[-1:]
    assert log.total == len(items) and log.dropped == len(items) - len(kept)
    assert log.counts == {k: kinds.count(k) for k in dict.fromkeys(kinds)}


@given(st.lists(st.integers(0, 10_000), max_size=300), st.integers(1, 50))
def test_a_tally_counts_every_value_and_keeps_a_window(values: list[int], recent: int) -> None:
    tally = Tally(recent)
    for value in values:
        tally.append(value)
    assert (tally.count, tally.total, tally.max) == (len(values), sum(values), max(values, default=0))
    assert list(tally) == values[-recent:]
    assert tally.mean() == (round(sum(values) / len(values), 2) if values else 0.0)


def test_a_long_day_without_tickets_is_counted_exactly_while_its_lists_stay_bounded() -> None:
    level, branch = open_day("sandbox", 5, {"customers": 4000, "tickets": "none", "cashiers": 6}, "inline")
    errors = deadlocks = 0
    waits: list[int] = []
    arrivals = {}
    with branch:
        while not branch.over:
            branch.step_tick()
            for event in branch.drain_events():  # an unbounded count of our own, from the events
                errors += event.kind == "integrity"
                deadlocks += event.kind == "deadlock"
                if event.kind == "arrived":
                    arrivals[event.who] = event.tick
                elif event.kind == "called":
                    waits.append(event.tick - arrivals[event.detail.split()[0]])
        report = make_report(branch, level.id, level.goals)
    assert errors > FIRST_ERRORS + RECENT_ERRORS, "the day must make more errors than it keeps"
    assert len(branch.errors) == FIRST_ERRORS + RECENT_ERRORS
    assert report.metric("errors") == errors and branch.errors.total == errors
    assert sum(n for _, n in report.error_counts) == errors
    assert report.metric("deadlocks") == deadlocks
    assert len(report.errors) == FIRST_ERRORS + RECENT_ERRORS
    assert report.as_dict()["integrity_error_counts"] == dict(report.error_counts)
    assert deadlocks == 0  # no tickets: nobody is called twice, so every call is one wait
    assert (branch.waits.count, branch.waits.total, report.wait_max) == (len(waits), sum(waits), max(waits))
    assert len(waits) > RECENT_WAITS and len(branch.waits.recent) == RECENT_WAITS


def test_a_headless_day_keeps_only_its_latest_events() -> None:
    level, branch = open_day("sandbox", 2, {"customers": 3000}, "inline")
    with branch:
        branch.run()
        assert len(branch.events) == EVENTS
        assert branch.events[-1].kind == "day_over"


step_lines = st.builds(
    TrailStep, st.integers(0, 50), st.sampled_from(["Ann", "Ben"]), st.sampled_from(["… waiting for A", "r = read A"]),
    st.sampled_from(["", "", "read", "write"]), st.just("A"),
)


@given(st.lists(step_lines, max_size=200), st.integers(1, 80))
def test_an_error_keeps_every_read_and_write_its_last_step_and_the_latest_lines(steps: list[TrailStep], limit: int) -> None:
    steps = [step._replace(tick=n) for n, step in enumerate(steps)]  # each step its own tick: told apart
    kept = cap_steps(steps, limit)
    touching = [s for s in steps if s.access]
    assert len(kept) <= max(limit, len(touching) + 1)
    assert list(kept) == [s for s in steps if s in kept]  # in their order
    assert [s for s in kept if s.access] == touching
    assert kept[-1:] == tuple(steps[-1:])
    if len(steps) <= limit:
        assert kept == tuple(steps)


@given(st.lists(st.integers(0, 1_000_000), max_size=400), st.integers(2, 64))
def test_error_marks_stay_bounded_and_every_error_keeps_a_mark(ticks: list[int], limit: int) -> None:
    marks = Marks(ticks, limit=limit)
    assert len(marks) <= limit
    assert all(tick in marks for tick in ticks)
    assert all(any(t - t % marks.span == mark for t in ticks) for mark in marks)  # no mark without an error


SMALL = {"EVENTS": 50, "FIRST_ERRORS": 3, "RECENT_ERRORS": 5, "RECENT_WAITS": 7, "MESSAGES": 9, "TRAIL": 40, "ERROR_STEPS": 6}
HUGE = {name: 10**9 for name in SMALL}


def played(mode: str, seed: int, customers: int, tickets: str, bounds: dict[str, int]):
    """Play a day to its end with the branch's bounds set to ``bounds``.

    Returns:
        The branch, its report, the most items it kept in one list, how many steps an error kept beyond its cap at most.
    """
    with patch.multiple(branch_module, **bounds):
        return play_to_the_end(mode, seed, customers, tickets)


def play_to_the_end(mode: str, seed: int, customers: int, tickets: str):
    level, branch = open_day("sandbox", seed, {"customers": customers, "tickets": tickets, "cashiers": 5,
                                              "accounts": 3, "mode": mode, "arrival_gap": 1.5}, "inline")
    most = steps = 0
    with branch:
        while not branch.over:
            branch.step_tick()
            kept = (len(branch.errors), len(branch.deadlocks), len(branch.events), len(branch.waits.recent),
                    len(branch.message_log), len(branch.mailbox_depths), len(branch.clerk_outages), len(branch._trail))
            most = max(most, *kept)
            # An error's reads and writes are all kept, and its last step; other lines only up to the cap.
            steps = max([steps, *(len(e.steps) - max(branch_module.ERROR_STEPS, sum(1 for s in e.steps if s.access) + 1)
                                  for e in branch.errors[-1:])])
        report = make_report(branch, level.id, level.goals)
    return branch, report, most, steps


@settings(max_examples=6, deadline=None)
@given(st.sampled_from(["shared", "message"]), st.integers(0, 2**32), st.sampled_from(["none", "vault", "accounts"]))
def test_a_day_keeps_no_more_as_it_grows_and_reports_what_keeping_everything_would(mode: str, seed: int, tickets: str) -> None:
    bound = max(SMALL["EVENTS"], SMALL["FIRST_ERRORS"] + SMALL["RECENT_ERRORS"], SMALL["TRAIL"])
    results = []
    for customers in (40, 400):
        branch, report, most, steps = played(mode, seed, customers, tickets, SMALL)
        assert most <= bound, f"a day of {customers} customers kept {most} items of one kind"
        assert steps <= 0
        everything, truth, _, _ = played(mode, seed, customers, tickets, HUGE)
        assert len(everything.errors) == everything.errors.total  # nothing dropped: the summed truth
        assert len(everything.events) > SMALL["EVENTS"] and len(everything._trail) > SMALL["TRAIL"]  # the bounds bite
        if customers == 400 and mode == "shared" and tickets == "none":
            assert branch.errors.dropped > 0
        assert report.metric("errors") == truth.metric("errors") == len([e for e in everything.errors if e.kind != "audit"]) + (
            1 if truth.actual_total != truth.expected_total else 0)
        assert branch.money_wrong == everything.money_wrong == sum(
            e.actual - e.expected for e in everything.errors if e.kind == "lost_update")
        lists = ("integrity_errors", "deadlocks")
        assert {k: v for k, v in report.as_dict().items() if k not in lists} == {
            k: v for k, v in truth.as_dict().items() if k not in lists}
        assert report.as_dict()["integrity_errors"] == [e.as_dict() for e in everything.errors][:3] + (
            [e.as_dict() for e in everything.errors][3:][-5:])
        results.append(branch.tick)
    assert results[1] > results[0]
