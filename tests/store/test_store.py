"""Saved progress: round trip, bad files set aside, unwritable folders, kills mid-save."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bankgame.store import FILE_NAME, SETTINGS, Store, TutorialState, data_folder, open_store

CAMPAIGN = ["opening-day", "rush-hour", "vault"]


def test_the_folder_comes_from_bankgame_home(bankgame_home: Path) -> None:
    assert data_folder() == bankgame_home
    with open_store() as store:
        assert store.path == bankgame_home / FILE_NAME
        assert store.notice == ""
        assert store.persistent


def test_round_trip(bankgame_home: Path) -> None:
    with open_store() as store:
        store.set_campaign(CAMPAIGN)
        first = store.record_day("opening-day", stars=2, score=150, seed=1, details={"served": 18})
        assert first.new_stars and first.new_best and first.unlocked == "rush-hour"
        worse = store.record_day("opening-day", stars=1, score=90, seed=3)
        assert not worse.new_stars and not worse.new_best and worse.stars == 2 and worse.best_score == 150
        store.set_tutorial("rush-ticket", "started")
        store.set_setting("speed", 4)
        store.set_setting("theme", "nord")
        store.set_setting("animations", False)
        store.set_setting("unlock_all", True)
    with open_store() as store:
        store.set_campaign(CAMPAIGN)
        assert store.stars("opening-day") == 2
        assert store.best_score("opening-day") == 150
        assert store.progress()["opening-day"].plays == 2
        assert store.stars("rush-hour") == 0 and store.best_score("rush-hour") is None
        assert store.tutorial() == TutorialState("rush-ticket", "started")
        assert store.settings() == {"theme": "nord", "speed": 4.0, "animations": False, "unlock_all": True}
        history = store.history()
        assert [(d.level_id, d.stars, d.score, d.seed) for d in history] == [
            ("opening-day", 1, 90, 3), ("opening-day", 2, 150, 1),
        ]
        assert history[1].details == {"served": 18}
        assert store.history("rush-hour") == []


def test_defaults_and_bad_settings() -> None:
    store = Store.memory()
    assert store.settings() == SETTINGS
    assert store.tutorial() == TutorialState("", "new")
    with pytest.raises(ValueError):
        store.set_setting("volume", 3)
    with pytest.raises(ValueError):
        store.set_setting("animations", "yes")
    with pytest.raises(ValueError):
        store.set_tutorial("x", "halfway")
    with pytest.raises(ValueError):
        store.record_day("vault", stars=4, score=1)


def test_unlocking_follows_the_campaign() -> None:
    store = Store.memory()
    store.set_campaign(CAMPAIGN)
    assert store.unlocked("opening-day")
    assert not store.unlocked("rush-hour") and not store.unlocked("vault")
    assert store.unlocked("sandbox")
    assert not store.unlocked("no-such-level")
    assert store.record_day("opening-day", stars=0, score=10).unlocked is None
    assert not store.unlocked("rush-hour")
    assert store.record_day("opening-day", stars=1, score=20).unlocked == "rush-hour"
    assert store.unlocked("rush-hour") and not store.unlocked("vault")
    # Replaying a passed level unlocks nothing new.
    assert store.record_day("opening-day", stars=3, score=30).unlocked is None


def test_the_real_campaign_starts_with_opening_day() -> None:
    store = Store.memory()
    order = store.campaign()
    assert order[0] == "opening-day" and order[-1] == "break-the-bank" and "sandbox" not in order
    assert store.unlocked("opening-day") and not store.unlocked(order[1])


def test_record_report_from_a_real_day() -> None:
    from bankgame.day import open_day
    from bankgame.engine import make_report

    level, branch = open_day("opening-day")
    with branch:
        branch.run()
        report = make_report(branch, level.id, level.goals)
    store = Store.memory()
    recorded = store.record_report(report, {"tickets": "none"})
    assert recorded.stars == report.stars and recorded.best_score == report.score
    day = store.history()[0]
    assert day.details["served"] == report.served and day.details["options"] == {"tickets": "none"}


@pytest.mark.parametrize("garbage", [b"this is not a database at all\n" * 100, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_corrupt_file_is_set_aside_with_its_bytes(bankgame_home: Path, garbage: bytes) -> None:
    bankgame_home.mkdir(parents=True)
    (bankgame_home / FILE_NAME).write_bytes(garbage)
    with open_store() as store:
        assert store.persistent
        assert "could not be read" in store.notice and f"{FILE_NAME}.corrupt-1" in store.notice
        assert store.stars("opening-day") == 0
        store.record_day("opening-day", stars=1, score=5)
    assert (bankgame_home / f"{FILE_NAME}.corrupt-1").read_bytes() == garbage
    with open_store() as store:  # the fresh save is a good one
        assert store.notice == "" and store.stars("opening-day") == 1


def test_a_damaged_save_is_set_aside_and_numbers_do_not_clash(bankgame_home: Path) -> None:
    with open_store() as store:
        store.record_day("opening-day", stars=3, score=100)
    path = bankgame_home / FILE_NAME
    for n in (1, 2):
        data = bytearray(path.read_bytes())
        data[100:4096] = b"\x00\xff" * ((4096 - 100) // 2)  # wreck the schema page
        path.write_bytes(bytes(data))
        kept = bytes(data)
        with open_store() as store:
            assert f"corrupt-{n}" in store.notice
        assert (bankgame_home / f"{FILE_NAME}.corrupt-{n}").read_bytes() == kept


def test_a_database_that_is_not_ours_is_set_aside(bankgame_home: Path) -> None:
    bankgame_home.mkdir(parents=True)
    conn = sqlite3.connect(bankgame_home / FILE_NAME)
    conn.execute("CREATE TABLE levels (name TEXT, colour TEXT)")
    conn.commit()
    conn.close()
    with open_store() as store:
        assert "not a bankgame table" in store.notice
        assert store.stars("vault") == 0
    assert (bankgame_home / f"{FILE_NAME}.corrupt-1").exists()


def test_an_unwritable_folder_still_gives_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A file where the folder should be: no user, root included, can write there.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BANKGAME_HOME", str(blocker / "bankgame"))
    store = open_store()
    assert not store.persistent and store.path is None
    assert "cannot be saved" in store.notice
    store.set_campaign(CAMPAIGN)
    store.record_day("opening-day", stars=1, score=10)
    assert store.unlocked("rush-hour")
    assert blocker.read_text() == "not a folder"


def test_a_folder_in_place_of_the_file_is_not_touched(bankgame_home: Path) -> None:
    (bankgame_home / FILE_NAME).mkdir(parents=True)
    store = open_store()
    assert not store.persistent and "cannot be saved" in store.notice
    assert (bankgame_home / FILE_NAME).is_dir()


WRITER = """
import sys
from bankgame.store import open_store
store = open_store(sys.argv[1])
print("ready", flush=True)
n = 0
while True:
    n += 1
    store.record_day("opening-day", stars=n % 4, score=n, seed=n, details={"n": n, "pad": "x" * 2000})
    store.set_setting("speed", float(n))
    store.set_tutorial(f"step-{n}")
