"""Break the Bank: the player picks who moves, undoes, and gets a plain verdict."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import deque

import pytest

from bankgame.engine import LevelError, load_level
from bankgame.engine.challenge import (
    ChallengeRun, ChallengeSpec, describe_order, explore, level_stars, load_challenges, replay, with_changes,
)


@pytest.fixture(scope="module")
def specs() -> dict[str, ChallengeSpec]:
    return {spec.id: spec for spec in load_challenges(load_level("break-the-bank"))}


def state(run: ChallengeRun) -> tuple:
    branch = run.branch
    return (
        branch.tick, tuple(branch.ledger), tuple((d.pc, d.busy, tuple(d.held), d.waiting_for, tuple(d.regs.items())) for d in branch.desks),
        len(branch.errors), len(branch.deadlocks), branch.over,
    )


def fewest_picks_to_win(spec: ChallengeSpec, most: int) -> int | None:
    """Breadth-first over the player's picks (waiting picks included): the shortest win."""
    queue: deque[tuple[int, ...]] = deque([()])
    while queue:
        picks = queue.popleft()
        run = ChallengeRun(spec)
        for actor in picks:
            run.pick(actor)
        if run.verdict().won:
            return len(picks)
        if len(picks) < most:
            queue.extend(picks + (actor,) for actor in run.movable())
    return None


def test_the_level_has_three_challenges_one_star_each(specs: dict[str, ChallengeSpec]) -> None:
    assert list(specs) == ["lost-update", "deadlock", "unbreakable"]
    assert [s.win for s in specs.values()] == ["lost_update", "deadlock", "unbreakable"]
    assert len(load_level("break-the-bank").goals) == 3
    order = list(specs.values())
    assert level_stars(set(), order) == 0
    assert level_stars({"lost-update"}, order) == 1
    assert level_stars(["lost-update", "deadlock", "unbreakable", "other"], order) == 3


def test_both_cashiers_are_at_their_desks_before_the_first_pick(specs: dict[str, ChallengeSpec]) -> None:
    run = ChallengeRun(specs["lost-update"])
    assert run.movable() == [0, 1] and run.picks == []
    assert run.next_line(0) == "r = read A" and run.next_line(1) == "r = read A"
    assert not run.verdict().won and not run.verdict().over


def test_a_lost_update_in_par_steps(specs: dict[str, ChallengeSpec]) -> None:
    run = ChallengeRun(specs["lost-update"])
    for actor in (0, 1, 0, 0, 1, 1):  # both read before either writes
        run.pick(actor)
    verdict = run.verdict()
    assert verdict.won and verdict.over and verdict.under_par and verdict.steps == 6
    assert "Lost update in 6 steps (par 6)" in verdict.text and "lost" in verdict.text
    assert run.movable() == []
    with pytest.raises(ValueError):
        run.pick(0)


def test_the_par_is_the_true_minimum(specs: dict[str, ChallengeSpec]) -> None:
    assert fewest_picks_to_win(specs["lost-update"], 6) == specs["lost-update"].par == 6
    assert fewest_picks_to_win(specs["deadlock"], 4) == specs["deadlock"].par == 4


def test_a_serial_order_loses_nothing_and_says_what_to_try(specs: dict[str, ChallengeSpec]) -> None:
    run = ChallengeRun(specs["lost-update"])
    for actor in (0, 0, 0, 1, 1, 1):
        run.pick(actor)
    verdict = run.verdict()
    assert verdict.over and not verdict.won and "Undo" in verdict.text
    assert run.branch.ledger[0] == 10_000 + 5_000 + 3_000


def test_a_deadlock(specs: dict[str, ChallengeSpec]) -> None:
    run = ChallengeRun(specs["deadlock"])
    assert run.next_line(0) == "take ticket A" and run.next_line(1) == "take ticket B"
    for actor in (0, 1, 0, 1):
        run.pick(actor)
    verdict = run.verdict()
    assert verdict.won and "Deadlock in 4 steps" in verdict.text
    assert "Ann holds A, waits for B" in verdict.text and "Ben holds B, waits for A" in verdict.text


