"""The interface between the engine (which decides) and a backend (which executes).

The engine picks every step; a backend carries it out. The in-process
``InlineBackend`` below has the same semantics as the real process backends in
``bankgame.workers``: the same reads see the same values, the same tickets are
free or taken, and every message is a real copy (a pickle round trip), so a day
gives the same report, byte for byte, whichever backend runs it.
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Protocol

from .levels import Mode
from .primitives import LockSpec


@dataclass(frozen=True, slots=True)
class BackendSetup:
    """Everything a backend needs to open a branch."""

    balances: tuple[int, ...]
    """Opening ledger: one slot per account, then the rate board."""
    desks: int
    clerks: int
    clerk_of: tuple[int, ...]
    """Owner clerk of each account."""
    mode: Mode = "shared"
    closed: frozenset[int] = frozenset()
    """Accounts that refuse a transfer's credit."""
    locks: tuple[LockSpec, ...] = ()
    """The tickets (``primitives.branch_tickets``): a lock is numbered by its index here.
    A backend makes one real lock per entry, a semaphore where ``permits`` > 1."""


Request = tuple[str, int, int]
"""A request to a clerk: ``(op, account, amount)``."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A clerk's answer to one request."""

    seq: int
    ok: bool
    balance: int
    size: int
    """Bytes of the reply as it was really copied."""
    wall_ms: float | None = None
    """The round trip measured on a network socket, in milliseconds of wall time (shown, never decided on)."""


def apply_message(
    balances: dict[int, int], closed: frozenset[int], op: str, account: int, amount: int
) -> tuple[bool, int]:
    """Apply one request to a clerk's private balances; return ``(ok, balance)``.

    The owner checks and acts in one go, so no check-then-act race exists
    here. A closed account refuses a transfer's credit (which the sending
    cashier then compensates with a refund to the source account).
    """
    balance = balances[account]
    if op in ("withdraw", "debit"):
        if balance < amount:
            return False, balance
        balance -= amount
    elif op in ("deposit", "credit", "refund"):
        if op == "credit" and account in closed:
            return False, balance
        balance += amount
    else:
        raise ValueError(f"unknown request {op!r}")
    balances[account] = balance
    return True, balance


class BackendLost(RuntimeError):
    """The backend lost a worker it cannot get back (a remote clerk that no longer answers)."""


class Backend(Protocol):
    """What the engine asks of a backend. All calls come from one thread."""

    name: str
    shared_block: str
    """What a clerk across a network found when it tried the branch's shared-memory block ("" with none)."""

    def open(self, setup: BackendSetup) -> None:
        """Create the ledger, desks, clerks and tickets."""

    def fresh(self) -> Backend:
        """Return a new, unopened backend of the same kind: the day played again from its start (step back)."""

    def read(self, desk: int, slot: int) -> int:
        """Desk ``desk`` reads ledger slot ``slot``."""

    def write(self, desk: int, slot: int, value: int) -> None:
        """Desk ``desk`` writes ``value`` into ledger slot ``slot``."""

    def try_take(self, desk: int, lock: int) -> bool:
        """Desk ``desk`` tries ticket ``lock`` (an index in ``setup.locks``) without blocking.

        Like a real lock, a backend knows only how many permits are taken;
        who holds them is the engine's record (``primitives.Holders``).
        """

    def give_back(self, desk: int, lock: int) -> None:
        """Desk ``desk`` returns ticket ``lock``."""

    def send(self, clerk: int, seq: int, request: Request) -> int:
        """Copy ``(seq, *request)`` into ``clerk``'s mailbox; return the bytes copied."""

    def handle(self, clerk: int) -> Reply:
        """Clerk ``clerk`` handles its oldest message and replies."""

    def kill_clerk(self, clerk: int) -> None:
        """Kill clerk ``clerk`` (the real process, for a real backend)."""

    def recovered(self) -> list[int]:
        """Return the clerks restarted since the last call."""

    def set_mode(self, mode: Mode) -> None:
        """Move the ledger between the shared block and the clerks."""

    def set_owners(self, clerks: int, clerk_of: tuple[int, ...]) -> None:
        """In shared mode: the next switch to messages starts ``clerks`` clerks owning ``clerk_of``."""

    def balances(self) -> list[int]:
        """Return the ledger as it really is (all slots)."""

    def close(self) -> None:
        """Stop every worker and free every resource."""

    def take_notices(self) -> list[str]:
        """Return what the player should be told since the last call (a helper process restarted...)."""

    def remote_stats(self) -> dict[str, float | str] | None:
        """Messages to clerks across a network and their measured latency (wall time), or None with none."""


@dataclass
class _InlineClerk:
    accounts: dict[int, int]
    mailbox: list[bytes] = field(default_factory=list)
    handled: set[int] = field(default_factory=set)
    alive: bool = True


