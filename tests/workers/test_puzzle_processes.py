"""Every puzzle's winning schedule on real processes gives the model's outcome, and leaves nothing behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bankgame.engine.puzzles import load_book
from bankgame.workers.puzzles import Mismatch, PuzzleProcesses, run_schedule

BOOK = load_book()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


@pytest.mark.parametrize("puzzle", BOOK.puzzles, ids=lambda p: p.id)
def test_the_winning_schedule_on_real_processes_ends_as_the_model_does(puzzle) -> None:
    run = run_schedule(puzzle.machine, puzzle.report().shortest)
    assert run.real_ledger == list(run.model.ledger)
    assert run.steps == puzzle.par
    assert not any(_alive(pid) for pid in run.pids)  # every desk's process is gone
    assert not Path(f"/dev/shm/{run.block.lstrip('/')}").exists()  # and its shared memory


def test_a_lost_update_happens_in_real_shared_memory() -> None:
    puzzle = BOOK.puzzle("lost-update")
    run = run_schedule(puzzle.machine, puzzle.report().shortest)
    assert run.real_ledger == [13_000]  # $100 + $50 + $30 should be $180: Ben's stale sum won


def test_a_restart_kills_the_clerk_for_real_and_the_deposit_counts_twice_without_sequence_numbers() -> None:
    twice = run_schedule(BOOK.puzzle("counted-twice").machine, BOOK.puzzle("counted-twice").report().shortest)
    assert twice.restarts == 1 and twice.real_ledger == [20_000]  # $100 + $50 applied twice
    safe = BOOK.puzzle("sequence-numbers")
    # Received, checked, applied, then the power cut before the ack: the repeat is recognised and skipped.
    run = run_schedule(safe.machine, [0, 1, 1, 1, 2, 1, 1, 1])
    assert run.restarts == 1 and run.real_ledger == [15_000] == list(run.model.ledger)
    assert safe.machine.finished(run.model, 1)


def test_a_step_the_model_refuses_is_refused() -> None:
    puzzle = BOOK.puzzle("locked-deposits")
    with PuzzleProcesses(puzzle.machine) as real:
        state = real.step(puzzle.machine.initial(), 0).state  # Ann takes ticket A
        with pytest.raises(Mismatch, match="Ben cannot move"):
            real.step(state, 1)


def test_the_puzzle_screen_plays_on_real_processes_and_undo_replaces_them() -> None:
    import asyncio

    from textual.app import App

    from bankgame.screens.puzzle import PuzzleScreen
    from bankgame.store import Store
    from bankgame.workers import start_process_helpers

    start_process_helpers()  # before the app runs, as the game does

    class RealApp(App[None]):
        backend_name = "process"

        def on_mount(self) -> None:
            self.push_screen(PuzzleScreen(BOOK, BOOK.puzzle("lost-update"), Store.memory()))

    async def play() -> None:
        app = RealApp()
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            run = app.screen.run
            assert run.real is not None
            first = list(run.real.pids)
            await pilot.press("1", "1", "2", "2", "1", "2")
            assert run.verdict().won and run.real.ledger() == [13_000]  # lost in the real shared block
            await pilot.press("u")
            assert run.real.pids != first and run.real.ledger() == [15_000]  # replayed on fresh processes
            assert not any(_alive(pid) for pid in first)
            pids = list(run.real.pids)
            await pilot.press("escape")
            await pilot.pause()
        assert not any(_alive(pid) for pid in pids)

    asyncio.run(play())
