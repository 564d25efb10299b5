"""``bankgame``, ``bankgame sandbox`` and ``bankgame --level`` open the app (its run is stubbed here)."""

from __future__ import annotations

from typing import Any

import pytest

from bankgame import cli
from bankgame.app import BankApp


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[BankApp]:
    """Stub the terminal run and the process helpers; collect the apps launched."""
    apps: list[BankApp] = []
    helpers: list[Any] = []

    def run(self: BankApp, *args: Any, **kwargs: Any) -> None:
        apps.append(self)

    monkeypatch.setattr(BankApp, "run", run)
    monkeypatch.setattr("bankgame.workers.start_process_helpers", lambda *a, **k: helpers.append(a))
    return apps


def test_no_command_opens_the_title(launched: list[BankApp]) -> None:
    assert cli.main([]) == 0
    (app,) = launched
    assert app.start == "title" and app.handle_signals and app.backend_name == "process"


def test_sandbox_opens_the_branch_with_the_day_options(launched: list[BankApp]) -> None:
    assert cli.main(["sandbox", "--seed", "7", "--cashiers", "6", "--mode", "message", "--backend", "inline"]) == 0
    (app,) = launched
    assert (app.start_level, app.start_seed, app.backend_name) == ("sandbox", 7, "inline")
    assert app.start_options == {"cashiers": 6, "mode": "message"}


def test_level_opens_that_level(launched: list[BankApp]) -> None:
    assert cli.main(["--level", "rush-hour", "--seed", "3"]) == 0
    (app,) = launched
    assert (app.start, app.start_level, app.start_seed) == ("level", "rush-hour", 3)


@pytest.mark.parametrize("argv", [["--level", "no-such-level"], ["sandbox", "--cashiers", "99"], ["sandbox", "--seed", "x"]])
def test_bad_arguments_exit_2_with_usage(argv: list[str], launched: list[BankApp], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err
    assert not launched
