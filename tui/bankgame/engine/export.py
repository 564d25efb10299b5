"""A day written out as a standalone Python script that races on real processes.

``export_script`` returns the text of a script that needs nothing but the
standard library: each desk is a ``multiprocessing.Process`` serving its
customers over and over, with no scheduler, so the operating system picks
the interleaving. The transactions are the game's own programs, translated
by ``bankgame.engine.python_code`` (a ticket is a ``with lock:`` spanning
what the ticket spans), so the script and the Python view never disagree.
Its last line of output is one JSON object:
``{"method", "processes", "operations", "expected", "actual", "lost"}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .branch import Branch
from .customers import Customer, CustomerKind
from .levels import Mode
from .programs import TicketLayout, compile_message, compile_shared
from .python_code import Spelling, python_listing

Transaction = tuple[CustomerKind, int, int, int]
"""``(kind, account, amount in cents, to_account)``."""

KINDS: tuple[CustomerKind, ...] = ("deposit", "withdraw", "transfer")
"""What moves money; a rate quote only reads, and is left out."""
DEFAULT_OPERATIONS = {"shared": 60_000, "message": 10_000}
"""Transactions each desk runs: enough that, unlocked, the processes overlap for certain
(a message costs a round trip, so fewer of them)."""


@dataclass(frozen=True, slots=True)
class ExportSpec:
    """What a script runs: the desks' transactions and how the branch is guarded."""

    title: str
    mode: Mode
    """``shared`` or ``message``."""
    accounts: int
    desks: tuple[tuple[Transaction, ...], ...]
    """Each desk's customers, in the order it serves them."""
    layout: TicketLayout
    opening_balance: int
    closed: frozenset[int] = frozenset()
    clerks: int = 2
    operations: int = 0
    """Per desk; 0: ``DEFAULT_OPERATIONS`` of the mode."""
    source: str = ""
    """How to make this script again (a ``bankgame export`` command line)."""

    @property
    def method(self) -> str:
        """The Lab's name for how the money is guarded."""
        if self.mode == "message":
            return "message-passing"
        return "shared-locked" if self.layout.vault or self.layout.accounts else "shared-unlocked"


def deal(customers: Sequence[Customer], desks: int) -> tuple[tuple[Transaction, ...], ...]:
    """Share ``customers`` out among ``desks`` in turn, as the queue would; quotes left out."""
    moving = [(c.kind, c.account, c.amount, c.to_account) for c in customers if c.kind in KINDS]
    return tuple(tuple(moving[i::desks]) for i in range(max(1, desks)))


def spec_of_branch(branch: Branch, title: str, source: str = "", operations: int = 0) -> ExportSpec:
    """Return what a script of ``branch``'s day runs: its customers, desks, mode and tickets as they are now."""
    day = branch.day
    return ExportSpec(
        title=title, mode=branch.mode, accounts=day.accounts, desks=deal(branch.customers, len(branch.desks)),
        layout=branch.layout, opening_balance=day.opening_balance, closed=branch.closed,
        clerks=len(branch.clerks), operations=operations, source=source,
    )


def script_name(title: str) -> str:
    """Return a file name for a script of ``title``: ``rush-hour.py``."""
    words = "".join(c if c.isalnum() else " " for c in title.lower()).split()
    return "-".join(words or ["bankgame"]) + ".py"


# ------------------------------------------------------------ the functions
def _symbolic(kind: str, layout: TicketLayout) -> Spelling:
    """Names for a function of its arguments instead of one customer's constants."""
    names = ("source", "target") if kind == "transfer" else ("account", "account")
    first, second = names

    def lock(ticket: str) -> str:
        if ticket == "vault":
            return "vault"
        # Account order: the lower account's ticket first, whichever way the money goes.
        if layout.order == "account" and kind == "transfer":
            return f"tickets[min({first}, {second})]" if ticket == "A" else f"tickets[max({first}, {second})]"
        return f"tickets[{first}]" if ticket == "A" else f"tickets[{second}]"

    def words(ticket: str) -> str:
        if ticket == "vault":
            return "the vault's one ticket"
        if layout.order == "account" and kind == "transfer":
            return "the lower account's ticket" if ticket == "A" else "the higher account's ticket"
        if kind != "transfer":
            return "this account's ticket"
        return f"the {first if ticket == 'A' else second} account's ticket"

    return Spelling(
        account=lambda index: names[min(index, 1)], amount=lambda cents: "amount", lock=lock, ticket_words=words,
        clerk=lambda index: f"mailboxes[owner({names[min(index, 1)]})]",
        money_comments=False, sender="me", work="fee",
    )


