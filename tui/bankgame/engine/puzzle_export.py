"""A Puzzle Book puzzle written out as a standalone script whose desks are real processes.

``puzzle_script(puzzle)`` returns the text of a script that needs nothing
but the standard library. Each round, every desk of the puzzle is a
``multiprocessing`` process running its program as the Python view shows it
(``puzzle_python``), all started together, and the operating system picks
who runs when. At the end of each round the script asserts the puzzle's
goal: every cent where the desks' transactions say it should be, no account
overdrawn. A round in which the desks stop moving (a deadlock: a lock or a
blocking ``get`` that never comes) is noticed after a few seconds, named
(who waits at which line) and ended, so a deadlocking puzzle's script ends
by itself. The first line of output says what happened; the last is one
JSON object: ``{"puzzle", "verdict", "rounds", "checker", "expected", "actual", "stuck"}``.

The game's checker tried every order; the script lets the OS pick one per
round, so a bug the checker found may or may not show in a given run.
"""

from __future__ import annotations

import json

from .machine import Machine
from .primitives import ACK, JUMP, RECEIVE, RESTART, SEEN
from .puzzle_python import (
    desk_names,
    desk_seqs,
    mailbox_variable,
    puzzle_listing,
    variable,
)
from .puzzles import Puzzle

ROUNDS = 200
"""Rounds a script races by default (``python script.py N`` for another number)."""

VERDICTS = ("ok", "broken", "deadlocked", "livelocked", "starved")
"""What a script's run can end with (``verdict`` in its JSON)."""


FOUND = {"broken": "the money goes wrong", "deadlocked": "the desks jam", "livelocked": "the desks loop for ever",
         "starved": "one desk is shut out for ever"}


def loops_for_ever(machine: Machine, desk: int) -> bool:
    """Whether ``desk``'s program ends by starting over (``go to 1`` as its last line)."""
    program = machine.programs[desk]
    return bool(program) and program[-1].op == JUMP and program[-1].target < len(program)


def _desk_function(machine: Machine, desk: int) -> list[str]:
    """The desk's function: the Python view's lines, each step announced with ``step(desk, line)``."""
    program = machine.programs[desk]
    listing = puzzle_listing(program, desk_names(machine, desk), desk_seqs(machine, desk), indent=1)
    first_of: dict[int, int] = {}  # line → the first step it does
    for pc, number in enumerate(listing.line_of_step):
        first_of.setdefault(number, pc)
    restarted = any(i.op == RESTART for p in machine.programs for i in p)
    out = [f"def {variable(machine.names[desk])}():"]
    for index, line in enumerate(listing.lines):
        pad = "    " * line.indent
        pc = first_of.get(index, -1)
        if pc >= 0 and not line.code.startswith("else"):
            out.append(f"{pad}step({desk}, {pc + 1})  # line {pc + 1}: {program[pc].text}")
        out.append(line.text())
        ins = program[pc] if pc >= 0 else None
        if restarted and ins is not None and ins.op == RECEIVE:
            out.append(f"{pad}keep({desk}, {line.code.split(' = ')[0]}, {ins.a})  # a copy of what is in hand, "
                       "for the power cut")
    if len(out) == 1:
        out.append("    pass")
    return out


