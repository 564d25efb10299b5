"""The Puzzle Book's saved progress: the best of each attempt is kept, across a reopen."""

from __future__ import annotations

from pathlib import Path

from bankgame.store import PuzzleProgress, open_store


def test_puzzle_progress_keeps_the_best_and_survives_a_reopen(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        assert store.puzzles() == {}
        store.record_puzzle("lost-update", won=False, stars=0, steps=3, hints=1)
        store.record_puzzle("lost-update", won=True, stars=2, steps=8, hints=1)
        store.record_puzzle("lost-update", won=True, stars=1, steps=6, hints=2)
    with open_store(tmp_path) as store:
        assert store.puzzles() == {"lost-update": PuzzleProgress(won=True, stars=2, best_steps=6, hints=2)}
