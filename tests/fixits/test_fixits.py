"""Fix the Program: every fix-it is broken as shipped, its searched smallest fix is safe, and par is that fix's cost."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankgame.engine.checker import check, replay
from bankgame.engine.fix_search import Cost, cost, smallest_fix, stars
from bankgame.engine.fixits import load_fixits, parse_fixit, template
from bankgame.engine.levels import LevelError
from bankgame.engine.program_edit import Editor, legal

FIXITS = load_fixits()


def test_at_least_twelve_fixits() -> None:
    assert len(FIXITS.fixits) >= 12


@pytest.mark.parametrize("fix", FIXITS.fixits, ids=lambda f: f.id)
def test_shipped_is_broken_and_the_smallest_fix_is_safe(fix) -> None:
    assert fix.report(fix.shipped).verdict != "safe"
    found = smallest_fix(fix)
    # Checked again from scratch, not from the search's cache.
    assert check(fix.machine(found.programs)).verdict == "safe"
    assert found.cost == cost(found.programs)
    assert stars(found.cost, found.cost, True) == 3
    # Every fixed line is still there, in order: the fix is one the editor can make.
    for d in range(len(fix.names)):
        kept = [line for line in found.programs[d] if fix.is_fixed(d, line)]
        assert len(kept) == len(fix.fixed_lines(d))


def test_a_par_is_never_typed() -> None:
    data = {"id": "x", "title": "t", "goal": "g", "hint": "h", "accounts": {"A": 1}, "par": 3, "desks": []}
    with pytest.raises(LevelError, match="par"):
        parse_fixit(data, "x.toml")


def test_a_safe_shipped_program_is_refused() -> None:
    data = {"id": "x", "title": "t", "goal": "g", "hint": "h", "accounts": {"A": 100},
            "desks": [{"name": "Ann", "does": {"A": 5}, "program": "r = read A\nr = r + $5\nwrite A = r"}]}
    with pytest.raises(LevelError, match="already safe"):
        parse_fixit(data, "x.toml")


# A wrong fix of several puzzles: reported broken (or jammed) with its shortest schedule.
WRONG = [
    ("fix-lost-update", ("r = read A", "take ticket A", "r = r + $50", "write A = r", "return ticket A"), "broken"),
    ("fix-write-only", ("r = read A", "if r < $70: refuse", "take ticket A", "r = r - $70", "write A = r",
                        "return ticket A"), "broken"),
    ("fix-forgotten-return", ("take ticket A", "r = read A", "r = r + $50", "write A = r"), "deadlocked"),
]


@pytest.mark.parametrize(("fix_id", "ann", "verdict"), WRONG, ids=[w[0] for w in WRONG])
def test_a_wrong_fix_is_reported_with_its_shortest_schedule(fix_id: str, ann: tuple[str, ...], verdict: str) -> None:
    fix = FIXITS.fixit(fix_id)
    found = smallest_fix(fix)
    programs = (ann,) + found.programs[1:]
    report = fix.report(programs)
    assert report.verdict == verdict
    assert report.shortest and set(report.shortest) <= set(range(len(fix.names)))


def test_lock_order_in_one_order_is_safe_but_holds_more() -> None:
    fix = FIXITS.fixit("fix-lock-order")
    ben = ("take ticket A", "take ticket B", "b = read B", "b = b - $10", "write B = b", "a = read A",
           "a = a + $10", "write A = a", "return ticket B", "return ticket A")
    programs = (fix.shipped[0], ben)
    assert fix.report(programs).verdict == "safe"
    mine, par = cost(programs), smallest_fix(fix).cost
    assert mine.held > par.held
    assert stars(mine, par, True) == 1


def test_one_big_ticket_is_safe_and_says_what_it_costs() -> None:
    fix = FIXITS.fixit("fix-big-ticket")
    ann = ("take vault ticket", "r = read A", "r = r + $50", "write A = r", "return vault ticket")
    programs = (ann, fix.shipped[1])
    assert fix.report(programs).verdict == "safe"
    mine, par = cost(programs), smallest_fix(fix).cost
    assert mine.serialized == "vault ticket" and not par.serialized
    assert stars(mine, par, True) < 3


def test_stars_levels() -> None:
    par = Cost(6, 2)
    assert stars(Cost(6, 2), par, False) == 0
    assert stars(Cost(9, 2), par, True) == 1
    assert stars(Cost(6, 3), par, True) == 2
    assert stars(Cost(6, 2), par, True) == 3


# ------------------------------------------------------------------ editor
def test_editor_moves_inserts_deletes_and_undoes() -> None:
    fix = FIXITS.fixit("fix-lost-update")
    editor = Editor(fix)
    assert editor.insert(0, 0, "take ticket A") == ""
    assert editor.insert(0, 4, "return ticket A") == ""
    assert editor.lines(0) == ("take ticket A", "r = read A", "r = r + $50", "write A = r", "return ticket A")
    assert editor.move(0, 0, +1) == ""
    assert editor.lines(0)[:2] == ("r = read A", "take ticket A")
    assert editor.undo()
    assert editor.delete(0, 4) == ""
    assert editor.edits == 3
    while editor.undo():
        pass
    assert editor.programs == fix.shipped


def test_editor_refuses_what_would_not_be_a_program() -> None:
    fix = FIXITS.fixit("fix-lost-update")
    editor = Editor(fix)
    assert "cannot be deleted" in editor.delete(0, 0)
    assert "keep their order" in editor.move(0, 0, +1)
    assert "palette" in editor.insert(0, 0, "take ticket B")
    assert editor.edits == 0
    wait = Editor(FIXITS.fixit("fix-wait-with-if"))
    assert "used before" in wait.insert(0, 0, "while b < $50: wait for funds")
    assert wait.programs == FIXITS.fixit("fix-wait-with-if").shipped


def test_a_jump_keeps_pointing_at_its_line() -> None:
    fix = FIXITS.fixit("fix-counted-twice")
    editor = Editor(fix)
    assert editor.insert(1, 1, "if m was applied: go to 4") == ""
    assert editor.lines(1) == ("m = receive from Bob", "if m was applied: go to 4", "A = A + m", "ack m")
    assert fix.report(editor.programs).verdict == "safe"
    assert editor.move(1, 1, -1) != ""  # above the receive, m would be used before it is set
    assert editor.delete(1, 1) == ""
    assert fix.report(editor.programs).verdict == "broken"


def test_a_refusal_cannot_skip_the_line_a_register_needs() -> None:
    fix = FIXITS.fixit("fix-check-outside")
    editor = Editor(fix)
    # A return between r's read and its use: the refusal would jump over the read.
    assert editor.insert(0, 4, "return ticket A") != ""


# ------------------------------------------------------------- invariants

EDITS = st.lists(st.tuples(st.sampled_from(["move", "insert", "delete", "undo"]), st.integers(0, 5),
                           st.integers(0, 12), st.integers(0, 8)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(fix=st.sampled_from(FIXITS.fixits), edits=EDITS)
def test_any_edits_leave_programs_the_desks_can_run(fix, edits) -> None:
    editor = Editor(fix)
    shown = [editor.programs]
    for op, desk, line, extra in edits:
        desk %= len(fix.names)
        before = editor.programs
        if op == "move":
            problem = editor.move(desk, line, 1 if extra % 2 else -1)
        elif op == "insert":
            palette = fix.palettes[desk]
            problem = editor.insert(desk, line, palette[extra % len(palette)]) if palette else "empty"
        elif op == "delete":
            problem = editor.delete(desk, line)
        else:
            if editor.undo():
                shown.pop()
                assert editor.programs == shown[-1]
            continue
        if problem:
            assert editor.programs == before  # a refused edit changes nothing
            continue
        shown.append(editor.programs)
        for d, lines in enumerate(editor.programs):
            assert legal(fix, d, lines) == ""
            kept = [template(x) for x in lines if fix.is_fixed(d, x)]
            assert kept == [template(x) for x in fix.fixed_lines(d)]  # the desk's own lines, all there, in order
        fix.machine(editor.programs)  # builds: every line parses


@pytest.mark.parametrize("fix", FIXITS.fixits, ids=lambda f: f.id)
def test_the_shipped_programs_breaking_order_replays_to_the_failure(fix) -> None:
    report = fix.report(fix.shipped)
    machine = fix.machine(fix.shipped)
    if report.verdict in ("livelocked", "starved"):
        assert 0 <= report.loop_from < len(report.shortest)
        return
    result = replay(machine, report.shortest)
    assert result is not None
    state, broken = result
    if report.verdict == "broken":
        assert broken is not None and broken.kind == report.kind
    else:
        assert not machine.enabled(state) and not machine.done(state)


def _ticket_after_the_read(fix):
    """The smallest fix with one desk's ticket taken a line late (after its read), or ``None``."""
    found = smallest_fix(fix)
    for d, lines in enumerate(found.programs):
        for i in range(len(lines) - 1):
            if lines[i].startswith("take ") and " = read " in lines[i + 1]:
                editor = Editor(fix, found.programs)
                if editor.move(d, i, +1) == "":
                    return editor.programs
    return None


