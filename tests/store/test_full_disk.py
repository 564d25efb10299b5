"""A full disk never crashes the game: every save says why it failed, and the game plays on.

The save lives on a small tmpfs that is then filled to the last byte. Needs
root to mount (skipped with the reason otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bankgame.app import BankApp
from bankgame.day import open_day
from bankgame.engine.puzzles import load_book
from bankgame.screens.puzzle import PuzzleScreen
from bankgame.screens.puzzle_book import PuzzleBookScreen
from bankgame.screens.results import ResultsScreen
from bankgame.screens.settings import SettingsScreen
from bankgame.screens.tutorial import TutorialScreen
from bankgame.store import Store, open_store

SIZE = (120, 36)


class Disk:
    """A small tmpfs holding the save, which can be filled and emptied again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.filler = folder / f"filler-{uuid.uuid4().hex}"

    def fill(self) -> None:
        """Write until the disk refuses one more byte."""
        with self.filler.open("ab", buffering=0) as out:
            for size in (1 << 16, 1 << 12, 1 << 9, 1):
                try:
                    while True:
                        out.write(b"\0" * size)
                except OSError as error:
                    assert error.errno == errno.ENOSPC, error

    def empty(self) -> None:
        self.filler.unlink()


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip() or 'mount failed'}")
    try:
        yield Disk(folder)
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def full_store(disk: Disk) -> Store:
    """A save on the tmpfs with one day in it, then the disk filled."""
    store = open_store(disk.folder)
    assert store.persistent and store.notice == ""
    store.record_day("opening-day", stars=2, score=100, seed=1)
    disk.fill()
    return store


def test_every_change_on_a_full_disk_says_why_and_nothing_raises(disk: Disk) -> None:
    store = full_store(disk)
    told: list[str] = []
    store.on_problem = told.append
    recorded = store.record_day("rush-hour", stars=3, score=500, seed=2)
    assert not recorded.saved and recorded.stars == 3
    store.set_setting("speed", 2.0)
    assert not store.set_settings({"theme": "textual-light", "animations": False})
    store.set_tutorial("basics/queue", "skipped")
    assert len(told) == 4 and all("the disk is full" in sentence for sentence in told), told
    assert "database or disk is full" in store.problem  # SQLite's own words, not "cannot rollback"
    # What was saved before is still there; what failed left no half of itself.
    assert store.stars("opening-day") == 2 and store.stars("rush-hour") == 0
    assert store.settings()["speed"] == 1.0 and len(store.history()) == 1

    disk.empty()  # the player frees some space: saving works again
    assert store.record_day("rush-hour", stars=3, score=500, seed=2).saved
    assert store.problem == "" and store.stars("rush-hour") == 3
    store.close()
    with open_store(disk.folder) as again:
        assert again.stars("rush-hour") == 3 and again.notice == ""


def notices(app: BankApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def full_disk_app(disk: Disk, **kwargs) -> BankApp:
    app = BankApp(backend="inline", store=full_store(disk), **kwargs)
    app.animation_level = "none"
    return app


def test_settings_on_a_full_disk(disk: Disk) -> None:
    async def play() -> None:
        app = full_disk_app(disk)
        async with app.run_test(size=SIZE) as pilot:
            app.action_settings()
            await pilot.pause()
            assert isinstance(app.screen, SettingsScreen)
            await pilot.click("#settings-done")
            await pilot.pause()
            assert not isinstance(app.screen, SettingsScreen)
            assert any("Not saved: the disk is full" in n for n in notices(app)), notices(app)
            app.action_settings()  # and the game goes on
            await pilot.pause()
            assert isinstance(app.screen, SettingsScreen)

    asyncio.run(play())


def test_skipping_the_tutorial_on_a_full_disk(disk: Disk) -> None:
    async def play() -> None:
        app = full_disk_app(disk, start="tutorial")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, TutorialScreen)
            await pilot.press("x")
            await pilot.pause()
            assert app.screen.tutorial.status == "skipped"
            assert any("the disk is full" in n for n in notices(app)), notices(app)

    asyncio.run(play())


def test_the_end_of_a_day_on_a_full_disk(disk: Disk) -> None:
    async def play() -> None:
        store = full_store(disk)
        app = BankApp(day=open_day("sandbox", 1, {"customers": 3}, "inline"), backend="inline", paused=True,
                      store=store)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(300):
                if app.branch.over:
                    break
                await pilot.press("full_stop")
            await pilot.pause()
            assert isinstance(app.screen, ResultsScreen), app.screen
            assert app.screen.report.served == 3
            assert any("the disk is full" in n for n in notices(app)), notices(app)
            await pilot.press("r")
            await pilot.pause()
            assert app.branch is not None and app.branch.tick == 0, "play again still works"

    asyncio.run(play())


def test_a_puzzle_won_on_a_full_disk(disk: Disk) -> None:
    first = load_book().puzzles[0]
    async def play() -> None:
        app = full_disk_app(disk, start="level", level="break-the-bank")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, PuzzleBookScreen), app.screen
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PuzzleScreen) and app.screen.puzzle.id == first.id
            await pilot.press(*[str(desk + 1) for desk in first.report().shortest])
            await pilot.pause()
            assert app.screen.run.verdict().won
            assert any("the disk is full" in n for n in notices(app)), notices(app)

    asyncio.run(play())


def test_a_save_that_stays_locked_is_reported_not_raised(tmp_path: Path, monkeypatch) -> None:
    """Another program holding the save's write lock past every retry: the change is told, not raised."""
    import sqlite3

    import bankgame.store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.05)
    monkeypatch.setattr(store_module, "RETRY_FOR", 0.2)
    store = open_store(tmp_path)
    holder = sqlite3.connect(tmp_path / store_module.FILE_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with contextlib.suppress(Exception):
            store._conn.execute(f"PRAGMA busy_timeout = {50}")
        assert not store.set_settings({"speed": 2.0})
        assert "locked" in store.problem
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.set_settings({"speed": 2.0}) and store.problem == ""
    store.close()
    assert os.path.exists(tmp_path / store_module.FILE_NAME)
