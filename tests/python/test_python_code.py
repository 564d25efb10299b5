"""Programs translated to Python: the lines, and the step → line map."""

from __future__ import annotations

import ast

from hypothesis import given
from hypothesis import strategies as st

from bankgame.engine.customers import Customer
from bankgame.engine.programs import GIVE, TAKE, TicketLayout, compile_message, compile_shared
from bankgame.engine.python_code import BLOCKS, TEMPLATES, desk_python, python_line, python_listing

TWO = frozenset({0, 1})


def code_of(program: list) -> list[str]:
    return [line.text(comments=False) for line in desk_python(program).lines]


def test_a_write_only_scope_leaves_the_check_outside_the_with() -> None:
    program = compile_shared(Customer(1, 0, "withdraw", 0, 3000), TicketLayout(accounts=TWO, scope="write"), frozenset(), 2)
    lines = code_of(program)
    check, with_ = lines.index("    if b < 3000:"), lines.index("    with ticket_a:")
    assert check < with_  # the check is not indented under the with: no ticket held
    assert lines[with_ + 1:] == ["        r = ledger[A]", "        r = r - 3000", "        ledger[A] = r"]


def test_a_check_scope_puts_the_check_inside_the_with() -> None:
    program = compile_shared(Customer(1, 0, "withdraw", 0, 3000), TicketLayout(accounts=TWO, scope="check"), frozenset(), 2)
    lines = code_of(program)
    assert lines[lines.index("    with ticket_a:") + 1:] == [
        "        b = ledger[A]", "        if b < 3000:", '            return "refused"', "        b = b - 3000",
        "        ledger[A] = b"]


def test_a_deposit_without_a_ticket_has_no_with() -> None:
    program = compile_shared(Customer(1, 0, "deposit", 1, 5000), TicketLayout(), frozenset(), 2)
    lines = code_of(program)
    assert not any("with" in line or "Lock" in line for line in lines)
    assert lines[-3:] == ["    r = ledger[B]", "    r = r + 5000", "    ledger[B] = r"]


def test_account_order_nests_the_lower_ticket_outside() -> None:
    layout = TicketLayout(accounts=TWO, order="account")
    code = desk_python(compile_shared(Customer(1, 0, "transfer", 1, 3000, 0), layout, frozenset(), 2),
                       lock_order="account")
    lines = [line.text(comments=False) for line in code.lines]
    assert lines.index("    with ticket_a:") + 1 == lines.index("        with ticket_b:")
    assert any("account order: ticket A, then ticket B" in line.comment for line in code.lines)


def test_a_message_transfer_sends_copies_and_waits() -> None:
    lines = code_of(compile_message(Customer(1, 0, "transfer", 0, 3000, 1), [0, 1]))
    assert 'ada_mailbox.put(("debit", A, 3000))' in "\n".join(lines)
    assert 'bob_mailbox.put(("credit", B, 3000))' in "\n".join(lines)
    assert '    if reply.recv() == "refused":' in lines and "    return reply.recv()" in lines


programs = st.builds(
    lambda kind, a, shift, amount, tickets, scope, order, closed, message: (
        compile_message(Customer(1, 0, kind, a, amount, (a + shift) % 3 if kind == "transfer" else -1), [0, 1, 0])
        if message else
        compile_shared(Customer(1, 0, kind, a, amount, (a + shift) % 3 if kind == "transfer" else -1),
                       TicketLayout(vault=tickets == "vault", accounts=frozenset({0, 1, 2}) if tickets == "accounts" else
                                    frozenset(), scope=scope, order=order), frozenset({(a + shift) % 3}) if closed else frozenset(), 3)),
    # A transfer is between two accounts (the generator never pays an account into itself).
    st.sampled_from(["deposit", "withdraw", "transfer", "quote"]), st.integers(0, 2), st.integers(1, 2),
    st.integers(1, 90_000), st.sampled_from(["none", "vault", "accounts"]), st.sampled_from(["write", "check"]),
    st.sampled_from(["any", "account"]), st.booleans(), st.booleans(),
)


@given(programs)
def test_every_program_is_python_and_every_step_has_its_line(program: list) -> None:
    code = desk_python(program, title="t")
    ast.parse(code.listing.text())  # real Python, indentation and all
    assert len(code.listing.line_of_step) == len(program)
    for pc, step in enumerate(program):
        line = code.lines[code.line_for(pc)]
        assert line.code, step.text
        if step.op in BLOCKS:
            assert line.code.startswith("with ")
    # A ticket's GIVE is the same line as its TAKE: the with that spans it.
    takes = {step.ticket: code.line_for(pc) for pc, step in enumerate(program) if step.op == TAKE}
    for pc, step in enumerate(program):
        if step.op == GIVE:
            assert code.line_for(pc) == takes[step.ticket]
    assert code.line_for(len(program)) == -1


@given(programs)
def test_every_line_a_timeline_shows_reads_back_as_python(program: list) -> None:
    for step in program:
        statement = python_line(step.text)
        if step.op in TEMPLATES or step.op in (TAKE, GIVE):
            assert statement != step.text or step.text == "done", step.text


def test_the_table_is_open_to_new_primitives() -> None:
    from bankgame.engine.programs import Step

    TEMPLATES[99] = lambda step, spelling: ("notify_all()", "wake every waiter")
    try:
        assert python_listing([Step(99, "signal")]).lines[0].code == "notify_all()"
    finally:
        del TEMPLATES[99]