class InlineBackend:
    """Same semantics as the process backends, in this process, for fast tests.

    Recovery follows the real protocol: the backend remembers the last
    acknowledged balance of every account and every message not yet
    acknowledged; a dead clerk is restarted from those on its next use.
    """

    name = "inline"
    shared_block = ""

    def __init__(self) -> None:
        self._ledger: list[int] = []
        self._permits: list[int] = []
        """Free permits of each lock: all a real lock or semaphore knows of itself."""
        self._clerks: list[_InlineClerk] = []
        self._clerk_of: tuple[int, ...] = ()
        self._acked: dict[int, int] = {}
        self._unacked: list[dict[int, bytes]] = []
        self._recovered: list[int] = []
        self._mode = "shared"
        self._closed: frozenset[int] = frozenset()

    def fresh(self) -> InlineBackend:
        return InlineBackend()

    def open(self, setup: BackendSetup) -> None:
        self._ledger = list(setup.balances)
        self._permits = [lock.permits for lock in setup.locks]
        self._clerk_of = setup.clerk_of
        self._closed = setup.closed
        self._clerks = [_InlineClerk({}) for _ in range(setup.clerks)]
        self._unacked = [{} for _ in range(setup.clerks)]
        self._mode = "shared"
        if setup.mode == "message":
            self.set_mode("message")

    def resume(
        self, setup: BackendSetup, ledger: list[int], taken: list[int], mode: str,
        acked: dict[int, int], unacked: list[dict[int, bytes]],
    ) -> None:
        """Take over a day another backend was running, from the state it leaves.

        Args:
            setup: the day's setup.
            ledger: every slot as it is now (in message mode the accounts' slots are stale).
            taken: how many permits of each ticket are taken.
            mode: ``shared`` or ``message``.
            acked: message mode: the last acknowledged balance of every account.
            unacked: per clerk, sequence number → the request as copied, not yet answered.
        """
        self.open(dataclasses.replace(setup, mode="shared"))
        self._ledger = list(ledger)
        self._permits = [lock.permits - n for lock, n in zip(setup.locks, taken)]
        if mode == "message":
            self._mode = "message"
            self._acked = dict(acked)
            self._unacked = [dict(pending) for pending in unacked]
            for clerk in range(len(self._clerks)):
                owned = {a: acked[a] for a, c in enumerate(self._clerk_of) if c == clerk}
                self._clerks[clerk] = _InlineClerk(owned, [self._unacked[clerk][s] for s in sorted(self._unacked[clerk])])

    # shared state -------------------------------------------------------
    def read(self, desk: int, slot: int) -> int:
        return self._ledger[slot]

    def write(self, desk: int, slot: int, value: int) -> None:
        self._ledger[slot] = value

    def try_take(self, desk: int, lock: int) -> bool:
        if self._permits[lock] > 0:
            self._permits[lock] -= 1
            return True
        return False

    def give_back(self, desk: int, lock: int) -> None:
        self._permits[lock] += 1

    # message passing ------------------------------------------------------
    def send(self, clerk: int, seq: int, request: Request) -> int:
        data = pickle.dumps((seq, *request))
        self._unacked[clerk][seq] = data
        self._clerks[clerk].mailbox.append(data)
        return len(data)

    def handle(self, clerk: int) -> Reply:
        state = self._clerks[clerk]
        if not state.alive:
            self._restart(clerk)
            state = self._clerks[clerk]
        seq, op, account, amount = pickle.loads(state.mailbox.pop(0))
        ok, balance = apply_message(state.accounts, self._closed, op, account, amount)
        data = pickle.dumps((seq, ok, balance))
        seq, ok, balance = pickle.loads(data)
        self._acked[account] = balance
        self._unacked[clerk].pop(seq, None)
        return Reply(seq, ok, balance, len(data))

    def kill_clerk(self, clerk: int) -> None:
        # Everything private to the clerk is gone: balances and mailbox.
        self._clerks[clerk] = _InlineClerk({}, alive=False)

    def recovered(self) -> list[int]:
        out, self._recovered = self._recovered, []
        return out

    def _restart(self, clerk: int) -> None:
        owned = {a: self._acked[a] for a, c in enumerate(self._clerk_of) if c == clerk}
        restarted = _InlineClerk(owned)
        restarted.mailbox = list(self._unacked[clerk][s] for s in sorted(self._unacked[clerk]))
        self._clerks[clerk] = restarted
        self._recovered.append(clerk)

    def set_mode(self, mode: Mode) -> None:
        if mode == self._mode:
            return
        if mode == "message":
            for clerk in range(len(self._clerks)):
                owned = {a: self._ledger[a] for a, c in enumerate(self._clerk_of) if c == clerk}
                self._clerks[clerk] = _InlineClerk(owned)
            self._acked = {a: self._ledger[a] for a in range(len(self._clerk_of))}
        else:
            for account, value in enumerate(self.balances()[: len(self._clerk_of)]):
                self._ledger[account] = value
        self._mode = mode

    def set_owners(self, clerks: int, clerk_of: tuple[int, ...]) -> None:
        if self._mode != "shared":
            raise RuntimeError("the accounts change owners only while they are in the shared ledger")
        self._clerk_of = clerk_of
        self._clerks = [_InlineClerk({}) for _ in range(clerks)]
        self._unacked = [{} for _ in range(clerks)]

    def balances(self) -> list[int]:
        if self._mode == "shared":
            return list(self._ledger)
        ledger = list(self._ledger)
        for clerk, state in enumerate(self._clerks):
            if not state.alive:
                self._restart(clerk)
                state = self._clerks[clerk]
            for account, value in state.accounts.items():
                ledger[account] = value
        return ledger

    def close(self) -> None:
        self._clerks = []

    def take_notices(self) -> list[str]:
        return []  # nothing of this process dies on its own

    def remote_stats(self) -> None:
        return None  # no clerk across a network
