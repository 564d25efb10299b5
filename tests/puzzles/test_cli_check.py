"""``bankgame check``: a puzzle or a small day, as text or JSON; bad input exits 2 saying why."""

from __future__ import annotations

import json

import pytest

from bankgame.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["check", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_puzzle_s_report_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    report = run(capsys, "--puzzle", "transfer-jam")
    assert report["verdict"] == "deadlocked" and report["kind"] == "deadlock"
    assert report["shortest"] == ["Ann", "Ben"] and report["par"] == 2
    assert report["states"] == 44 and report["orders"] == 6
    assert run(capsys, "--puzzle", "polite-cashiers")["orders"] is None  # endless: they can loop


def test_a_small_day_of_a_level(capsys: pytest.CaptureFixture[str]) -> None:
    broken = run(capsys, "--level", "rush-hour", "--customers", "3")
    assert broken["verdict"] == "broken" and broken["kind"] == "lost_update" and broken["level"] == "rush-hour"
    safe = run(capsys, "--level", "rush-hour", "--customers", "3", "--tickets", "accounts")
    assert safe["verdict"] == "safe" and safe["orders"] > 1 and safe["shortest"]


def test_a_small_day_in_message_mode_cannot_be_broken(capsys: pytest.CaptureFixture[str]) -> None:
    """The back office: the cashiers' requests and the clerks' serving, in every order."""
    report = run(capsys, "--level", "back-office", "--customers", "4")
    assert report["verdict"] == "safe" and report["orders"] > 1
    assert {"Ada", "Bob"} <= set(report["shortest"])  # the clerks move too
    shared = run(capsys, "--level", "back-office", "--customers", "4", "--mode", "shared")
    assert shared["verdict"] == "broken" and shared["kind"] == "lost_update"  # the same customers, without owners


def test_the_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--puzzle", "locked-deposits"]) == 0
    out = capsys.readouterr().out
    assert "The locked deposits: safe" in out and "every one of the 2 possible orders" in out


@pytest.mark.parametrize("argv, reason", [
    (["--puzzle", "nope"], "unknown puzzle 'nope'"),
    (["--level", "nope", "--customers", "2"], "unknown level 'nope'"),
    (["--level", "rush-hour"], "--customers N"),
    (["--level", "rush-hour", "--customers", "7"], "at most 6 customers, 4 cashiers, 6 accounts and 4 clerks"),
    (["--level", "rush-hour", "--customers", "2", "--cashiers", "5"], "at most 6 customers"),
])
def test_bad_ids_and_days_too_large_exit_2_with_the_reason(
    capsys: pytest.CaptureFixture[str], argv: list[str], reason: str,
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check", *argv])
    assert caught.value.code == 2
    assert reason in capsys.readouterr().err
