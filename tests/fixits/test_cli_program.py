"""``bankgame check --puzzle ID --program FILE``: good files, wrong programs, malformed files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bankgame.engine.fix_search import smallest_fix
from bankgame.engine.fixits import load_fixits
from bankgame.engine.program_text import ProgramFileError, read_programs, write_programs

FIXITS = load_fixits()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bankgame", "check", *args], capture_output=True, text=True, check=False,
                          timeout=120)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "prog.txt"
    path.write_text(text)
    return str(path)


def test_the_smallest_fix_as_a_file_is_safe_with_three_stars(tmp_path: Path) -> None:
    fix = FIXITS.fixit("fix-lock-order")
    found = smallest_fix(fix)
    file = write(tmp_path, write_programs(fix.names, found.programs, fix.title))
    out = run("--puzzle", fix.id, "--program", file, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["verdict"] == "safe" and data["fix"]["stars"] == 3
    assert data["fix"]["par_held"] == found.cost.held
    # The same keys as `bankgame check --puzzle`.
    plain = json.loads(run("--puzzle", "lost-update", "--json").stdout)
    assert set(plain) <= set(data)


def test_the_shipped_program_as_a_file_is_broken_with_its_schedule(tmp_path: Path) -> None:
    fix = FIXITS.fixit("fix-lost-update")
    file = write(tmp_path, write_programs(fix.names, fix.shipped))
    data = json.loads(run("--puzzle", fix.id, "--program", file, "--json").stdout)
    assert data["verdict"] == "broken" and data["kind"] == "lost_update"
    assert data["shortest"] == list(fix.report(fix.shipped).shortest_names)
    text = run("--puzzle", fix.id, "--program", file).stdout
    assert "broken" in text and "shortest" in text


def test_a_book_puzzle_takes_a_program_too(tmp_path: Path) -> None:
    text = "[Ann]\nr = read A\nr = r + $50\nwrite A = r\n[Ben]\nr = read A\nr = r + $30\nwrite A = r\n"
    data = json.loads(run("--puzzle", "lost-update", "--program", write(tmp_path, text), "--json").stdout)
    assert data["verdict"] == "broken" and "fix" not in data


BAD = [
    ("[Ann]\nr = read A\nr = r + $50\nwrite A = r\n[Bob]\nr = read A\n", 5, "no desk called 'Bob'"),
    ("r = read A\n[Ann]\n", 1, "before the first"),
    ("[Ann]\nr = read A\nr = r + $50\nwrite A = r\nfly to the moon\n[Ben]\nr = read A\n", 5, "not a line the desks know"),
    ("[Ann]\nr = read A\nr = r + $50\nwrite A = r\n[Ann]\n", 5, "second section"),
    ("[Ann]\nr = read A\nr = r + $50\nwrite A = r\n", 0, "no section for Ben"),
    ("[Ann]\nr = read A\nr = r + $50\nwrite A = r\ntake ticket B\n[Ben]\nr = read A\n", 5, "no lock called"),
    ("[Ann]\nr = read A\nr = r + $50\n[Ben]\nr = read A\nr = r + $30\nwrite A = r\n", 0, "is missing"),
    ("[Ann]\nr = read A\nwrite A = r\n[Ben]\nr = read A\nr = r + $30\nwrite A = r\n", 3, "keep their order"),
    ("[Ann]\nr = r + $50\nr = read A\nwrite A = r\n[Ben]\nr = read A\nr = r + $30\nwrite A = r\n", 2, "used before"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD, ids=[b[2] for b in BAD])
def test_a_malformed_file_exits_2_naming_file_line_and_reason(tmp_path: Path, text: str, line: int, reason: str) -> None:
    file = write(tmp_path, text)
    out = run("--puzzle", "fix-lost-update", "--program", file)
    assert out.returncode == 2
    assert file in out.stderr and reason in out.stderr
    if line:
        assert f"line {line}:" in out.stderr


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert run("--program", write(tmp_path, "[Ann]\n")).returncode == 2
    out = run("--puzzle", "nope", "--program", write(tmp_path, "[Ann]\n"))
    assert out.returncode == 2 and "unknown puzzle" in out.stderr
    out = run("--puzzle", "fix-lost-update", "--program", str(tmp_path / "missing.txt"))
    assert out.returncode == 2 and "cannot read" in out.stderr


def test_text_round_trip() -> None:
    for fix in FIXITS.fixits:
        text = write_programs(fix.names, fix.shipped, fix.title)
        assert read_programs(text, "x", fix.puzzle.machine, fix) == fix.shipped


def test_a_fixed_line_out_of_order_is_refused() -> None:
    fix = FIXITS.fixit("fix-lost-update")
    text = "[Ann]\nr = read A\nwrite A = r\nr = r + $50\n[Ben]\nr = read A\nr = r + $30\nwrite A = r\n"
    with pytest.raises(ProgramFileError, match="keep their order"):
        read_programs(text, "x", fix.puzzle.machine, fix)
