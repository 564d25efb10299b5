"""`bankgame simulate`: a headless day, the same report every time, clear refusals."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bankgame.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bankgame.cli", *args], capture_output=True, text=True)


def test_json_report_has_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--level", "rush-hour", "--seed", "4", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("level", "seed", "mode", "ticks", "served", "left", "wait", "integrity_errors", "deadlocks", "audit", "stars"):
        assert key in report
    assert set(report["wait"]) == {"mean", "max"}
    assert set(report["audit"]) == {"expected_total", "actual_total"}
    assert report["level"] == "rush-hour" and report["seed"] == 4
    error = report["integrity_errors"][0]
    assert set(error) == {"kind", "tick", "account", "expected", "actual", "cashiers"}


def test_the_same_arguments_give_the_same_report_to_the_byte() -> None:
    args = ["simulate", "--level", "transfer-desk", "--seed", "11", "--json"]
    first, second = run(*args), run(*args)
    assert first.returncode == 0
    assert first.stdout == second.stdout
    text = ["simulate", "--level", "sandbox", "--seed", "3", "--tickets", "vault"]
    assert run(*text).stdout == run(*text).stdout


def test_options_override_the_level(capsys: pytest.CaptureFixture[str]) -> None:
    main(["simulate", "--level", "rush-hour", "--tickets", "accounts", "--cashiers", "4", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["integrity_errors"] == []
    main(["simulate", "--level", "rush-hour", "--mode", "message", "--json"])
    assert json.loads(capsys.readouterr().out)["mode"] == "message"


def test_text_report_is_short_and_readable() -> None:
    out = run("simulate", "--level", "rush-hour").stdout
    assert "rush-hour" in out and "lost update" in out and "audit" in out
    assert len(out.splitlines()) < 20


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["simulate", "--level", "moon-base"], "unknown level 'moon-base'"),
        (["simulate", "--cashiers", "0"], "--cashiers"),
        (["simulate", "--cashiers", "lots"], "invalid int value"),
        (["simulate", "--mode", "psychic"], "invalid choice"),
        (["simulate", "--kill-clerk-every", "-1"], "--kill-clerk-every"),
        (["simulate", "--level", "second-branch", "--mode", "shared"], "no shared mode"),
        (["sandbox", "--level", "second-branch", "--mode", "shared"], "no shared mode"),
        (["--frobnicate"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_exit_2_with_usage(args: list[str], needle: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert needle in result.stderr
    assert result.stdout == ""


def test_version() -> None:
    from bankgame import __version__

    result = run("--version")
    assert result.returncode == 0 and __version__ in result.stdout
