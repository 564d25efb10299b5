"""The seed is in every report of a day, so that a student can play the same day again."""

from __future__ import annotations

import json

import pytest

from bankgame.cli import main
from bankgame.engine import load_level


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANKGAME_HOME", str(tmp_path / "home"))


def out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("seed", [None, "9"])
def test_simulate_and_check_of_a_day_name_its_seed(seed: str | None, capsys) -> None:
    used = int(seed) if seed is not None else load_level("rush-hour").seed
    given = ["--seed", seed] if seed is not None else []
    assert out(capsys, "simulate", "--level", "rush-hour", *given).startswith(f"rush-hour · seed {used} ·")
    assert json.loads(out(capsys, "simulate", "--level", "rush-hour", "--json", *given))["seed"] == used
    small = ["check", "--level", "rush-hour", "--customers", "2", *given]
    assert out(capsys, *small).startswith(f"rush-hour · seed {used}, 2 customers: ")
    assert json.loads(out(capsys, *small, "--json"))["seed"] == used


def test_two_seeds_of_a_small_day_are_two_days(capsys) -> None:
    # Why the check's report needs its seed: the customers, and so the money lost, differ.
    one = json.loads(out(capsys, "check", "--level", "rush-hour", "--customers", "2", "--json", "--seed", "2"))
    other = json.loads(out(capsys, "check", "--level", "rush-hour", "--customers", "2", "--json", "--seed", "9"))
    assert one["text"] != other["text"]
