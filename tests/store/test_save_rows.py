"""What the store reads is checked: hand-edited rows, foreign databases, seeds of any size."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from bankgame.app import BankApp
from bankgame.screens.level_select import LevelSelectScreen
from bankgame.screens.puzzle_book import PuzzleBookScreen
from bankgame.store import FILE_NAME, open_store

SIZE = (120, 36)


def hand_edit(home: Path) -> None:
    """A save whose rows a player changed with a SQLite editor."""
    with open_store(home) as store:
        store.record_day("opening-day", stars=2, score=120, seed=1)
        store.record_day("break-the-bank", stars=1, score=100, seed=1, details={"challenges": ["lost-update"]})
        store.record_day("rush-hour", stars=1, score=50, seed=3)
    conn = sqlite3.connect(home / FILE_NAME, isolation_level=None)
    conn.execute("UPDATE levels SET stars = 'three' WHERE level_id = 'rush-hour'")
    conn.execute("INSERT INTO levels VALUES ('vault', 9, 'lots', -1)")
    conn.execute("UPDATE history SET details = '[not json' WHERE level_id = 'break-the-bank'")
    conn.execute("INSERT INTO history (level_id, seed, stars, score, played_at, details) "
                 "VALUES ('opening-day', 'x', 2, 10, 0, '{}')")
    conn.execute("INSERT OR REPLACE INTO settings VALUES ('speed', '\"fast\"')")
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('tutorial_status', 'halfway')")
    conn.close()


def test_hand_edited_rows_are_set_aside_with_a_notice(bankgame_home: Path) -> None:
    hand_edit(bankgame_home)
    with open_store(bankgame_home) as store:
        assert "6 row(s)" in store.notice and "set aside" in store.notice and "'aside'" in store.notice
        assert store.stars("opening-day") == 2  # the good rows stay
        assert store.stars("rush-hour") == 0 and store.stars("vault") == 0
        assert [day.level_id for day in store.history()] == ["rush-hour", "opening-day"]
        assert store.settings()["speed"] == 1.0 and store.tutorial().status == "new"
    conn = sqlite3.connect(bankgame_home / FILE_NAME)
    aside = conn.execute("SELECT table_name, row, reason FROM aside ORDER BY id").fetchall()
    conn.close()
    assert {row[0] for row in aside} == {"levels", "history", "settings", "meta"}
    assert any(json.loads(row)[0] == "vault" and "stars 9" in reason for _, row, reason in aside), aside
    with open_store(bankgame_home) as again:  # set aside once, not on every start
        assert again.notice == ""


def test_screens_open_on_a_hand_edited_save(bankgame_home: Path) -> None:
    hand_edit(bankgame_home)

    async def play() -> None:
        app = BankApp(backend="inline", store=open_store(bankgame_home))
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert any("set aside" in n.message for n in app._notifications)
            app.show_levels()
            await pilot.pause()
            assert isinstance(app.screen, LevelSelectScreen)
            await pilot.press("escape")
            app.open_level("break-the-bank")
            await pilot.pause()
            assert isinstance(app.screen, PuzzleBookScreen)
            assert not any(p.won for p in app.store.puzzles().values())

    asyncio.run(play())


def test_a_foreign_database_is_set_aside_untouched(bankgame_home: Path) -> None:
    bankgame_home.mkdir(parents=True)
    path = bankgame_home / FILE_NAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Ann', '555')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with open_store() as store:
        assert "another program" in store.notice and "contacts" in store.notice
        assert store.persistent and store.stars("opening-day") == 0
    aside = bankgame_home / f"{FILE_NAME}.corrupt-1"
    assert aside.read_bytes() == before  # not switched to WAL, not given our tables
    assert not (bankgame_home / f"{FILE_NAME}.corrupt-1-wal").exists()


def test_a_foreign_database_with_some_of_our_table_names_is_not_adopted(bankgame_home: Path) -> None:
    bankgame_home.mkdir(parents=True)
    path = bankgame_home / FILE_NAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with open_store() as store:
        assert "not a bankgame save" in store.notice
    assert (bankgame_home / f"{FILE_NAME}.corrupt-1").read_bytes() == before


def test_seeds_beyond_sqlite_integers_are_saved_exactly(bankgame_home: Path) -> None:
    huge, negative = 2**64 + 12345, -(2**70)
    with open_store() as store:
        store.record_day("opening-day", stars=1, score=10, seed=huge)
        store.record_day("opening-day", stars=1, score=11, seed=negative)
        store.record_day("opening-day", stars=1, score=12, seed=2**63 - 1)
    with open_store() as store:
        assert [day.seed for day in store.history()] == [2**63 - 1, negative, huge]
        assert store.notice == ""


def test_a_day_with_a_huge_seed_is_saved_from_the_game(bankgame_home: Path) -> None:
    from bankgame.day import open_day

    seed = 2**64 + 7

    async def play() -> None:
        app = BankApp(day=open_day("sandbox", seed, {"customers": 3}, "inline"), backend="inline", paused=True,
                      store=open_store())
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(300):
                if app.branch.over:
                    break
                await pilot.press("full_stop")
            await pilot.pause()
            assert not [n.message for n in app._notifications if "saved" in n.message.lower()]

    asyncio.run(play())
    with open_store() as store:
        assert store.history()[0].seed == seed


# One bad value per table: each row is set aside, the good row beside it stays, and nothing raises.
BAD_ROWS = {
    "meta": ("INSERT OR REPLACE INTO meta VALUES ('tutorial_status', 'halfway')",
             lambda store: store.tutorial().status == "new"),
    "levels": ("UPDATE levels SET plays = 'many' WHERE level_id = 'rush-hour'",
               lambda store: "rush-hour" not in store.progress() and store.stars("opening-day") == 2),
    "settings": ("INSERT OR REPLACE INTO settings VALUES ('animations', '\"sometimes\"')",
                 lambda store: store.settings()["animations"] is True),
    "history": ("UPDATE history SET score = 'high' WHERE level_id = 'rush-hour'",
                lambda store: [day.level_id for day in store.history()] == ["opening-day"]),
    "puzzles": ("UPDATE puzzles SET stars = 'lots' WHERE puzzle_id = 'bad'",
                lambda store: set(store.puzzles()) == {"good"}),
    "fixits": ("UPDATE fixits SET held = 'x' WHERE puzzle_id = 'bad'",
               lambda store: set(store.fixits()) == {"good"}),
}


def two_of_each(home: Path) -> None:
    """A save with two rows in every table the game writes."""
    with open_store(home) as store:
        store.record_day("opening-day", stars=2, score=120, seed=1)
        store.record_day("rush-hour", stars=1, score=50, seed=3)
        store.set_tutorial("program")
        store.set_settings({"speed": 2.0, "animations": True})
        for puzzle in ("good", "bad"):
            store.record_puzzle(puzzle, won=True, stars=2, steps=5, hints=1)
            store.record_fixit(puzzle, stars=2, held=3, tickets=1, program="desk A\n")


@pytest.mark.parametrize("table", list(BAD_ROWS))
def test_a_bad_value_in_any_table_sets_its_row_aside(bankgame_home: Path, table: str) -> None:
    two_of_each(bankgame_home)
    edit, still_fine = BAD_ROWS[table]
    conn = sqlite3.connect(bankgame_home / FILE_NAME, isolation_level=None)
    conn.execute(edit)
    conn.close()
    with open_store(bankgame_home) as store:
        assert "1 row(s)" in store.notice and f"table {table}" in store.notice, store.notice
        assert still_fine(store)
    conn = sqlite3.connect(bankgame_home / FILE_NAME)
    aside = conn.execute("SELECT table_name FROM aside").fetchall()
    conn.close()
    assert aside == [(table,)]


def test_the_puzzle_book_and_a_fix_it_open_on_bad_puzzle_rows(bankgame_home: Path) -> None:
    two_of_each(bankgame_home)
    conn = sqlite3.connect(bankgame_home / FILE_NAME, isolation_level=None)
    conn.execute("INSERT INTO puzzles VALUES ('lost-update-1', 'yes', 'lots', 'few', -3)")
    conn.execute("INSERT INTO fixits VALUES ('fix-lost-update', 'two', 'x', 2.5, 7)")
    conn.close()

    async def play() -> None:
        app = BankApp(backend="inline", store=open_store(bankgame_home))
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.open_level("break-the-bank")
            await pilot.pause()
            assert isinstance(app.screen, PuzzleBookScreen)
            for key in ("down", "right", "enter", "escape", "tab", "enter", "escape"):
                await pilot.press(key)
            await pilot.pause()
            assert app._exception is None and app.is_running

    asyncio.run(play())


def test_a_foreign_database_with_a_key_value_meta_table_is_not_adopted(bankgame_home: Path) -> None:
    bankgame_home.mkdir(parents=True)
    path = bankgame_home / FILE_NAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")  # as many programs have
    conn.execute("INSERT INTO meta VALUES ('version', '7')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with open_store() as store:
        assert "not a bankgame save" in store.notice and store.persistent
    aside = bankgame_home / f"{FILE_NAME}.corrupt-1"
    assert aside.read_bytes() == before  # not switched to WAL, not given our tables
    conn = sqlite3.connect(aside)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
