"""A teacher's own level file: played headless and on screen, checked like the built-in levels."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from bankgame.cli import main
from bankgame.engine import DayConfig
from bankgame.engine.levels import METRICS, TOP_KEYS

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLE = DOCS / "example-level.toml"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BANKGAME_HOME", str(tmp_path / "home"))
    return tmp_path


def refused(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err


def test_the_example_level_plays_headless_and_its_lesson_wins_it(capsys) -> None:
    assert main(["simulate", "--level-file", str(EXAMPLE), "--json"]) == 0
    bare = json.loads(capsys.readouterr().out)
    assert main(["simulate", "--level-file", str(EXAMPLE), "--tickets", "accounts", "--json"]) == 0
    locked = json.loads(capsys.readouterr().out)
    assert bare["level"] == locked["level"] == "payday"
    assert any(e["kind"] == "lost_update" for e in bare["integrity_errors"]) and bare["stars"] < 3
    assert locked["integrity_errors"] == [] and locked["stars"] == 3


BROKEN = [
    ('id = "x"\ntitle = "X"\n[day]\ncashiers = "three"\n', "key 'day.cashiers': must be a whole number"),
    ('id = "x"\ntitle = "X"\ncolour = "red"\n', "key 'colour': unknown key"),
    ('title = "X"\n', "key 'id': missing"),
    ('id = "x"\ntitle = "X"\n[day]\nmode = "both"\n', "key 'day.mode': must be one of shared, message, not 'both'"),
    ('id = "x"\ntitle = "X"\n[[goals]]\ntext = "t"\nmetric = "happiness"\nat_least = 1\n', "key 'goals[0].metric'"),
    ('id = "x"\ntitle = "X\n', "key '(file)': not valid TOML"),
    ('id = "rush-hour"\ntitle = "X"\n', "key 'id': 'rush-hour' is the id of a built-in level"),
    # An old level with Break the Bank's challenges: told where they went, not just "unknown".
    ('id = "x"\ntitle = "X"\n[[challenges]]\nid = "lost-update"\n',
     "key 'challenges': no longer read: Break the Bank's challenges are now the Puzzle Book's puzzles"),
]


@pytest.mark.parametrize(("text", "reason"), BROKEN)
def test_a_broken_level_file_exits_2_naming_file_key_and_reason(text: str, reason: str, tmp_path: Path, capsys) -> None:
    file = tmp_path / "mine.toml"
    file.write_text(text)
    for argv in (["simulate", "--level-file", str(file)], ["--level-file", str(file)]):
        error = refused(capsys, *argv)
        assert f"{file}: {reason}" in error, error


def test_a_missing_level_file_exits_2(tmp_path: Path, capsys) -> None:
    error = refused(capsys, "simulate", "--level-file", str(tmp_path / "none.toml"))
    assert "none.toml: key '(file)': cannot be read" in error


def test_an_option_the_level_file_cannot_take_exits_2(capsys) -> None:
    error = refused(capsys, "simulate", "--level-file", str(EXAMPLE), "--cashiers", "99")
    assert "key '--cashiers': must be between 1 and 16" in error


def test_a_level_files_replay_finds_it_beside_and_refuses_it_changed(tmp_path: Path, capsys) -> None:
    mine = tmp_path / "here" / "payday.toml"
    mine.parent.mkdir()
    shutil.copy(EXAMPLE, mine)
    replay = tmp_path / "here" / "day.toml"
    assert main(["simulate", "--level-file", str(mine), "--json", "--save-replay", str(replay)]) == 0
    simulated = capsys.readouterr().out
    assert main(["replay", str(replay), "--json"]) == 0
    assert capsys.readouterr().out == simulated
    # Sent to a student: both files in another folder.
    moved = tmp_path / "student"
    shutil.move(tmp_path / "here", moved)
    assert main(["replay", str(moved / "day.toml"), "--json"]) == 0
    assert capsys.readouterr().out == simulated
    (moved / "payday.toml").write_text(EXAMPLE.read_text().replace("cashiers = 4", "cashiers = 3"))
    error = refused(capsys, "replay", str(moved / "day.toml"), "--json")
    assert "key 'level_file'" in error and "changed since the day was saved" in error


def test_docs_levels_names_every_key_a_level_file_can_have() -> None:
    text = (DOCS / "levels.md").read_text()
    for name in [f.name for f in dataclasses.fields(DayConfig)] + sorted(TOP_KEYS) + list(METRICS):
        assert f"`{name}`" in text, name