def puzzle_script(puzzle: Puzzle, source: str = "", rounds: int = 0) -> str:
    """Return the text of a standalone script that races ``puzzle``'s desks as real processes.

    Args:
        puzzle: the puzzle.
        source: the command that makes the script again, said in its docstring.
        rounds: how many rounds it races by default (0: ``ROUNDS``).
    """
    m = puzzle.machine
    report = puzzle.report()
    tables = m.tables
    n = len(m.desks)
    accounts = list(tables.accounts)
    audited = [i for i, a in enumerate(accounts) if a != "rates"]
    ops = {i.op for p in m.programs for i in p}
    effects = []
    for desk in m.desks:
        change = [0] * len(accounts)
        for _, moves in desk.effects:
            for account, cents in moves:
                change[accounts.index(account)] += cents
        effects.append(change)
    one = "," if len(accounts) == 1 else ""  # A, = 0,: a tuple of one
    slots = ", ".join("RATES" if a == "rates" else a for a in accounts) + one
    numbers = ", ".join(str(i) for i in range(len(accounts))) + one
    must_finish = [d for d in range(n) if d not in m.optional and not loops_for_ever(m, d)]
    orders = f"{report.orders:,} orders" if report.orders is not None else "every order"
    checked = {
        "broken": f"it can be broken ({report.kind}) in {report.par} steps",
        "deadlocked": f"it can jam ({report.kind}) in {report.par} steps",
        "livelocked": f"it can loop for ever, getting nowhere, after {report.par} steps",
        "starved": f"one desk can be shut out for ever, after {report.par} steps",
        "safe": f"nothing breaks it ({orders} tried, {report.states:,} states)",
    }[report.verdict]
    head = [
        "#!/usr/bin/env python3",
        f'"""{puzzle.title}: a puzzle of bankgame\'s Puzzle Book, as real Python.',
        "",
        f"Goal in the game: {puzzle.goal}",
        "",
        "In the game you picked the order of the desks' steps, and the game's checker",
        f"tried every order: {checked}.",
        "Here nobody picks: each round every desk is a real process (multiprocessing),",
        "they start together, and the operating system decides who runs when. Each",
        "round ends with an assertion of the goal: every cent where it should be.",
        "Run it again and the OS may pick another order.",
        "",
        "Standard library only. Usage: python SCRIPT [ROUNDS]",
        *([f"Made by: {source}"] if source else []),
        '"""',
        "",
        "import json",
        "import multiprocessing as mp",
        "import os",
        "import random",
        "import sys",
        "import time",
        "",
        f"ROUNDS = {rounds or ROUNDS}  # rounds by default: python SCRIPT N races N",
        "STUCK_AFTER = 5.0  # seconds in which no desk takes a step: they are stuck for good",
        "RESTARTED = 75  # the exit code of a desk the power cut stopped",
        '# "fork": the desks are copies of this process and share the objects new_round() makes.',
        'if "fork" not in mp.get_all_start_methods():',
        '    sys.exit("This script needs the fork start method (Linux, macOS).")',
        'CTX = mp.get_context("fork")',
        "",
        f"NAMES = {json.dumps(list(m.names))}",
        f"LINES = {json.dumps([[i.text for i in p] for p in m.programs])}",
        f"{slots} = {numbers}  # slots of the ledger",
        f"ACCOUNTS = {json.dumps(accounts)}",
        f"AUDITED = {audited}  # the rate board is read-only: not audited",
        f"OPENING = {list(m.opening)}  # cents",
        f"EFFECTS = {effects}  # what each desk's transaction moves, in cents (nothing if refused)",
        f"MUST_FINISH = {must_finish}  # desks whose program ends (the others loop, or may not run)",
        f"LOOPERS = {[d for d in range(n) if loops_for_ever(m, d)]}  # desks that start over for ever",
        f"CLOSED = {{{', '.join(accounts[a] for a in sorted(m.closed))}}}" if m.closed else "CLOSED = set()",
        "",
        f'ledger = CTX.Array("q", {len(accounts)}, lock=False)  # shared memory: cents, no lock of its own',
        "# The round's bookkeeping has no locks either: each slot has one writer (or is only ever set",
        "# to 1), and a desk stopped at the end of a round must not leave a lock held for the next.",
        f'where = CTX.Array("i", {n}, lock=False)  # the line each desk is on (to name where it is stuck)',
        f'moves = CTX.Array("q", {n}, lock=False)  # steps each desk has taken',
        f'refused = CTX.Array("b", {n}, lock=False)',
        'overdrawn = CTX.Array("b", 1, lock=False)',
    ]
    if ops & {ACK, SEEN, RESTART}:
        head += ['acked = CTX.Array("b", 64, lock=False)  # per sequence number: arrived for good']
    if SEEN in ops:
        head += ['applied = CTX.Array("b", 64, lock=False)  # per sequence number: applied (kept with the balance)']
    if RESTART in ops:
        head += [
            f'cut = CTX.Array("b", {n}, lock=False)  # the power cut asks a desk to stop',
            f'hand = CTX.Array("q", {3 * n}, lock=False)  # per desk: seq + 1, amount, mailbox of the message in hand',
        ]
    globals_ = ([variable(lock.name) for lock in tables.locks] + [variable(c.name) for c in tables.conditions]
                + [mailbox_variable(b) for b in tables.mailboxes])
    make = (
        [f"    {variable(lock.name)} = CTX.{f'Semaphore({lock.permits})' if lock.semaphore else 'Lock()'}"
         for lock in tables.locks]
        + [f"    {variable(c.name)} = CTX.Condition({variable(c.lock)})" for c in tables.conditions]
        + [f"    {mailbox_variable(b)} = CTX.Queue()" for b in tables.mailboxes]
    )
    body = [
        "",
        "",
        "def new_round():",
        '    """Fresh locks, conditions and mailboxes; the opening balances back in the ledger."""',
        f"    global {', '.join(['gate', *globals_])}",
        "    gate = CTX.Event()",
        "    for i, cents in enumerate(OPENING):",
        "        ledger[i] = cents",
        "    for array in (where, moves, refused, overdrawn"
        + (", acked" if ops & {ACK, SEEN, RESTART} else "") + (", applied" if SEEN in ops else "")
        + (", cut, hand" if RESTART in ops else "") + "):",
        "        array[:] = [0] * len(array)",
        *make,
        "",
        "",
        "def step(desk, line):",
        '    """Say where this desk is, then pause a moment.',
        "",
        "    The pause stands for the time a real desk takes between two steps, and it",
        "    gives the OS a chance to switch desks right here. Without it the race is",
        "    still there, only rarer.",
        '    """',
        *(["    if cut[desk]:  # the power cut: this process dies between two steps",
           "        os._exit(RESTARTED)"] if RESTART in ops else []),
        "    if any(ledger[a] < 0 for a in AUDITED):",
        "        overdrawn[0] = 1",
        "    where[desk] = line",
        "    moves[desk] += 1",
        "    time.sleep(random.random() * 0.0005)",
    ]
    if RESTART in ops:
        body += [
            "",
            "",
            "def keep(desk, message, box):",
            '    """Remember the message this desk has in hand: if its process dies, it is sent again."""',
            '    hand[3 * desk:3 * desk + 3] = [message["seq"] + 1, message["amount"], box]',
            "",
            "",
            "def restart(desk):",
            '    """The power cut: once `desk` holds a message it has not acknowledged, stop its process.',
            "",
            "    The round starts it again and sends that message again (that is what",
            "    unacknowledged means); a message it acknowledged is never sent again.",
            '    """',
            "    desk = DESKS.index(desk)",
            "    while True:",
            "        seq = hand[3 * desk]",
            "        if seq and not acked[seq - 1]:",
            "            break",
            "        if seq and acked[seq - 1]:",
            "            return  # acknowledged already: a cut now loses nothing",
            "        time.sleep(0.0002)",
            "    cut[desk] = 1",
        ]
    for d in range(n):
        body += ["", "", *_desk_function(m, d)]
    boxes = [mailbox_variable(b) for b in tables.mailboxes]
    body += [
        "",
        "",
        f"DESKS = [{', '.join(variable(name) for name in m.names)}]",
        "",
        "",
        "def run_desk(desk):",
        "    gate.wait()  # every desk starts at once (or the first started would be done before the last)",
        "    if DESKS[desk]() == \"refused\":",
        "        refused[desk] = 1",
        "    if any(ledger[a] < 0 for a in AUDITED):",
        "        overdrawn[0] = 1",
        "    where[desk] = 0  # finished",
        "",
        "",
        *([
            "def resend(box, message):",
            '    """Send `message` again, from a process of its own (so that this one never runs a Queue\'s thread',
            '    and every fork stays safe)."""',
            f"    mailbox = [{', '.join(boxes)}][box]",
            "    sender = CTX.Process(target=mailbox.put, args=(message,), daemon=True)",
            "    sender.start()",
            "    sender.join()",
            "",
            "",
        ] if RESTART in ops else []),
        "def start(desk):",
        "    process = CTX.Process(target=run_desk, args=(desk,), daemon=True)",
        "    process.start()",
        "    return process",
        "",
        "",
        "def race():",
        '    """One round: every desk at once. Return how it ended: "ok", "deadlocked", "livelocked", "starved"."""',
        "    new_round()",
        "    processes = [start(d) for d in range(len(NAMES))]",
        "    gate.set()",
        "    began = moved = time.monotonic()",
        "    last = -1",
        "    try:",
        "        while True:",
    ]
    if RESTART in ops:
        body += [
            "            for d, process in enumerate(processes):",
            "                if process.exitcode == RESTARTED:  # the power cut: start it again, resend what it held",
            "                    seq, amount, box = hand[3 * d:3 * d + 3]",
            "                    cut[d], hand[3 * d] = 0, 0",
            "                    if seq and not acked[seq - 1]:",
            "                        resend(box, {\"seq\": seq - 1, \"amount\": amount})",
            "                    processes[d] = start(d)",
        ]
    body += [
        "            if not any(processes[d].is_alive() or processes[d].exitcode == RESTARTED for d in MUST_FINISH):",
        '                return "ok"',
        "            now, total = time.monotonic(), sum(moves)",
        "            if total != last:",
        "                last, moved = total, now",
        "            elif now - moved > STUCK_AFTER:",
        '                return "deadlocked"  # nobody has moved for seconds: each waits for another',
        "            if now - began > 10 * STUCK_AFTER:  # moving all along, and still not done",
        '                return "starved" if LOOPERS else "livelocked"',
        "            time.sleep(0.002)",
        "    finally:",
        "        for process in processes:  # desks that loop for ever, or are stuck: stopped here",
        "            if process.is_alive():",
        "                process.terminate()",
        "            process.join(1)",
        "",
        "",
        "def expected_balances():",
        '    """What every account should hold: the opening, and each transaction that was not refused."""',
        "    expected = list(OPENING)",
        "    for desk, change in enumerate(EFFECTS):",
        "        if not refused[desk]:",
        "            for a, cents in enumerate(change):",
        "                expected[a] += cents",
        "    return expected",
        "",
        "",
        "def check_goal(expected, actual):",
        '    """The puzzle\'s goal, asserted: every account holds what its transactions say; none went below zero."""',
        '    assert not overdrawn[0], "an account went below zero"',
        "    for a in AUDITED:",
        '        assert actual[a] == expected[a], (f"{ACCOUNTS[a]} holds {money(actual[a])}, but the transactions that"',
        '                                          f" went through add up to {money(expected[a])}")',
        "",
        "",
        "def money(cents):",
        '    return f"{\'-\' if cents < 0 else \'\'}${abs(cents) / 100:,.2f}"',
        "",
        "",
        "def rounds_asked():",
        "    if len(sys.argv) == 1:",
        "        return ROUNDS",
        "    if len(sys.argv) == 2 and sys.argv[1].isdigit() and int(sys.argv[1]) > 0:",
        "        return int(sys.argv[1])",
        '    print(f"usage: python {sys.argv[0]} [ROUNDS]  (ROUNDS: a whole number, 1 or more)", file=sys.stderr)',
        "    sys.exit(2)",
        "",
        "",
        "def main():",
        "    rounds_total = rounds_asked()",
        f'    print("The game\'s checker tried every order: {checked}.")',
        '    print(f"Now the OS picks, {rounds_total} rounds of real processes...")',
        '    verdict, rounds, stuck = "ok", 0, []',
        "    expected = actual = list(OPENING)",
        "    for rounds in range(1, rounds_total + 1):",
        "        ended = race()",
        '        if ended != "ok":',
        '            verdict, expected, actual = ended, expected_balances(), list(ledger)',
        '            stuck = [f"{NAMES[d]} at line {where[d]}: {LINES[d][where[d] - 1]}" for d in range(len(NAMES))',
        "                     if where[d]]",
        '            print(f"Round {rounds}: {ended}. Nobody could go on:" if ended == "deadlocked" else',
        '                  f"Round {rounds}: {ended}.", "; ".join(stuck))',
        "            break",
        "        expected, actual = expected_balances(), list(ledger)",
        "        try:",
        "            check_goal(expected, actual)",
        "        except AssertionError as error:",
        '            verdict = "broken"',
        '            print(f"Round {rounds}: broken: {error}. The OS picked an order that breaks it.")',
        "            break",
        "    else:",
        '        print(f"{rounds_total} rounds, every cent where it should be: the OS picked no order that breaks it"',
        '              " this time.")',
        *([(f'        print("The checker found an order where {FOUND[report.verdict]}; the OS did not pick it'
             ' here: run it again, or play the order in the game (third hint).")')] if report.verdict != "safe" else []),
        '    print(json.dumps({"puzzle": ' + json.dumps(puzzle.id) + ', "verdict": verdict, "rounds": rounds,',
        '                      "checker": ' + json.dumps(report.verdict) + ', "expected": expected, "actual": actual,',
        '                      "stuck": stuck}))',
        "",
        "",
        'if __name__ == "__main__":',
        "    main()",
    ]
    return "\n".join(head + body) + "\n"
