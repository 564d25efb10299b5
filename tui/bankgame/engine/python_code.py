"""A desk's program written as the Python it stands for.

The game's micro-steps are the steps a real program takes: ``r = read A`` is
``r = ledger[A]`` on a shared block, a ticket is a ``multiprocessing.Lock``
held by a ``with`` statement that spans exactly the steps the ticket spans,
a message is a copy put in a clerk's ``Queue`` and the reply a blocking
``recv()`` on a ``Pipe``. ``python_listing`` translates a list of ``Step``\\ s
into Python lines, with a map from each step to the line that does it, so a
view can highlight the line of the step about to run.

How each opcode is written is a table (``TEMPLATES`` for plain lines,
``CONDITIONS`` for steps that branch, ``BLOCKS`` for steps that open and
close a ``with``): a new primitive is a new row, not a new walker. How names
are spelt (a constant ``A`` in the game's view, a variable in an exported
script) is a ``Spelling``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .names import account_name, dollars
from .programs import (
    ADD,
    AWAIT,
    CHECK,
    CLOSED,
    GIVE,
    JUMP,
    RATES,
    READ,
    SEND,
    TAKE,
    VAULT,
    WRITE,
    Step,
)


def _lock_variable(ticket: str) -> str:
    if ticket == VAULT:
        return "vault_ticket"
    if ticket == RATES:
        return "rates_ticket"
    return f"ticket_{ticket.lower()}"


def _cents(amount: int) -> str:
    return f"{amount:_}" if amount >= 10_000 else str(amount)


@dataclass(frozen=True, slots=True)
class Spelling:
    """How a listing names the things a program touches."""

    account: Callable[[int], str] = account_name
    """An account's index in the ledger: the constant ``A`` by default."""
    amount: Callable[[int], str] = _cents
    """An amount in cents."""
    lock: Callable[[str], str] = _lock_variable
    """A ticket's lock object."""
    clerk: Callable[[int], str] = lambda account: "mailbox"
    """The clerk's mailbox that owns ``account`` (a ``Queue``)."""
    money_comments: bool = True
    """Add ``# $50`` beside an amount in cents."""
    ticket_words: Callable[[str], str] = lambda ticket: _ticket_words(ticket)
    """A ticket in words, for the comment beside its ``with``."""
    sender: str = ""
    """Put first in every message (who the clerk answers), if given."""
    work: str = ""
    """A function called between a read and its write (an exported script's ``fee``), if given."""


@dataclass(frozen=True, slots=True)
class PyLine:
    """One line of Python: its indent level, the code, and a comment for the learner."""

    indent: int
    code: str
    comment: str = ""

    def text(self, comments: bool = True) -> str:
        """Return the line as it is written, four spaces per level."""
        line = "    " * self.indent + self.code
        return f"{line}  # {self.comment}" if comments and self.comment else line


@dataclass(frozen=True, slots=True)
class PythonListing:
    """A program's Python: the lines, and for each step the line that does it."""

    lines: tuple[PyLine, ...]
    line_of_step: tuple[int, ...]
    """``line_of_step[pc]``: the index in ``lines`` of step ``pc``."""

    def line_for(self, pc: int) -> int:
        """Return the line of step ``pc``, or ``-1`` once the program is done."""
        return self.line_of_step[pc] if 0 <= pc < len(self.line_of_step) else -1

    def text(self, comments: bool = True) -> str:
        """Return the whole listing as Python source."""
        return "\n".join(line.text(comments) for line in self.lines) + "\n"


# ------------------------------------------------------------- the tables
Template = Callable[[Step, Spelling], tuple[str, str]]
"""``(step, spelling) -> (code, comment)``."""


def _read(step: Step, s: Spelling) -> tuple[str, str]:
    if step.account < 0:
        return f"{step.register} = my_rates", "this cashier's own copy: nothing shared"
    if step.text.endswith("read rates"):
        return f"{step.register} = ledger[RATES]", "only read: safe without a lock"
    return f"{step.register} = ledger[{s.account(step.account)}]", "read the shared balance"


def _add(step: Step, s: Spelling) -> tuple[str, str]:
    sign = "+" if step.amount >= 0 else "-"
    comment = f"{dollars(abs(step.amount))} in cents" if s.money_comments else "in this process only"
    work = f" - {s.work}({step.register})" if s.work else ""
    return f"{step.register} = {step.register} {sign} {s.amount(abs(step.amount))}{work}", comment


