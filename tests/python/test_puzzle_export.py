"""Puzzle Book puzzles exported as scripts: real processes in a fresh interpreter, the OS picking the order.

The game's checker tried every order; a script lets the OS pick one per round.
What must always hold: a safe puzzle's script never reports a broken or stuck
round; a script always ends by itself (a deadlock is noticed and ended); and
where the race is overwhelming (a pause of up to half a millisecond between
steps, every desk started at once, hundreds of rounds) the bug the checker
found shows.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bankgame.cli import main
from bankgame.engine.puzzle_export import VERDICTS
from bankgame.engine.puzzles import load_book
from bankgame.exporting import puzzle_script

BOOK = load_book()
KEYS = {"puzzle", "verdict", "rounds", "checker", "expected", "actual", "stuck"}


def export(tmp_path: Path, puzzle_id: str) -> Path:
    out = tmp_path / f"{puzzle_id}.py"
    assert main(["export", "--puzzle", puzzle_id, "-o", str(out)]) == 0
    return out


def run_script(script: Path, cwd: Path, rounds: int) -> tuple[str, dict]:
    # -I -S: isolated and without site-packages: the standard library only, no bankgame.
    done = subprocess.run([sys.executable, "-I", "-S", str(script), str(rounds)], check=False, cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert KEYS <= set(result) and result["verdict"] in VERDICTS
    return done.stdout, result


@pytest.mark.parametrize("puzzle", BOOK.puzzles, ids=lambda p: p.id)
def test_every_puzzle_exports_a_standard_library_script(puzzle) -> None:
    text = puzzle_script(puzzle)
    tree = ast.parse(text)
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names} | {node.module.split(".")[0] for node in ast.walk(tree)
                                             if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= set(sys.stdlib_module_names)
    # Says plainly who picks: the checker tried every order, the OS picks one here.
    assert "checker" in text and "tried every order" in text and "operating system decides" in text
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"race", "check_goal", "main"} <= functions
    assert any(isinstance(node, ast.Assert) for node in ast.walk(tree))  # the goal is asserted
    # A desk stopped at the end of a round may die holding a lock: what outlives a round has none.
    made_once = [node for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                 and ast.unparse(node.value.func).startswith("CTX.")]
    assert made_once and all("lock=False" in ast.unparse(node.value) for node in made_once)


def test_the_script_runs_the_python_view_s_lines() -> None:
    from bankgame.engine.puzzle_python import puzzle_desk_python

    puzzle = BOOK.puzzle("polite-cashiers")
    text = puzzle_script(puzzle)
    for desk in range(len(puzzle.machine.desks)):
        view = puzzle_desk_python(puzzle.machine, desk).lines
        head = next(line.text() for line in view if line.code.startswith("def "))
        body = [line.text() for line in view if line.indent >= 1]
        script_lines = [line for line in text.splitlines() if not line.strip().startswith("step(")]
        at = script_lines.index(head.split("  #")[0]) + 1
        assert script_lines[at:at + len(body)] == body


@pytest.mark.parametrize("puzzle_id", ["locked-deposits", "check-inside", "wait-with-while", "sequence-numbers",
                                       "one-owner", "account-order"])
def test_a_safe_puzzle_is_never_broken_by_the_os(tmp_path: Path, puzzle_id: str) -> None:
    assert BOOK.puzzle(puzzle_id).win == "safe"
    out, result = run_script(export(tmp_path, puzzle_id), tmp_path, 60)
    assert result["verdict"] == "ok" and result["rounds"] == 60, out
    assert result["expected"] == result["actual"]
    assert "the OS picked no order that breaks it" in out


@pytest.mark.parametrize("puzzle_id, verdict", [
    ("lost-update", "broken"), ("wait-with-if", "broken"), ("counted-twice", "broken"), ("transfer-jam", "deadlocked"),
])
def test_an_overwhelming_race_shows_the_checker_s_bug(tmp_path: Path, puzzle_id: str, verdict: str) -> None:
    out, result = run_script(export(tmp_path, puzzle_id), tmp_path, 400)
    assert result["checker"] == verdict
    assert result["verdict"] == verdict, out
    if verdict == "broken":
        assert "broken:" in out and "The OS picked an order that breaks it" in out
        if puzzle_id == "counted-twice":
            assert result["actual"] == [20_000]  # Ann's $50 counted twice, not lost
    else:
        # The deadlock is named and the script ended by itself: each desk waits at its second take.
        assert sorted(result["stuck"]) == ["Ann at line 2: take ticket B", "Ben at line 2: take ticket A"]


def test_a_forgotten_return_ends_by_itself_naming_who_waits(tmp_path: Path) -> None:
    _out, result = run_script(export(tmp_path, "forgotten-return"), tmp_path, 20)
    # Whoever goes first, the ticket is never given back by Ann: someone waits for it for ever, unless Ben
    # went first and Ann then took it and finished (the round ends: nobody else needs it).
    assert result["verdict"] in ("deadlocked", "ok")
    if result["verdict"] == "deadlocked":
        assert result["stuck"] == ["Ben at line 1: take ticket A"]


@pytest.mark.parametrize("args, words", [
    (["--puzzle", "nope"], "unknown puzzle 'nope'"),
    (["--puzzle", "lost-update", "--mode", "shared"], "--puzzle takes no day options"),
    (["--puzzle", "lost-update", "--rounds", "-3"], "--rounds must be from 1 to 100000"),
    (["--rounds", "5"], "--rounds goes with --puzzle ID"),
])
def test_bad_arguments_exit_2(args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export", *args])
    assert exit_.value.code == 2 and words in capsys.readouterr().err


def test_a_bad_rounds_argument_to_the_script_exits_2(tmp_path: Path) -> None:
    script = export(tmp_path, "lost-update")
    done = subprocess.run([sys.executable, "-I", "-S", str(script), "many"], check=False, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "usage:" in done.stderr