def _function(kind: CustomerKind, spec: ExportSpec) -> list[str]:
    layout = spec.layout
    # Accounts 0 and 1 stand for the function's ``a`` and ``b``; 1 is "closed" so the check is written.
    customer = Customer(0, 0, kind, 0, 1, 1 if kind == "transfer" else -1)
    if spec.mode == "message":
        program = compile_message(customer, [0, 1])
    else:
        shape = TicketLayout(vault=layout.vault, accounts=frozenset({0, 1}) if layout.accounts else frozenset(),
                             scope=layout.scope, order="any")
        program = compile_shared(customer, shape, frozenset({1}) if spec.closed else frozenset(), 2)
    listing = python_listing(program, _symbolic(kind, layout), indent=1)
    args = "source, target, amount" if kind == "transfer" else "account, amount"
    lines = [f"def {kind}({args}{', me' if spec.mode == 'message' else ''}):"]
    lines += [line.text() for line in listing.lines] or ["    pass"]
    return lines


# ------------------------------------------------------------ the script
HEADER = '''#!/usr/bin/env python3
"""{title}: the game's transactions on real processes, exported from bankgame.

Each desk is a real process. There is no scheduler here: the operating
system decides who runs when, so every run is a different interleaving
(the game picks the order of steps itself, so that a day replays).
{guard}
Run it:  python {{this file}} [transactions per desk]
The last line printed is one JSON object with what was lost.
Standard library only. Made with: {source}
"""

import json
import sys
import time
from multiprocessing import get_context

ctx = get_context("spawn")  # a fresh interpreter per process, the same on every system
ACCOUNTS = {accounts}
OPENING = {opening}  # cents in each account when the branch opens
CLOSED = {closed}  # accounts that refuse a transfer in
OPERATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else {operations}  # per desk
DESKS = [  # each desk's customers: (kind, account, amount in cents, to account)
{desks}
]


def fee(balance):
    """A little work between the read and the write (the fee rules; always 0).

    It makes the window between reading a balance and writing it back wide
    enough that, without a lock, two processes land in it all the time.
    """
    f = 0
    for _ in range(24):
        f = (f * 31 + balance) % 9973
    return f * 0

'''

SHARED_SETUP = '''
def desk(me, shared, done, moved, start):
    """One cashier: serve this desk's customers again and again."""
    globals().update(shared)  # the ledger and the tickets: the same objects in every process
    start.wait()  # everybody starts at once
    customers = DESKS[me]
    for i in range(OPERATIONS):
        kind, a, amount, b = customers[i % len(customers)]
        answer = transfer(a, b, amount) if kind == "transfer" else SERVE[kind](a, amount)
        if answer != "refused":  # what the bank should now hold
            moved[me] += {{"deposit": amount, "withdraw": -amount}}.get(kind, 0)
        done[me] = i + 1


def main():
    shared = {{"ledger": ctx.Array("q", [OPENING] * ACCOUNTS, lock=False)}}  # one shared block, no lock of its own
    {make_locks}
    done = ctx.Array("q", len(DESKS), lock=False)
    moved = ctx.Array("q", len(DESKS), lock=False)  # each desk writes only its own slot
    start = ctx.Barrier(len(DESKS) + 1)  # the desks, and this process
    workers = [ctx.Process(target=desk, args=(me, shared, done, moved, start), daemon=True)
               for me in range(len(DESKS))]
    deadlock = run(workers, done, start)
    report(deadlock, sum(done), OPENING * ACCOUNTS + sum(moved), sum(shared["ledger"]))
'''

MESSAGE_SETUP = '''
CLERKS = {clerks}


def owner(account):
    """Each account has exactly one owner clerk."""
    return account % CLERKS


def clerk(index, mailbox, replies, result):
    """One clerk: the only process that touches its accounts (private memory)."""
    balances = {{a: OPENING for a in range(ACCOUNTS) if owner(a) == index}}
    while True:
        message = mailbox.get()  # blocks until a cashier sends something
        if message is None:
            break
        me, op, a, amount = message
        ok = True
        if op in ("withdraw", "debit"):
            ok = balances[a] >= amount  # check and act in one go: nobody else can touch it
            if ok:
                balances[a] -= amount
        elif op == "credit" and a in CLOSED:
            ok = False
        else:
            balances[a] += amount
        replies[me].send("ok" if ok else "refused")  # a copy back to the cashier
    result.put(sum(balances.values()))


def desk(me, shared, done, moved, start):
    """One cashier: send copies to the owners, wait for each reply."""
    globals().update(shared)  # the clerks' mailboxes, and this desk's end of its reply pipe
    start.wait()
    customers = DESKS[me]
    for i in range(OPERATIONS):
        kind, a, amount, b = customers[i % len(customers)]
        answer = transfer(a, b, amount, me) if kind == "transfer" else SERVE[kind](a, amount, me)
        if answer != "refused":
            moved[me] += {{"deposit": amount, "withdraw": -amount}}.get(kind, 0)
        done[me] = i + 1


def main():
    mailboxes = [ctx.Queue() for _ in range(CLERKS)]
    pipes = [ctx.Pipe(duplex=False) for _ in DESKS]  # (cashier's end, clerks' end)
    result = ctx.Queue()
    clerks = [ctx.Process(target=clerk, args=(i, mailboxes[i], [w for _, w in pipes], result), daemon=True)
              for i in range(CLERKS)]
    done = ctx.Array("q", len(DESKS), lock=False)
    moved = ctx.Array("q", len(DESKS), lock=False)
    start = ctx.Barrier(len(DESKS) + 1)  # the desks, and this process
    workers = [ctx.Process(target=desk, args=(me, {{"mailboxes": mailboxes, "reply": pipes[me][0]}}, done, moved, start),
                           daemon=True)
               for me in range(len(DESKS))]
    for process in clerks:
        process.start()
    deadlock = run(workers, done, start)
    for mailbox in mailboxes:
        mailbox.put(None)  # closing time
    actual = sum(result.get(timeout=30) for _ in clerks)
    for process in clerks:
        process.join(5)
    report(deadlock, sum(done), OPENING * ACCOUNTS + sum(moved), actual)
'''