"""


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.8])
def test_a_kill_during_writes_leaves_a_valid_file(bankgame_home: Path, delay: float) -> None:
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(bankgame_home)], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
        time.sleep(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    conn = sqlite3.connect(bankgame_home / FILE_NAME)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    days = conn.execute("SELECT count(*) FROM history").fetchone()[0]
    conn.close()
    with open_store() as store:
        assert store.notice == ""
        assert len(store.history(limit=10**6)) == days
        if days:  # every saved day is whole: its history row and its best score agree
            newest = store.history(limit=1)[0]
            assert store.best_score("opening-day") == newest.score == newest.details["n"]


def test_two_games_open_at_once_both_save(bankgame_home: Path) -> None:
    first, second = open_store(), open_store()
    assert first.notice == second.notice == ""
    first.record_day("opening-day", stars=1, score=10)
    second.record_day("opening-day", stars=2, score=20)
    first.set_setting("speed", 2.0)
    assert second.stars("opening-day") == 2 and second.setting("speed") == 2.0
    first.close()
    second.close()


def _as_nobody(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` as an ordinary user: root would ignore every permission."""
    import shutil

    if os.geteuid() != 0:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("needs setpriv to drop root")
    return subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code],
                          capture_output=True, text=True)


def test_a_save_in_a_read_only_folder_is_still_shown() -> None:
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="bankgame-ro-"))
    try:
        folder.chmod(0o755)
        with open_store(folder) as store:
            store.set_campaign(CAMPAIGN)
            store.record_day("opening-day", stars=2, score=150)
        for path in folder.iterdir():
            path.chmod(0o644)
        folder.chmod(0o555)
        out = _as_nobody(
            "from bankgame.store import open_store; import json\n"
            f"s = open_store({str(folder)!r})\n"
            "s.record_day('rush-hour', stars=1, score=9)\n"
            "print(json.dumps([s.notice, s.persistent, s.stars('opening-day'), s.stars('rush-hour')]))"
        )
        assert out.returncode == 0, out.stderr
        notice, persistent, kept, new = json.loads(out.stdout)
        assert "cannot be saved" in notice and not persistent
        assert (kept, new) == (2, 1)  # the saved stars are shown; this session's are kept until quitting
        folder.chmod(0o755)
        with open_store(folder) as store:
            assert store.stars("opening-day") == 2 and store.stars("rush-hour") == 0  # the file untouched
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_an_unreadable_save_is_set_aside_with_its_bytes() -> None:
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="bankgame-unreadable-"))
    try:
        folder.chmod(0o777)
        with open_store(folder) as store:
            store.record_day("opening-day", stars=3, score=150)
        save = folder / FILE_NAME
        for extra in (folder / f"{FILE_NAME}-wal", folder / f"{FILE_NAME}-shm"):
            extra.unlink(missing_ok=True)
        kept = save.read_bytes()
        save.chmod(0o000)
        out = _as_nobody(
            "from bankgame.store import open_store; import json\n"
            f"s = open_store({str(folder)!r})\n"
            "print(json.dumps([s.notice, s.persistent, s.stars('opening-day')]))"
        )
        assert out.returncode == 0, out.stderr
        notice, persistent, stars = json.loads(out.stdout)
        assert "could not be read (no permission to read it)" in notice and f"{FILE_NAME}.corrupt-1" in notice
        assert persistent and stars == 0
        assert (folder / f"{FILE_NAME}.corrupt-1").read_bytes() == kept
    finally:
        shutil.rmtree(folder)
