"""The best fix per fix-it puzzle in the saved progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankgame.store import Store, open_store


def test_the_best_fix_is_kept() -> None:
    store = Store.memory()
    assert store.record_fixit("fix-x", 1, 10, 2, "[Ann]\nr = read A\n")
    assert store.record_fixit("fix-x", 3, 6, 2, "best")
    assert not store.record_fixit("fix-x", 2, 5, 1, "worse stars")
    assert not store.record_fixit("fix-x", 3, 6, 2, "the same, not better")
    assert store.record_fixit("fix-x", 3, 6, 1, "fewer tickets")
    saved = store.fixits()["fix-x"]
    assert (saved.stars, saved.held, saved.tickets, saved.program) == (3, 6, 1, "fewer tickets")


def test_a_fix_without_a_star_is_not_saved() -> None:
    with pytest.raises(ValueError):
        Store.memory().record_fixit("fix-x", 0, 1, 1, "")


def test_the_best_fix_survives_reopening(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.record_fixit("fix-x", 2, 7, 3, "text")
    store.close()
    again = open_store(tmp_path)
    assert again.fixits()["fix-x"].program == "text"
    again.close()
