"""Changing the tickets mid-day is safe: desks on the old tickets finish under
them, and new customers start under the new ones only when none is left."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bankgame.engine import Branch, make_day, make_report
from bankgame.engine.programs import TicketLayout
from bankgame.engine.replay import replay

DAY = make_day({
    "cashiers": 4, "accounts": 3, "customers": 80, "arrival_gap": 1.0, "patience": 400,
    "deposit": 3.0, "withdraw": 1.0, "transfer": 1.0, "tickets": "vault", "ticket_scope": "check",
    "opening_balance": 2_000, "amount_min": 500, "amount_max": 1_500,
})
RESOURCES = ("vault", "A", "B", "C", "rates")
CORRECT_ENDS = (("vault",), ("A", "B", "C"), ("vault", "A"), ("A", "B", "C", "rates"))


def final_layout_actions(end: tuple[str, ...], tick: int) -> list[tuple[int, str, str]]:
    """Actions at ``tick`` that leave exactly ``end`` ticketed, scope around check and write."""
    actions = [(tick, "ticket_on", r) for r in end]
    actions += [(tick, "ticket_off", r) for r in RESOURCES if r not in end]
    return actions + [(tick, "scope", "check")]


stamped = st.tuples(
    st.integers(0, 40),
    st.sampled_from(("ticket_on", "ticket_off", "scope", "order")),
    st.sampled_from(RESOURCES),
).map(lambda a: (a[0], a[1], {"scope": ("write", "check")[a[0] % 2], "order": ("any", "account")[a[0] % 2]}.get(a[1], a[2])))


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    moves=st.lists(stamped, max_size=8),
    end=st.sampled_from(CORRECT_ENDS),
    end_tick=st.integers(0, 50),
)
def test_a_correct_final_layout_loses_nothing_from_the_moment_it_is_in_force(
    seed: int, moves: list[tuple[int, str, str]], end: tuple[str, ...], end_tick: int,
) -> None:
    end_tick = max([end_tick] + [t for t, _, _ in moves])
    day = make_day({"watch_ticks": 10_000}, base=DAY)  # judged from the last change in force
    branch = replay(day, seed, moves + final_layout_actions(end, end_tick))
    report = make_report(branch)
    assume(branch.tick > end_tick + 10)  # the change came while the branch was open
    assert branch.active_layout == branch.layout
    assert report.judged["errors"] == 0, report.to_text()
    assert report.judged["audit_gap"] == 0, report.to_text()


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 2**32), ticks=st.lists(st.integers(0, 60), min_size=4, max_size=4))
def test_moving_from_the_vault_ticket_to_account_tickets_at_any_time_loses_nothing(seed: int, ticks: list[int]) -> None:
    """The tutorial's step: tickets on A, B and C, then the vault's removed, while the cashiers are busy."""
    place = sorted(ticks[:3])
    remove = max(ticks)
    actions = [(t, "ticket_on", r) for t, r in zip(place, "ABC")] + [(remove, "ticket_off", "vault")]
    branch = replay(DAY, seed, actions)
    assert not branch.errors, branch.errors[0].explanation
    assert branch.audit_actual == branch.expected_total


def test_the_same_change_made_at_once_under_busy_desks_puts_two_tickets_on_one_drawer() -> None:
    """The hazard the pending change prevents (and a challenge can show): it really loses money."""
    lost = 0
    for seed in range(30):
        branch = Branch(DAY, seed=seed)
        while not branch.over:
            if branch.tick == 6 and any(d.busy for d in branch.desks):
                branch.change_tickets_at_once(TicketLayout(accounts=frozenset({0, 1, 2})))
            branch.step_tick()
        lost += bool(branch.errors)
    assert lost > 0


def test_a_change_waits_for_the_desks_and_says_how_many() -> None:
    branch = Branch(DAY, seed=3)
    while sum(d.busy for d in branch.desks) < 2:
        branch.step_tick()
    busy = sum(d.busy for d in branch.desks)
    branch.place_ticket("A")
    branch.remove_ticket("vault")
    assert branch.has_ticket("A") and not branch.has_ticket("vault")  # what the player chose
    assert branch.active_layout.vault and branch.desks_on_old_tickets() == busy
    called = {d.index: d.customer for d in branch.desks}
    while branch.desks_on_old_tickets():
        branch.step_tick()
        for desk in branch.desks:  # nobody new is called while the old tickets are out
            assert desk.customer is None or desk.customer is called[desk.index]
    branch.step_tick()
    assert branch.active_layout == branch.layout and not branch.active_layout.vault
    assert any(d.busy for d in branch.desks)


def test_a_change_with_the_desks_free_takes_effect_at_once() -> None:
    branch = Branch(DAY, seed=3)
    branch.place_ticket("A")
    assert branch.active_layout == branch.layout and branch.desks_on_old_tickets() == 0