def test_the_ticket_taken_after_the_read_is_a_wrong_fix_everywhere() -> None:
    tried = 0
    for fix in FIXITS.fixits:
        programs = _ticket_after_the_read(fix)
        if programs is None:
            continue
        tried += 1
        report = fix.report(programs)
        assert report.verdict != "safe", fix.id
        result = replay(fix.machine(programs), report.shortest)
        if report.verdict == "broken":
            assert result is not None and result[1] is not None and result[1].kind == report.kind, fix.id
    assert tried >= 10


def _edits(fix, programs):
    """Every program one editor action (move, delete, insert from the palette) makes from ``programs``."""
    for desk in range(len(fix.names)):
        count = len(programs[desk])
        actions = [("move", i, step) for i in range(count) for step in (-1, 1)] + [("delete", i) for i in range(count)]
        actions += [("insert", i, text) for i in range(count + 1) for text in fix.palettes[desk]]
        for name, *args in actions:
            editor = Editor(fix, programs)
            if not getattr(editor, name)(desk, *args):  # "" when the edit was made
                yield editor.programs


@pytest.mark.parametrize("fix_id", FIXITS.ids())
def test_no_program_two_edits_away_is_safe_and_cheaper_than_par(fix_id: str) -> None:
    # Par is the search's smallest fix; this looks outside its search, with the editor's own actions.
    fix = FIXITS.fixit(fix_id)
    par = smallest_fix(fix).cost
    one = set(_edits(fix, fix.shipped))
    two = {p for programs in one for p in _edits(fix, programs)} | one
    for programs in two:
        mine = cost(programs)
        if (mine.held, mine.tickets) < (par.held, par.tickets):
            assert fix.report(programs).verdict != "safe", programs