def _write(step: Step, s: Spelling) -> tuple[str, str]:
    return f"ledger[{s.account(step.account)}] = {step.register}", "write it back"


def _send(step: Step, s: Spelling) -> tuple[str, str]:
    op, account, amount = step.message
    sender = f"{s.sender}, " if s.sender else ""
    return f'{s.clerk(account)}.put(({sender}"{op}", {s.account(account)}, {s.amount(amount)}))', "a pickled copy"


def _jump(step: Step, s: Spelling) -> tuple[str, str]:
    return 'return "done"', ""


TEMPLATES: dict[int, Template] = {READ: _read, ADD: _add, WRITE: _write, SEND: _send, JUMP: _jump}
"""Plain steps: one line each."""

Condition = Callable[[Step, Spelling], tuple[str, str, str]]
"""``(step, spelling) -> (when it refuses, when it goes on, the line without a branch)``."""


def _check(step: Step, s: Spelling) -> tuple[str, str, str]:
    amount = s.amount(step.amount)
    return f"if {step.register} < {amount}:", f"if {step.register} >= {amount}:", f"{step.register} < {amount}"


def _await(step: Step, s: Spelling) -> tuple[str, str, str]:
    return 'if reply.recv() == "refused":', 'if reply.recv() == "ok":', "return reply.recv()"


def _closed(step: Step, s: Spelling) -> tuple[str, str, str]:
    account = s.account(step.account)
    return f"if {account} in CLOSED:", f"if {account} not in CLOSED:", f"{account} in CLOSED"


CONDITIONS: dict[int, Condition] = {CHECK: _check, AWAIT: _await, CLOSED: _closed}
"""Steps that may jump: ``target`` is where they go when the answer is no."""

COMMENTS = {AWAIT: "blocks until the clerk answers"}

BLOCKS: dict[int, Callable[[Step, Spelling], str]] = {
    TAKE: lambda step, s: f"with {s.lock(step.ticket)}:",
}
"""Steps that open a ``with`` block; the matching ``GIVE`` closes it."""
CLOSERS = {GIVE}


# ------------------------------------------------------------- the walker
def python_listing(program: Sequence[Step], spelling: Spelling | None = None, *, indent: int = 0) -> PythonListing:
    """Translate ``program`` into Python lines, each step mapped to its line.

    Args:
        program: a desk's micro-steps (``compile_shared`` / ``compile_message``).
        spelling: how names are written (the game's constants by default).
        indent: the indent level of the first line (1 inside a ``def``).

    Returns:
        The lines, and ``line_of_step``: a ``TAKE`` maps to its ``with``, its
        ``GIVE`` to the same ``with`` (leaving it returns the ticket), a
        branching step to its ``if``.
    """
    s = spelling or Spelling()
    steps = list(program)
    lines: list[PyLine] = []
    line_of = [-1] * len(steps)
    opened: list[int] = []  # line of each open ``with``

    def refuses(target: int) -> bool:
        # A jump that only hands tickets back before the end is a refusal: a
        # ``return`` inside the ``with`` hands them back in Python.
        return all(steps[i].op in CLOSERS for i in range(target, len(steps)))

    def walk(start: int, end: int, level: int) -> None:
        i = start
        while i < end:
            step = steps[i]
            op = step.op
            if op in BLOCKS:
                line_of[i] = len(lines)
                opened.append(len(lines))
                lines.append(PyLine(level, BLOCKS[op](step, s), f"take {s.ticket_words(step.ticket)}"))
                level += 1
            elif op in CLOSERS:
                level = max(0, level - 1)
                line_of[i] = opened.pop() if opened else len(lines) - 1
            elif op in CONDITIONS:
                no, yes, plain = CONDITIONS[op](step, s)
                target = step.target
                line_of[i] = len(lines)
                if target <= i or target > len(steps) or (target == len(steps) and i == len(steps) - 1):
                    lines.append(PyLine(level, plain, COMMENTS.get(op, "")))
                elif refuses(target):
                    lines.append(PyLine(level, no, COMMENTS.get(op, "")))
                    lines.append(PyLine(level + 1, 'return "refused"',
                                        "leaving the with returns the ticket" if opened else ""))
                else:
                    lines.append(PyLine(level, yes, COMMENTS.get(op, "")))
                    walk(i + 1, target, level + 1)
                    i = target
                    continue
            else:
                template = TEMPLATES.get(op)
                code, comment = template(step, s) if template else (f"...  # {step.text}", "")
                line_of[i] = len(lines)
                lines.append(PyLine(level, code, comment))
            i += 1

    walk(0, len(steps), indent)
    return PythonListing(tuple(lines), tuple(line_of))


