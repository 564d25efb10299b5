"""The Puzzle Book's programs as Python: a row per opcode, valid code, every step on a line."""

from __future__ import annotations

import ast

import pytest

from bankgame.engine.machine import HANDLERS
from bankgame.engine.puzzle_python import ROWS, UNTRANSLATED, puzzle_desk_python
from bankgame.engine.puzzles import load_book

BOOK = load_book()


def code_of(puzzle_id: str, desk: int) -> list[str]:
    machine = BOOK.puzzle(puzzle_id).machine
    return [line.text(comments=False) for line in puzzle_desk_python(machine, desk).lines]


def test_every_opcode_a_puzzle_uses_has_a_python_row() -> None:
    used = {ins.op for p in BOOK.puzzles for prog in p.machine.programs for ins in prog}
    assert used <= set(ROWS), f"opcodes without a Python row: {sorted(used - set(ROWS))}"
    # And every opcode the machine can run: a new primitive needs its row before a puzzle can use it.
    assert set(HANDLERS) <= set(ROWS)


@pytest.mark.parametrize("puzzle", BOOK.puzzles, ids=lambda p: p.id)
def test_every_desk_is_valid_python_with_every_step_on_a_line(puzzle) -> None:
    machine = puzzle.machine
    for desk, program in enumerate(machine.programs):
        code = puzzle_desk_python(machine, desk)
        text = code.listing.text()
        ast.parse(text)  # valid Python, not a sketch of it
        assert UNTRANSLATED not in text
        for pc in range(len(program)):
            line = code.line_for(pc)
            assert 0 <= line < len(code.lines) and code.lines[line].code.strip(), (desk, pc)


def test_a_forgotten_return_is_an_acquire_without_a_release() -> None:
    ann = code_of("forgotten-return", 0)
    assert "    ticket_a.acquire()" in ann and not any("release" in line for line in ann)
    assert "    with ticket_a:" in code_of("forgotten-return", 1)


def test_a_semaphore_and_a_lock() -> None:
    assert 'vault_key = Semaphore(2)' in code_of("two-keys", 0)
    assert 'vault_key = Lock()' in code_of("one-key", 0)


def test_wait_with_if_and_with_while() -> None:
    with_if = code_of("wait-with-if", 0)
    assert with_if[with_if.index("        if b < 5000:") + 1] == "            funds.wait()"
    with_while = code_of("wait-with-while", 0)
    at = with_while.index("        while b < 5000:")
    assert with_while[at + 1:at + 3] == ["            funds.wait()", "            b = ledger[A]"]
    assert "funds = Condition(ticket_a)" in with_while
    assert "        funds.notify_all()" in code_of("wait-with-while", 2)


def test_the_polite_cashier_retries_with_a_non_blocking_acquire() -> None:
    ann = code_of("polite-cashiers", 0)
    at = ann.index("    while True:")
    assert ann[at + 1:at + 5] == ["        ticket_a.acquire()", "        if ticket_b.acquire(block=False):",
                                  "            break", "        ticket_a.release()"]


def test_messages_are_put_and_a_receive_blocks() -> None:
    ada = code_of("message-deadlock", 2)
    assert '    m = ada_mailbox.get()' in ada
    assert '    if m.get("kind") != "credit":' in ada and "    else:" in ada
    assert any(line.startswith("        bob_mailbox.put(") for line in ada)
    assert "bob_mailbox = Queue()" in ada


def test_sequence_numbers_skip_a_repeat() -> None:
    bob = code_of("sequence-numbers", 1)
    assert '    if not applied[m["seq"]]:' in bob
    assert "    restart(bob)" in code_of("sequence-numbers", 2)


def test_the_current_step_maps_to_its_line() -> None:
    machine = BOOK.puzzle("check-inside").machine
    code = puzzle_desk_python(machine, 0)
    lines = [line.code for line in code.lines]
    assert lines[code.line_for(0)] == "with ticket_a:"
    assert lines[code.line_for(2)] == "if b < 7000:"
    assert code.line_for(len(machine.programs[0])) == -1  # done: nothing marked


def serial_end(machine):
    """The state after each desk runs its whole program in turn, or None if one would wait or never end."""
    state = machine.initial()
    for desk in range(len(machine.desks)):
        for _ in range(200):
            if machine.finished(state, desk):
                break
            outcome = machine.step(state, desk)
            if outcome is None:
                return None
            state = outcome.state
        else:
            return None
    return state


SERIAL = [p for p in BOOK.puzzles if serial_end(p.machine) is not None]


def test_most_puzzles_can_run_one_desk_after_another() -> None:
    assert len(SERIAL) >= 15  # the ones that cannot: a desk waits for another, or loops for ever


@pytest.mark.parametrize("puzzle", SERIAL, ids=lambda p: p.id)
def test_the_python_does_what_the_game_s_steps_do(puzzle) -> None:
    # Run the desks' Python one after another, for real (multiprocessing's objects, in this
    # process), and compare the ledger with the machine's after the same order.
    machine = puzzle.machine
    expected = serial_end(machine)
    functions = []
    scope: dict = {}
    first = ""
    for desk in range(len(machine.desks)):
        code = puzzle_desk_python(machine, desk)
        text = code.listing.text()
        head = text.split("\ndef ")[0]
        if desk:  # the shared objects once: every desk's set-up lines are the same
            assert head == first
            text = "def " + text.split("\ndef ", 1)[1]
        else:
            first = head
        exec(compile(text, f"{puzzle.id}-{desk}", "exec"), scope)
        if desk == 0:
            for i, cents in enumerate(machine.opening):
                scope["ledger"][i] = cents
        functions.append(scope[_function_name(machine, desk)])
    for function in functions:
        function()
    assert list(scope["ledger"]) == list(expected.ledger)


def _function_name(machine, desk: int) -> str:
    from bankgame.engine.puzzle_python import variable

    return variable(machine.names[desk])
