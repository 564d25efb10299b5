"""The lessons hold headless, as invariants over seeds and workloads.

Each property is stated for any seed and a family of workloads, not for one
example: lost updates without tickets, none with per-account tickets, the vault
ticket correct but slower, write scope letting overdrafts through, lock order
preventing deadlocks, message passing never losing money.
"""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankgame.engine import Branch, DayConfig, account_name, make_report

seeds = st.integers(min_value=0, max_value=2**31)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def play(day: DayConfig, seed: int, kill_clerk_every: int = 0):
    with Branch(day, seed=seed) as branch:
        branch.run(kill_clerk_every=kill_clerk_every)
        return branch, make_report(branch)


def kinds(branch: Branch) -> list[str]:
    return [e.kind for e in branch.errors]


@st.composite
def workloads(draw: st.DrawFn, **fixed: object) -> DayConfig:
    """Any mix of customers at any small branch."""
    values = dict(
        cashiers=draw(st.integers(1, 6)),
        accounts=draw(st.integers(1, 6)),
        customers=draw(st.integers(1, 60)),
        clerks=draw(st.integers(1, 4)),
        arrival_gap=draw(st.sampled_from([0.0, 0.5, 1.0, 3.0])),
        deposit=draw(st.floats(0, 3)),
        withdraw=draw(st.floats(0, 3)),
        transfer=draw(st.floats(0, 3)),
        quote=draw(st.floats(0, 1)),
        hot_account=draw(st.sampled_from([0.0, 0.5, 0.9])),
        opening_balance=draw(st.sampled_from([0, 2_000, 100_000])),
        patience=draw(st.sampled_from([5, 80, 10_000])),
        ticket_scope=draw(st.sampled_from(["write", "check"])),
        lock_order=draw(st.sampled_from(["any", "account"])),
        rate_ticket=draw(st.booleans()),
    )
    values.update(fixed)
    return DayConfig(**values)  # type: ignore[arg-type]


# L2 -------------------------------------------------------------------------
RUSH = DayConfig(cashiers=2, accounts=1, customers=24, tickets="none", arrival_gap=0, patience=10_000)


@SETTINGS
@given(seed=seeds, cashiers=st.integers(2, 6))
def test_without_tickets_two_cashiers_on_one_account_lose_updates(seed: int, cashiers: int) -> None:
    branch, report = play(dataclasses.replace(RUSH, cashiers=cashiers), seed)
    assert "lost_update" in kinds(branch)
    assert report.actual_total != report.expected_total  # the audit sees the money go


@SETTINGS
@given(seed=seeds)
def test_one_cashier_never_loses_an_update(seed: int) -> None:
    branch, report = play(dataclasses.replace(RUSH, cashiers=1, withdraw=1.0, transfer=1.0, accounts=3), seed)
    assert branch.errors == []


# L3 -------------------------------------------------------------------------
@SETTINGS
@given(day=workloads(tickets="accounts", ticket_scope="check"), seed=seeds)
def test_with_per_account_tickets_nothing_is_ever_lost(day: DayConfig, seed: int) -> None:
    branch, report = play(day, seed)
    assert kinds(branch) == []
    assert report.actual_total == report.expected_total


@SETTINGS
@given(day=workloads(tickets="vault", ticket_scope="check"), seed=seeds)
def test_a_vault_ticket_is_correct(day: DayConfig, seed: int) -> None:
    branch, report = play(day, seed)
    assert kinds(branch) == []
    assert report.actual_total == report.expected_total


# L4 -------------------------------------------------------------------------
@SETTINGS
@given(seed=seeds, cashiers=st.integers(3, 8))
def test_a_vault_ticket_is_slower_than_per_account_tickets(seed: int, cashiers: int) -> None:
    day = DayConfig(cashiers=cashiers, accounts=12, customers=60, arrival_gap=0, patience=100_000, deposit=2, withdraw=1)
    vault, _ = play(dataclasses.replace(day, tickets="vault"), seed)
    per_account, _ = play(dataclasses.replace(day, tickets="accounts"), seed)
    assert vault.served == per_account.served == 60
    assert vault.tick > per_account.tick
    assert vault.waits.total > per_account.waits.total


# L5 -------------------------------------------------------------------------
PAYDAY = DayConfig(
    cashiers=3, accounts=1, customers=120, tickets="accounts", arrival_gap=0, patience=100_000,
    opening_balance=3_000, deposit=1, withdraw=3, amount_min=1_000, amount_max=3_000,
)


@SETTINGS
@given(seed=seeds, cashiers=st.integers(2, 5))
def test_a_write_only_ticket_lets_overdrafts_through(seed: int, cashiers: int) -> None:
    branch, _ = play(dataclasses.replace(PAYDAY, cashiers=cashiers, ticket_scope="write"), seed)
    assert "overdraft" in kinds(branch)
    assert "lost_update" not in kinds(branch)  # the write itself is protected


@SETTINGS
@given(day=workloads(tickets="accounts", ticket_scope="check", withdraw=3.0, opening_balance=1_000), seed=seeds)
def test_a_check_scope_ticket_never_overdraws(day: DayConfig, seed: int) -> None:
    branch, _ = play(day, seed)
    assert "overdraft" not in kinds(branch)
    assert min(branch.ledger[: day.accounts]) >= 0


# L6 -------------------------------------------------------------------------
TRANSFERS = DayConfig(cashiers=4, accounts=3, customers=40, tickets="accounts", arrival_gap=0.5, patience=100_000, deposit=0, transfer=1)


