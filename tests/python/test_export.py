"""Exported scripts run on real processes in a fresh interpreter, without bankgame."""

from __future__ import annotations

import json
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

from bankgame.cli import main

KEYS = {"method", "processes", "operations", "expected", "actual", "lost"}


def export(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "day.py"
    assert main(["export", *args, "-o", str(out)]) == 0
    py_compile.compile(str(out), doraise=True)
    text = out.read_text()
    assert "bankgame" not in "".join(line for line in text.splitlines() if line.startswith(("import", "from")))
    return out


def run_script(script: Path, cwd: Path, *args: str) -> dict:
    # -I -S: isolated and without site-packages: the standard library only, no bankgame.
    done = subprocess.run([sys.executable, "-I", "-S", str(script), *args], check=False, cwd=cwd, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert KEYS <= set(result)
    assert result["lost"] == result["expected"] - result["actual"]
    return result


def test_the_fresh_interpreter_has_no_bankgame(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-I", "-S", "-c", "import bankgame"], cwd=tmp_path, capture_output=True, check=False)
    assert done.returncode != 0 and b"ModuleNotFoundError" in done.stderr


def test_an_unlocked_day_loses_deposits(tmp_path: Path) -> None:
    # Overwhelming on purpose: four desks paying into one account 60,000 times
    # each, a read-work-write every time; any overlap or preemption loses one.
    script = export(tmp_path, "--level", "rush-hour", "--cashiers", "4", "--accounts", "1")
    result = run_script(script, tmp_path)
    assert result["method"] == "shared-unlocked" and result["processes"] == 4
    assert result["operations"] == 4 * 60_000
    assert result["lost"] > 0


@pytest.mark.parametrize("args", [
    ["--level", "rush-hour", "--tickets", "accounts"],
    ["--level", "vault"],
    ["--level", "check-then-withdraw"],
    ["--level", "transfer-desk", "--lock-order", "account"],
    ["--level", "hot-account", "--lock-order", "account"],  # its day has transfers: in any order they can deadlock
])
def test_a_locked_day_never_loses_a_cent(tmp_path: Path, args: list[str]) -> None:
    script = export(tmp_path, *args, "--operations", "15000")
    result = run_script(script, tmp_path)
    assert result["method"] == "shared-locked"
    assert "deadlock" not in result
    assert result["operations"] == result["processes"] * 15_000
    assert result["lost"] == 0


def test_message_passing_never_loses_a_cent(tmp_path: Path) -> None:
    script = export(tmp_path, "--level", "back-office", "--operations", "1500")
    result = run_script(script, tmp_path)
    assert result["method"] == "message-passing" and result["lost"] == 0
    assert result["operations"] == 3 * 1500


def test_the_script_is_the_python_view(tmp_path: Path) -> None:
    text = export(tmp_path, "--level", "check-then-withdraw").read_text()
    # Write-only scope: the check stands outside the lock, as on the desk.
    body = text[text.index("def withdraw"):text.index("\n\n\n", text.index("def withdraw"))]
    assert body.index("if b < amount:") < body.index("with tickets[account]:")
    assert "bankgame export --level check-then-withdraw" in text


def test_account_order_takes_the_lower_ticket_first(tmp_path: Path) -> None:
    text = export(tmp_path, "--level", "transfer-desk", "--lock-order", "account").read_text()
    assert "with tickets[min(source, target)]:" in text and "with tickets[max(source, target)]:" in text


@pytest.mark.parametrize("args, words", [
    (["--level", "nowhere"], "unknown level"),
    (["--operations", "-3"], "--operations"),
    (["--cashiers", "zero"], "invalid int"),
])
def test_bad_arguments_exit_2(args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export", *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage: bankgame export" in err and words in err


def test_an_unwritable_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--level", "rush-hour", "-o", str(blocker / "day.py")])
    assert exit_.value.code == 2 and str(blocker / "day.py") in capsys.readouterr().err