def _ticket_words(ticket: str) -> str:
    return {VAULT: "the vault ticket", RATES: "the rate-board ticket"}.get(ticket, f"ticket {ticket}")


# ------------------------------------------------------ a whole desk's code
@dataclass(frozen=True, slots=True)
class DeskPython:
    """A desk's transaction as a small Python program: set-up lines, then ``serve()``."""

    listing: PythonListing
    title: str
    steps: tuple[Step, ...] = ()

    @property
    def lines(self) -> tuple[PyLine, ...]:
        """Every line, set-up included."""
        return self.listing.lines

    def line_for(self, pc: int) -> int:
        """Return the line of step ``pc`` (``-1``: done)."""
        return self.listing.line_for(pc)

    def leaving(self, pc: int) -> str:
        """Return what step ``pc`` does if it is a ticket given back (``""`` otherwise).

        A given-back ticket has no line of its own: it is the end of its
        ``with``, so the view marks the ``with`` and says so.
        """
        step = self.steps[pc] if 0 <= pc < len(self.steps) else None
        if step is None or step.op not in CLOSERS:
            return ""
        return f"leaving the with: {_ticket_words(step.ticket)} given back"


def desk_python(
    program: Sequence[Step], *, title: str = "", lock_order: str = "", permits: Mapping[str, int] | None = None,
) -> DeskPython:
    """Return ``program`` as a Python function with the objects it shares declared above it.

    Args:
        program: the desk's steps.
        title: what the transaction is (``deposit A $50``), for the ``def`` line's comment.
        lock_order: ``account`` or ``any``: said beside the first of several ``with`` lines.
        permits: tickets with more than one holder at a time: a ``Semaphore``.
    """
    permits = permits or {}
    # A send names its clerk at the end of its line ("... to Ada"): one mailbox each.
    clerks = {step.message[1]: step.text.rsplit(" to ", 1)[-1] for step in program if step.op == SEND}
    mailboxes = list(dict.fromkeys(f"{name.lower()}_mailbox" for name in clerks.values()))
    accounts = sorted({step.account for step in program if step.op in (READ, WRITE, CLOSED) and step.account >= 0
                       and not step.text.endswith("read rates")} |
                      {step.message[1] for step in program if step.op == SEND})
    tickets = list(dict.fromkeys(step.ticket for step in program if step.op == TAKE))
    message = any(step.op in (SEND, AWAIT) for step in program)
    head: list[PyLine] = []
    if message:
        head.append(PyLine(0, "from multiprocessing import Pipe, Queue"))
        for mailbox, name in zip(mailboxes, dict.fromkeys(clerks.values())):
            owned = ", ".join(account_name(a) for a, clerk in sorted(clerks.items()) if clerk == name)
            head.append(PyLine(0, f"{mailbox} = Queue()", f"{name} owns {owned}: only {name} touches it"))
        head.append(PyLine(0, "reply, clerk_end = Pipe()", "the clerk answers here"))
    else:
        kinds = ["Array"] + (["Lock"] if any(permits.get(t, 1) == 1 for t in tickets) else []) + (
            ["Semaphore"] if any(permits.get(t, 1) > 1 for t in tickets) else [])
        head.append(PyLine(0, f"from multiprocessing import {', '.join(kinds)}"))
        head.append(PyLine(0, "ledger = Array(\"q\", ACCOUNTS, lock=False)", "shared: cents"))
        for ticket in tickets:
            n = permits.get(ticket, 1)
            make = f"Semaphore({n})" if n > 1 else "Lock()"
            head.append(PyLine(0, f"{_lock_variable(ticket)} = {make}", _ticket_words(ticket)))
    if accounts:
        names = [account_name(a) for a in accounts]
        head.append(PyLine(0, f"{', '.join(names)} = {', '.join(str(a) for a in accounts)}", "ledger slots"))
    rates = [step.account for step in program if step.op == READ and step.text.endswith("read rates")]
    if rates:
        head.append(PyLine(0, f"RATES = {rates[0]}", "the rate board's slot"))
    closed = [account_name(step.account) for step in program if step.op == CLOSED]
    if closed:
        head.append(PyLine(0, f"CLOSED = {{{', '.join(closed)}}}", "accounts that refuse money"))
    head.append(PyLine(0, ""))
    head.append(PyLine(0, "def serve():", title))
    spelling = Spelling(clerk=lambda account: f"{clerks.get(account, 'clerk').lower()}_mailbox")
    body = python_listing(program, spelling, indent=1)
    if len(tickets) > 1 and lock_order:
        first = body.line_of_step[next(i for i, step in enumerate(program) if step.op == TAKE)]
        order = ", then ".join(_ticket_words(t).removeprefix("the ") for t in tickets)
        why = "account order" if lock_order == "account" else "the order the customer named"
        marked = list(body.lines)
        marked[first] = PyLine(marked[first].indent, marked[first].code, f"{why}: {order}")
        body = PythonListing(tuple(marked), body.line_of_step)
    shift = len(head)
    lines = head + list(body.lines)
    if not body.lines:
        lines.append(PyLine(1, "pass"))
    return DeskPython(PythonListing(tuple(lines), tuple(n + shift for n in body.line_of_step)), title, tuple(program))