def test_a_ticket_given_back_without_being_held_is_a_bug_the_checker_finds() -> None:
    # Ann returns a ticket she never took, while Ben holds it: in Python, his lock is freed under him.
    fix = FIXITS.fixit("fix-lost-update")
    ann = ("r = read A", "r = r + $50", "write A = r", "return ticket A")
    ben = ("take ticket A", "r = read A", "r = r + $30", "write A = r", "return ticket A")
    report = fix.report((ann, ben))
    assert (report.verdict, report.kind, report.shortest) == ("broken", "not_held", (0, 0, 0, 0))
    assert report.text.startswith("Ann gave back ticket A without holding it: nobody holds it")
    # Ben takes it first; then Ann runs to her return.
    _, broken = replay(fix.machine((ann, ben)), (1, 0, 0, 0, 0))
    assert broken is not None and broken.kind == "not_held"
    assert broken.text.startswith("Ann gave back ticket A without holding it: Ben holds it")


def test_a_refusal_gives_back_only_the_tickets_it_holds() -> None:
    # The refusal jumps to the returns below it, taken or not: that is not the bug the puzzle is about.
    fix = FIXITS.fixit("fix-write-only")
    report = fix.report(fix.shipped)
    assert (report.verdict, report.kind) == ("broken", "lost_update")