FOOTER = '''

def run(workers, done, start):
    """Start the desks and wait; return True if they stopped moving (a deadlock)."""
    for process in workers:
        process.start()
    start.wait(timeout=120)  # the clock below starts once every desk is ready
    last, still = -1, time.monotonic()
    while any(process.is_alive() for process in workers):
        time.sleep(0.05)
        if sum(done) != last:
            last, still = sum(done), time.monotonic()
        elif time.monotonic() - still > 5:  # nobody served anyone for 5 s: each waits for another
            for process in workers:
                process.terminate()
            return True
    if any(process.exitcode for process in workers):
        sys.exit("A desk failed: see its error above.")
    return False


def report(deadlock, operations, expected, actual):
    print(f"{{operations:,}} transactions, expected ${{expected / 100:,.2f}}, the ledger holds ${{actual / 100:,.2f}}")
    if deadlock:
        print("Deadlock: the desks took their tickets in opposite orders and waited for each other forever.")
    result = {{"method": "{method}", "processes": len(DESKS), "operations": operations,
              "expected": expected, "actual": actual, "lost": expected - actual}}
    if deadlock:
        result["deadlock"] = True
    print(json.dumps(result))


if __name__ == "__main__":
    main()
'''


def _guard_text(spec: ExportSpec) -> str:
    if spec.mode == "message":
        return ("Message passing: each account belongs to one clerk process; cashiers put copies in\n"
                "its Queue and block on a Pipe for the reply. Nothing is shared, nothing is lost.")
    layout = spec.layout
    if layout.vault:
        return "One Lock for the whole vault: every transaction waits its turn. Nothing is lost."
    if layout.accounts:
        scope = "the check and the write" if layout.scope == "check" else "the write only (the check is outside!)"
        order = "in account order" if layout.order == "account" else "in the order the customer names them (a deadlock may come)"
        return f"A Lock per account around {scope}, taken {order}."
    return "No lock at all: two desks read the same balance, both write, and a deposit is lost."


def export_script(spec: ExportSpec) -> str:
    """Return the whole script for ``spec``: Python source that passes ``py_compile``."""
    kinds = sorted({t[0] for desk in spec.desks for t in desk}, key=KINDS.index) or ["deposit"]
    desks = "\n".join(f"    {list(desk)!r}," for desk in spec.desks)
    text = HEADER.format(
        title=spec.title, guard=_guard_text(spec), source=spec.source or "bankgame export",
        accounts=spec.accounts, opening=f"{spec.opening_balance:_}",
        operations=f"{spec.operations or DEFAULT_OPERATIONS[spec.mode]:_}",
        closed=repr(set(spec.closed)) if spec.closed else "set()", desks=desks,
    )
    text += "\n" + "\n\n\n".join("\n".join(_function(kind, spec)) for kind in kinds) + "\n\n"
    text += "\nSERVE = {" + ", ".join(f'"{kind}": {kind}' for kind in kinds if kind != "transfer") + "}\n\n"
    if spec.mode == "message":
        text += MESSAGE_SETUP.format(clerks=max(1, spec.clerks))
    else:
        layout = spec.layout
        if layout.vault:
            make = 'shared["vault"] = ctx.Lock()  # the vault\'s one ticket'
        elif layout.accounts:
            make = 'shared["tickets"] = [ctx.Lock() for _ in range(ACCOUNTS)]  # a ticket per account'
        else:
            make = "# no tickets: nothing stops two desks at once"
        text += SHARED_SETUP.format(make_locks=make)
    text += FOOTER.format(method=spec.method)
    return text