# ------------------------------------------------ a line of a timeline
def _ticket_of(words: str) -> str:
    if words == "vault ticket":
        return VAULT
    if words == "rate-board ticket":
        return RATES
    return words.removeprefix("ticket ")


def _amount(text: str) -> int:
    return round(float(text.replace(",", "").lstrip("$")) * 100)


_TICKET = r"(vault ticket|rate-board ticket|ticket [A-Z]+)"
_LINE_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Step]], ...] = (
    (re.compile(rf"take {_TICKET}$"), lambda m: Step(TAKE, m[0], ticket=_ticket_of(m[1]))),
    (re.compile(rf"return {_TICKET}$"), lambda m: Step(GIVE, m[0], ticket=_ticket_of(m[1]))),
    (re.compile(r"(\w+) = read rates"), lambda m: Step(READ, m[0], register=m[1], account=0)),
    (re.compile(r"(\w+) = read ([A-Z]+)$"), lambda m: Step(READ, m[0], register=m[1], account=_index(m[2]))),
    (re.compile(r"(\w+) = \1 ([+-]) (\$[\d,.]+)$"),
     lambda m: Step(ADD, m[0], register=m[1], amount=_amount(m[3]) * (1 if m[2] == "+" else -1))),
    (re.compile(r"write ([A-Z]+) = (\w+)"), lambda m: Step(WRITE, m[0], account=_index(m[1]), register=m[2])),
    (re.compile(r"if (\w+) < (\$[\d,.]+): refuse$"), lambda m: Step(CHECK, m[0], register=m[1], amount=_amount(m[2]))),
    (re.compile(r"send \{(\w+) ([A-Z]+) (\$[\d,.]+)\} to \w+$"),
     lambda m: Step(SEND, m[0], message=(m[1], _index(m[2]), _amount(m[3])))),
    (re.compile(r"wait for reply$"), lambda m: Step(AWAIT, m[0])),
)


def _index(name: str) -> int:
    index = 0
    for char in name:
        index = index * 26 + (ord(char) - 64)
    return index - 1


STATEMENTS = {TAKE: "{lock}.acquire()", GIVE: "{lock}.release()"}
"""A ticket taken or given back, out of its ``with`` (a timeline shows one step at a time)."""


def python_line(text: str) -> str:
    """Return the Python statement for one program line as a timeline shows it.

    A timeline keeps only each step's text; this reads it back (the texts
    come from ``bankgame.engine.programs``) and writes it with the same
    tables. A line it does not know (``… waiting``, ``✗ …``) is returned as is.
    """
    # A read or a write on a timeline carries the value it got or wrote: "r = read A = $1,000.00".
    valued = _VALUE.match(text)
    line, value = (valued[1], valued[2]) if valued else (text, "")
    python = _python_of_line(line)
    if python == line:
        return text
    return f"{python}  # {value}" if value else python


_VALUE = re.compile(r"(.+ = (?:read \w+|\w+)) = ([−-]?\$[\d,.]+)$")


def _python_of_line(text: str) -> str:
    spelling = Spelling(money_comments=False)
    for pattern, make in _LINE_PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        step = make(match)
        if step.op in STATEMENTS:
            return STATEMENTS[step.op].format(lock=spelling.lock(step.ticket))
        if step.op in CONDITIONS:
            no, _yes, _plain = CONDITIONS[step.op](step, spelling)
            return f"{no} return"
        if step.op == READ and text.endswith("read rates"):
            return f"{step.register} = ledger[RATES]"
        return TEMPLATES[step.op](step, spelling)[0]
    return text