def test_undo_lands_in_exactly_the_earlier_state(specs: dict[str, ChallengeSpec]) -> None:
    for spec in specs.values():
        rng = random.Random(spec.id)
        run = ChallengeRun(spec)
        seen = [state(run)]
        while run.movable() and len(run.picks) < 30:
            run.pick(rng.choice(run.movable()))
            seen.append(state(run))
        while run.picks:
            seen.pop()
            assert run.undo()
            assert state(run) == seen[-1]
        assert not run.undo()


def test_undo_after_a_win_plays_on(specs: dict[str, ChallengeSpec]) -> None:
    run = ChallengeRun(specs["lost-update"])
    for actor in (0, 1, 0, 0, 1, 1):
        run.pick(actor)
    run.undo()
    assert not run.verdict().won and run.movable() == [1]
    run.reset()
    assert run.picks == [] and run.movable() == [0, 1] and run.branch.ledger[0] == 10_000


def test_replay_is_deterministic(specs: dict[str, ChallengeSpec]) -> None:
    picks = [0, 1, 1, 0, 0, 1]
    first, second = replay(specs["lost-update"], picks), replay(specs["lost-update"], picks)
    assert first.ledger == second.ledger and [e.explanation for e in first.errors] == [e.explanation for e in second.errors]


def test_the_locked_program_cannot_be_broken(specs: dict[str, ChallengeSpec]) -> None:
    proof = explore(specs["unbreakable"])
    assert proof.broken == 0 and proof.orders == 2 and proof.line_interleavings == 252
    assert proof.summary().startswith("This program cannot be broken: every one of the 2 possible orders")
    assert describe_order(specs["unbreakable"], proof.safe_example)[0] == "Ann: take ticket A"


def test_no_schedule_the_player_picks_breaks_the_locked_program(specs: dict[str, ChallengeSpec]) -> None:
    rng = random.Random(10)
    for _ in range(200):
        run = ChallengeRun(specs["unbreakable"])
        while run.movable():
            run.pick(rng.choice(run.movable()))  # waiting picks included
        verdict = run.verdict()
        assert verdict.won and not run.branch.errors and run.branch.ledger[0] == 18_000
        assert "cannot be broken" in verdict.text


def test_without_the_ticket_almost_every_order_breaks(specs: dict[str, ChallengeSpec]) -> None:
    proof = explore(with_changes(specs["unbreakable"], tickets="none"))
    assert (proof.orders, proof.broken) == (20, 18)
    assert proof.summary() == "18 of the 20 possible orders break this program."
    assert explore(specs["lost-update"]).broken == 18


def test_lock_order_makes_the_transfers_unbreakable(specs: dict[str, ChallengeSpec]) -> None:
    unordered = explore(specs["deadlock"])
    assert unordered.broken >= 1 and describe_order(specs["deadlock"], unordered.broken_example) == [
        "Ann: take ticket A", "Ben: take ticket B",
    ]
    ordered = explore(with_changes(specs["deadlock"], lock_order="account"))
    assert ordered.broken == 0 and ordered.orders >= 2
    assert "every one of the 2 possible orders finishes both transfers, with no deadlock" in ordered.summary()


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"win": "glory"}, "win"),
        ({"customers": []}, "customers"),
        ({"customers": [{"kind": "deposit", "account": "A", "amount": 5}, {"kind": "rob", "account": "A", "amount": 5}]}, "customers[1].kind"),
        ({"customers": [{"kind": "deposit", "account": "A", "amount": -5}, {"kind": "deposit", "account": "A", "amount": 5}]}, "customers[0].amount"),
        ({"customers": [{"kind": "transfer", "account": "A", "to": "A", "amount": 5}, {"kind": "deposit", "account": "A", "amount": 5}]}, "customers[0].to"),
        ({"tickets": "everywhere"}, "tickets"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_challenge_names_its_key(change: dict, key: str) -> None:
    import dataclasses

    level = load_level("break-the-bank")
    table = dict(level.extra["challenges"][0]) | change
    bad = dataclasses.replace(level, extra={"challenges": [table]})
    with pytest.raises(LevelError) as caught:
        load_challenges(bad)
    assert f"challenges[0].{key}" in str(caught.value)


def test_the_challenge_module_is_pure_python() -> None:
    code = (
        "import json, sys, bankgame.engine.challenge; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'multiprocessing', 'rich'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
