"""The engine keeps what the message timeline draws: bounded, and a killed clerk's recovery takes ticks."""

from __future__ import annotations

from bankgame.engine import Branch, load_level
from bankgame.engine.branch import MESSAGES, RESTART_TICKS
from hypothesis import given, settings
from hypothesis import strategies as st


def day(level: str = "back-office", seed: int = 3) -> Branch:
    return Branch(load_level(level).day, seed=seed)


def test_a_killed_clerk_stays_down_its_mailbox_fills_and_the_resent_messages_go_one_by_one() -> None:
    branch = day()
    while not branch.clerks[0].mailbox:
        branch.step_tick()
    clerk = branch.clerks[0]
    killed_at = branch.tick
    assert branch.kill_clerk(0)
    handled, depth = clerk.handled, len(clerk.mailbox)
    for _ in range(RESTART_TICKS):
        assert clerk.down
        branch.step_tick()
        assert clerk.handled == handled  # a dead clerk answers nothing
        assert len(clerk.mailbox) >= depth  # and its mailbox only fills
        depth = len(clerk.mailbox)
    branch.step_tick()
    assert not clerk.down and clerk.restarts == 1
    resent = [m for m in branch.message_log if m.resent]
    assert resent and all(m.clerk == 0 and m.sent < killed_at + RESTART_TICKS for m in resent)
    while any(m.handled < 0 for m in resent) and not branch.over:
        branch.step_tick()
    ticks = [m.handled for m in resent]
    assert ticks == sorted(ticks) and len(set(ticks)) == len(ticks)  # one by one, in order
    assert (0, killed_at, killed_at + RESTART_TICKS) in branch.clerk_outages
    branch.run()
    assert branch.audit_actual == branch.expected_total


def test_a_refund_is_a_message_of_its_own() -> None:
    branch = day("second-branch", 4)
    branch.run()
    refunds = [m for m in branch.message_log if m.op == "refund"]
    assert refunds and all(m.ok and m.handled >= m.sent for m in refunds)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), customers=st.integers(300, 400))
def test_the_timeline_data_stays_bounded_and_consistent(seed: int, customers: int) -> None:
    import dataclasses

    level = load_level("back-office")
    branch = Branch(dataclasses.replace(level.day, customers=customers, mode="message"), seed=seed)
    branch.run(kill_clerk_every=37)
    assert len(branch.message_log) <= MESSAGES and len(branch.mailbox_depths) <= MESSAGES
    assert branch.messages_sent > MESSAGES  # a day longer than the window
    for message in branch.message_log:
        assert message.sent <= message.handled <= message.replied
    assert branch.audit_actual == branch.expected_total
