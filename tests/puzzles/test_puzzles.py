"""Every puzzle's checker report, its par, and the puzzle files' validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from bankgame.engine.checker import replay
from bankgame.engine.levels import LevelError
from bankgame.engine.puzzles import load_book, parse_puzzle

BOOK = load_book()

# (id, verdict, kind, par, states, orders): what the checker finds, pinned. A change
# here is a change to a puzzle's lesson: look at the puzzle before updating it.
REPORTS = [
    ("lost-update", "broken", "lost_update", 6, 19, 7),
    ("three-cashiers", "broken", "lost_update", 6, 125, 220),
    ("withdraw-beside-deposit", "broken", "lost_update", 7, 22, 7),
    ("two-withdrawals", "broken", "lost_update", 8, 21, 7),
    ("rate-board", "safe", "", 4, 12, 12),
    ("locked-deposits", "safe", "", 10, 21, 2),
    ("too-narrow", "broken", "overdraft", 13, 53, 25),
    ("check-inside", "safe", "", 10, 21, 2),
    ("forgotten-return", "deadlocked", "forgotten_return", 4, 14, 2),
    ("two-tickets-one-drawer", "broken", "lost_update", 8, 46, 89),
    ("the-vault", "safe", "", 14, 29, 2),
    ("transfer-jam", "deadlocked", "deadlock", 2, 44, 6),
    ("three-way-jam", "deadlocked", "deadlock", 3, 275, 504),
    ("account-order", "safe", "", 20, 41, 2),
    ("ring-in-order", "safe", "", 30, 260, 808),
    ("two-keys", "broken", "lost_update", 8, 301, 2873),
    ("one-key", "safe", "", 15, 76, 6),
    ("keys-and-ticket", "deadlocked", "deadlock", 3, 240, 1441),
    ("wait-with-if", "broken", "overdraft", 20, 200, 30),
    ("wait-with-while", "safe", "", 24, 184, 30),
    ("lost-wakeup", "deadlocked", "lost_wakeup", 9, 34, 7),
    ("polite-cashiers", "livelocked", "livelock", 5, 44, None),
    ("polite-in-order", "safe", "", 20, 41, 2),
    ("starvation", "starved", "starvation", 13, 104, None),
    ("one-owner", "safe", "", 8, 23, 8),
    ("message-deadlock", "deadlocked", "message_deadlock", 8, 72, 44),
    ("counted-twice", "broken", "counted_twice", 6, 11, 3),
    ("sequence-numbers", "safe", "", 5, 13, 4),
]


def test_the_book_has_every_puzzle_in_seven_chapters() -> None:
    assert [c.id for c in BOOK.chapters] == [
        "unsynchronized", "tickets", "deadlock", "semaphores", "wait-notify", "livelock", "messages"]
    assert all(c.puzzles for c in BOOK.chapters)
    assert sorted(BOOK.ids()) == sorted(r[0] for r in REPORTS)
    assert len(BOOK.ids()) >= 24


@pytest.mark.parametrize("puzzle_id, verdict, kind, par, states, orders", REPORTS)
def test_each_puzzle_s_report(puzzle_id: str, verdict: str, kind: str, par: int, states: int, orders: int | None) -> None:
    puzzle = BOOK.puzzle(puzzle_id)
    report = puzzle.report()
    assert (report.verdict, report.kind, report.par, report.states, report.orders) == (verdict, kind, par, states, orders)
    assert report.verdict == puzzle.win  # only the puzzle's lesson wins it
    assert puzzle.par == len(report.shortest)  # the par is the checker's shortest schedule, not a number in a file


@pytest.mark.parametrize("puzzle", [p for p in BOOK.puzzles if p.win == "broken"], ids=lambda p: p.id)
def test_a_broken_puzzle_s_shortest_schedule_breaks_it(puzzle) -> None:
    report = puzzle.report()
    result = replay(puzzle.machine, report.shortest)
    assert result is not None and result[1] is not None and result[1].kind == report.kind
    # No shorter prefix breaks it (breadth-first).
    for cut in range(len(report.shortest)):
        shorter = replay(puzzle.machine, report.shortest[:cut])
        assert shorter is not None and shorter[1] is None


def test_every_cannot_be_broken_puzzle_is_proven_safe() -> None:
    safe = [p for p in BOOK.puzzles if p.win == "safe"]
    assert {p.id for p in safe} >= {"rate-board", "locked-deposits", "account-order", "wait-with-while", "one-owner",
                                    "sequence-numbers"}
    for puzzle in safe:
        report = puzzle.report()
        assert report.verdict == "safe" and report.bad_orders == 0 and report.orders
        assert f"every one of the {report.orders:,} possible orders" in report.summary()


def test_the_livelock_and_the_deadlocks_are_found_as_such() -> None:
    assert BOOK.puzzle("polite-cashiers").report().verdict == "livelocked"
    assert BOOK.puzzle("starvation").report().verdict == "starved"
    for pid in ("transfer-jam", "three-way-jam", "keys-and-ticket", "message-deadlock", "forgotten-return", "lost-wakeup"):
        assert BOOK.puzzle(pid).report().verdict == "deadlocked"
    three = BOOK.puzzle("three-way-jam").report()
    assert three.text.count("waits for") == 3  # all three desks in the cycle


MINIMAL = """
id = "x"
chapter = "unsynchronized"
title = "X"
goal = "Do it"
win = "broken"
hint = "Look"
accounts = { A = 100 }

[[desks]]
name = "Ann"
program = '''
r = read A
write A = r
'''
"""


def _parse(text: str):
    import tomllib

    return parse_puzzle(tomllib.loads(text), "bad.toml", [c.id for c in BOOK.chapters])


def test_a_minimal_puzzle_parses() -> None:
    assert _parse(MINIMAL).machine.names == ("Ann",)


@pytest.mark.parametrize("change, key, reason", [
    (("win = \"broken\"", "win = \"won\""), "win", "must be one of"),
    (("chapter = \"unsynchronized\"", "chapter = \"nope\""), "chapter", "must be one of"),
    (("write A = r", "write A = q"), "desks[0].program", "line 2"),
    (("r = read A\n", "r = read Z\n"), "desks[0].program", "no account called 'Z'"),
    (("write A = r", "fly to the moon"), "desks[0].program", "not a line the desks know"),
    (("accounts = { A = 100 }", "accounts = { a = 100 }"), "accounts.a", "capital letters"),
    (("title = \"X\"\n", "title = \"X\"\nlocks = [{ name = \"t\", permits = 0 }]\n"), "locks[0].permits", "1 to 8"),
    (("hint = \"Look\"\n", "hint = \"Look\"\npar = 3\n"), "par", "never typed"),
])
def test_a_bad_puzzle_file_names_the_key_and_the_reason(change: tuple[str, str], key: str, reason: str) -> None:
    with pytest.raises(LevelError) as caught:
        _parse(MINIMAL.replace(*change))
    assert caught.value.file == "bad.toml" and caught.value.key == key and reason in caught.value.reason


def test_a_puzzle_file_that_is_not_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "chapters.toml").write_text((Path(BOOK.puzzles[0].file).parent / "chapters.toml").read_text())
    (tmp_path / "bad.toml").write_text("id = \n")
    with pytest.raises(LevelError, match="bad.toml: key '\\(file\\)': not valid TOML"):
        load_book(str(tmp_path))
