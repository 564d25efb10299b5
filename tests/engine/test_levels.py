"""Levels are data; a bad level file names the file, the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankgame.engine import LevelError, all_levels, level_ids, load_level, load_level_file, make_day
from bankgame.paths import assets_dir

CAMPAIGN = [
    "opening-day", "rush-hour", "vault", "check-then-withdraw", "transfer-desk",
    "rate-board", "back-office", "hot-account", "second-branch", "break-the-bank",
]


def test_the_campaign_and_the_sandbox_are_there_in_order() -> None:
    assert level_ids() == CAMPAIGN + ["sandbox"]


def test_every_level_has_a_story_and_goals() -> None:
    for level in all_levels():
        assert level.title and level.briefing, level.id
        if level.id != "sandbox":
            assert level.debrief and level.lessons and level.goals, level.id


def test_second_branch_has_no_shared_state() -> None:
    assert load_level("second-branch").day.shared_available is False


def test_assets_are_found() -> None:
    assert (assets_dir() / "levels").is_dir()


def test_unknown_level_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_level("no-such-level")


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('id = "x"\ntitle = "X"\ncolour = "red"\n', "colour", "unknown key"),
        ('title = "X"\n', "id", "missing"),
        ('id = "x"\ntitle = "X"\n[day]\ncashiers = "two"\n', "day.cashiers", "whole number"),
        ('id = "x"\ntitle = "X"\n[day]\ncashiers = 0\n', "day.cashiers", "between 1 and 16"),
        ('id = "x"\ntitle = "X"\n[day]\nmode = "telepathy"\n', "day.mode", "one of shared, message"),
        ('id = "x"\ntitle = "X"\n[day]\nwizards = 3\n', "day.wizards", "unknown key"),
        ('id = "x"\ntitle = "X"\n[day]\naccounts = 2\nclosed = [5]\n', "day.closed", "does not exist"),
        ('id = "x"\ntitle = "X"\n[[goals]]\ntext = "t"\nmetric = "happiness"\nat_least = 1\n', "goals[0].metric", "must be one of"),
        ('id = "x"\ntitle = "X"\n[[goals]]\ntext = "t"\nmetric = "served"\n', "goals[0]", "at_least or at_most"),
        ('id = "x"\ntitle = \n', "(file)", "not valid TOML"),
    ],
)
def test_a_bad_level_file_names_file_key_and_reason(tmp_path: Path, text: str, key: str, reason: str) -> None:
    path = tmp_path / "01-bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LevelError) as caught:
        load_level_file(path)
    error = caught.value
    assert error.file == str(path)
    assert error.key == key
    assert reason in error.reason
    assert str(path) in str(error) and key in str(error)


def test_options_override_a_level_and_are_checked() -> None:
    base = load_level("rush-hour").day
    day = make_day({"cashiers": 5}, base=base)
    assert day.cashiers == 5 and day.accounts == base.accounts
    with pytest.raises(LevelError, match="amount_max"):
        make_day({"amount_min": 500, "amount_max": 100})