@SETTINGS
@given(day=workloads(tickets="accounts", lock_order="account", transfer=3.0), seed=seeds)
def test_account_order_never_deadlocks(day: DayConfig, seed: int) -> None:
    branch, _ = play(day, seed)
    assert branch.deadlocks == []


def test_any_order_deadlocks_transfers_sometimes() -> None:
    deadlocked = [seed for seed in range(20) if play(TRANSFERS, seed)[0].deadlocks]
    assert len(deadlocked) >= 10


@SETTINGS
@given(seed=seeds)
def test_a_broken_deadlock_loses_no_customer_and_no_money(seed: int) -> None:
    branch, report = play(TRANSFERS, seed)
    assert branch.served + branch.left == TRANSFERS.customers
    assert report.actual_total == report.expected_total
    for deadlock in branch.deadlocks:
        assert len(deadlock.cycle) >= 2
        assert deadlock.victim in [c for c, _, _ in deadlock.cycle]


# L7 -------------------------------------------------------------------------
@SETTINGS
@given(seed=seeds)
def test_a_ticket_on_read_only_data_buys_nothing_and_costs_time(seed: int) -> None:
    day = DayConfig(cashiers=4, accounts=4, customers=60, tickets="accounts", arrival_gap=0, patience=100_000, deposit=0.5, quote=5)
    locked, _ = play(dataclasses.replace(day, rate_ticket=True), seed)
    free, _ = play(dataclasses.replace(day, rate_ticket=False), seed)
    assert locked.errors == free.errors == []
    assert locked.waits.total > free.waits.total


# L8 -------------------------------------------------------------------------
@SETTINGS
@given(day=workloads(mode="message"), seed=seeds, kill=st.sampled_from([0, 0, 3, 7]))
def test_message_mode_never_loses_money(day: DayConfig, seed: int, kill: int) -> None:
    branch, report = play(day, seed, kill_clerk_every=kill)
    assert kinds(branch) == []
    assert report.actual_total == report.expected_total
    assert min(branch.ledger[: day.accounts]) >= 0
    assert branch.served + branch.left == day.customers
    if branch.messages_sent:
        assert branch.bytes_copied > 0


@SETTINGS
@given(seed=seeds)
def test_a_hot_account_makes_its_owner_the_bottleneck(seed: int) -> None:
    day = DayConfig(mode="message", cashiers=8, accounts=4, clerks=4, customers=60, arrival_gap=0, patience=100_000)
    hot = Branch(dataclasses.replace(day, hot_account=0.9), seed=seed)
    longest = [0] * len(hot.clerks)
    while not hot.over:
        hot.step_tick()
        longest = [max(n, len(c.mailbox)) for n, c in zip(longest, hot.clerks)]
    spread, _ = play(day, seed)
    assert longest[0] >= 2 * max(longest[1:])
    assert hot.waits.total > spread.waits.total
    assert hot.errors == []


# The audit adds up ----------------------------------------------------------
@SETTINGS
@given(day=workloads(tickets="none"), seed=seeds)
def test_the_audit_numbers_add_up(day: DayConfig, seed: int) -> None:
    branch, report = play(day, seed)
    paid_in = sum(c.amount for c in branch.customers if c.kind == "deposit")
    assert report.expected_total <= branch.opening_total + paid_in
    assert report.actual_total == sum(branch.backend.balances()[: day.accounts])
    assert branch.served + branch.left == day.customers
    assert (report.actual_total != report.expected_total) == ("audit" in kinds(branch))
    for error in branch.errors:
        if error.kind == "lost_update":
            assert error.expected != error.actual and len(error.cashiers) == 2
            assert error.steps, "the interleaving is kept for the timeline"


@SETTINGS
@given(day=workloads(), seed=seeds)
def test_the_same_seed_gives_the_same_day(day: DayConfig, seed: int) -> None:
    first = play(day, seed)[1].to_json()
    second = play(day, seed)[1].to_json()
    assert first == second


@SETTINGS
@given(
    day=workloads(),
    seed=seeds,
    moves=st.lists(
        st.tuples(
            st.integers(0, 60),
            st.sampled_from(["ticket_on", "ticket_off", "scope", "order", "mode", "kill_clerk"]),
            st.integers(0, 5),
        ),
        max_size=8,
    ),
)
def test_a_day_replays_identically_from_its_stamped_actions(day: DayConfig, seed: int, moves: list) -> None:
    from bankgame.engine.replay import apply_action, replay

    resources = ["vault", "rates"] + [account_name(a) for a in range(day.accounts)]
    arguments = {
        "ticket_on": lambda n: resources[n % len(resources)],
        "ticket_off": lambda n: resources[n % len(resources)],
        "scope": lambda n: ["write", "check"][n % 2],
        "order": lambda n: ["any", "account"][n % 2],
        "mode": lambda n: ["shared", "message"][n % 2],
        "kill_clerk": lambda n: str(n % day.clerks),
    }
    branch = Branch(day, seed=seed)
    schedule = sorted((t, kind, arguments[kind](n)) for t, kind, n in moves)
    index = 0
    while not branch.over:
        while index < len(schedule) and schedule[index][0] <= branch.tick:
            apply_action(branch, *schedule[index][1:])
            index += 1
        branch.step_tick()
    again = replay(day, seed, branch.actions)
    assert make_report(again).to_json() == make_report(branch).to_json()
    assert again.actions == branch.actions
