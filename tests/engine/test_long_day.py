"""A long day keeps bounded lists, and its report still counts every error, deadlock and wait."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bankgame.day import open_day
from bankgame.engine import make_report
from bankgame.engine.branch import EVENTS, FIRST_ERRORS, RECENT_ERRORS, RECENT_WAITS
from bankgame.engine.events import BoundedLog, Tally


class Item:
    def __init__(self, kind: str, n: int) -> None:
        self.kind, self.n = kind, n


@given(st.lists(st.sampled_from(["lost_update", "overdraft"]), max_size=300), st.integers(0, 20), st.integers(1, 20))
def test_a_bounded_log_keeps_the_first_and_the_latest_and_counts_all(kinds: list[str], first: int, recent: int) -> None:
    log: BoundedLog[Item] = BoundedLog(first, recent)
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
