"""Playing a puzzle: picks, undo, the verdict, graded hints, stars."""

from __future__ import annotations

import pytest
from bankgame.engine.puzzle_run import PuzzleRun
from bankgame.engine.puzzles import load_book

BOOK = load_book()


@pytest.mark.parametrize("puzzle", BOOK.puzzles, ids=lambda p: p.id)
def test_the_checker_s_shortest_schedule_wins_each_puzzle_at_par(puzzle) -> None:
    run = PuzzleRun(puzzle)
    for desk in puzzle.report().shortest:
        assert not run.verdict().won
        run.pick(desk)
    verdict = run.verdict()
    assert verdict.won and verdict.over and verdict.under_par and verdict.steps == puzzle.par
    assert run.stars() == 3
    assert run.movable() == []


def test_undo_takes_back_a_step_and_a_finished_attempt_opens_the_hints() -> None:
    run = PuzzleRun(BOOK.puzzle("lost-update"))
    assert not run.can_hint()
    for desk in (0, 0, 0, 1, 1, 1):  # one after the other: nothing lost
        run.pick(desk)
    verdict = run.verdict()
    assert verdict.over and not verdict.won and run.failed == 1
    assert run.can_hint()
    assert run.hint() == BOOK.puzzle("lost-update").hint  # 1: where to look
    assert "Ben's line 3, write A = r" in run.hint()  # 2: the step
    third = run.hint()  # 3: the schedule, played from the start
    assert "Ann, Ann, Ben, Ben, Ann, Ben" in third and run.picks == []
    while run.guided() >= 0:
        run.pick(run.guided())
    assert run.verdict().won and run.stars() == 2  # won at par, but with hints
    assert run.undo() and not run.verdict().won and run.picks == [0, 0, 1, 1, 0]


def test_a_safe_puzzle_says_nothing_can_break_it_with_the_orders_tried() -> None:
    run = PuzzleRun(BOOK.puzzle("locked-deposits"))
    while run.movable():
        run.pick(run.movable()[-1])
    verdict = run.verdict()
    assert verdict.won
    assert "Nothing can break this: every one of the 2 possible orders" in verdict.text


def test_the_livelock_is_won_by_coming_back_to_the_same_state() -> None:
    run = PuzzleRun(BOOK.puzzle("polite-cashiers"))
    for desk in (0, 1, 0, 1):  # both take one, Ann backs off, Ben gets A: not a loop
        run.pick(desk)
    assert not run.verdict().won
    run.reset()
    for desk in (0, 1, 0, 0, 1):
        run.pick(desk)
    verdict = run.verdict()
    assert verdict.won and "a loop of 4 steps" in verdict.text


def test_starving_needs_everyone_else_to_keep_going() -> None:
    run = PuzzleRun(BOOK.puzzle("starvation"))
    for _ in range(2):
        for desk in (0, 0, 0, 0, 0):  # Ann goes round alone: Ben and Cat are simply not picked
            run.pick(desk)
    assert not run.verdict().won


def test_a_desk_that_cannot_move_cannot_be_picked() -> None:
    run = PuzzleRun(BOOK.puzzle("locked-deposits"))
    run.pick(0)  # Ann takes ticket A
    assert run.movable() == [0]
    with pytest.raises(ValueError, match="Ben cannot move now"):
        run.pick(1)


def test_hints_open_for_desks_that_never_finish_once_an_attempt_goes_far_past_par() -> None:
    run = PuzzleRun(BOOK.puzzle("starvation"))
    for _ in range(run.far_enough):
        assert not run.can_hint()
        run.pick(0)  # Ann alone, round and round: Ben and Cat simply not picked
    assert run.can_hint() and not run.verdict().won


def test_starting_again_counts_as_a_failed_attempt() -> None:
    run = PuzzleRun(BOOK.puzzle("lost-update"))
    run.pick(0)
    run.reset()
    assert run.failed == 1 and run.can_hint()
