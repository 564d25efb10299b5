"""The process backend: the engine's steps carried out by real worker processes.

Shared-state mode: the ledger is a real ``multiprocessing.shared_memory``
block, each desk is a real cashier process that reads and writes it when the
scheduler says so, and each ticket is a real ``multiprocessing`` lock taken
without blocking inside that cashier. Message-passing mode: each clerk is a
real process owning its accounts in private memory, and every request and
reply is a real pickled copy through a pipe.

The engine drives every call and waits for its answer, so the order of steps
stays the seeded scheduler's and a day gives the same report, byte for byte,
as with the in-process backend.
"""

from __future__ import annotations

import dataclasses

from ..engine.backend import BackendSetup, Reply
from .cashiers import CashierPool, SharedLedger
from .clerks import ClerkPool
from .helpers import CONTEXT, ensure_process_helpers


class ProcessBackend:
    """Cashier processes on a shared-memory ledger, clerk processes for messages.

    Each pool starts the first time its mode is used and then stays, so a
    mode switch costs no start-up the second time. The block always holds
    the rate board; in message mode the accounts live with their clerks.

    Args:
        log_path: where the workers write; by default the helpers' log.
    """

    name = "process"

    def __init__(self, log_path: str | None = None) -> None:
        self.log_path = log_path
        self.setup: BackendSetup | None = None
        self.ledger: SharedLedger | None = None
        self.locks: list = []
        self.cashiers: CashierPool | None = None
        self.clerks: ClerkPool | None = None
        self.mode = "shared"

    # ---------------------------------------------------------------- life
    def open(self, setup: BackendSetup) -> None:
        """Create the shared block and the tickets; start the workers of the opening mode."""
        log = ensure_process_helpers()
        if self.log_path is None:
            self.log_path = log
        self.setup = setup
        self.ledger = SharedLedger(setup.balances)
        # Tickets: 0 = vault, 1 + a = account a, the last = rate board.
        self.locks = [CONTEXT.Lock() for _ in range(len(setup.balances) + 1)]
        self.mode = "shared"
        try:
            if setup.mode == "message":
                self.set_mode("message")
            else:
                self._cashiers()
        except BaseException:
            self.close()
            raise

    def _cashiers(self) -> CashierPool:
        if self.cashiers is None:
            assert self.setup is not None and self.ledger is not None
            self.cashiers = CashierPool(self.setup.desks, self.ledger.name, self.locks, self.log_path)
        return self.cashiers

    def _clerks(self) -> ClerkPool:
        if self.clerks is None:
            assert self.setup is not None
            self.clerks = ClerkPool(self.setup.clerks, self.setup.clerk_of, self.setup.closed, self.log_path)
        return self.clerks

    def close(self) -> None:
        """Stop every worker (terminate → join(2) → kill) and free the block and the locks."""
        for pool in (self.cashiers, self.clerks):
            if pool is not None:
                pool.close()
        self.cashiers = self.clerks = None
        if self.ledger is not None:
            self.ledger.close()
            self.ledger = None
        self.locks = []

    def __enter__(self) -> ProcessBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------- shared state
    def read(self, desk: int, slot: int) -> int:
        return self._cashiers().read(desk, slot)

    def write(self, desk: int, slot: int, value: int) -> None:
        self._cashiers().write(desk, slot, value)

    def try_take(self, desk: int, lock: int) -> bool:
        return self._cashiers().try_take(desk, lock)

    def give_back(self, desk: int, lock: int) -> None:
        self._cashiers().give_back(desk, lock)

    # ----------------------------------------------------- message passing
    def send(self, clerk: int, seq: int, request: tuple) -> int:
        return self._clerks().send(clerk, seq, request)

    def handle(self, clerk: int) -> Reply:
        return self._clerks().handle(clerk)

    def kill_clerk(self, clerk: int) -> None:
        self._clerks().kill(clerk)

    def recovered(self) -> list[int]:
        if self.clerks is None:
            return []
        out, self.clerks.restarted = self.clerks.restarted, []
        return out

    # ---------------------------------------------------------------- mode
    def set_mode(self, mode: str) -> None:
        """Move the accounts from the shared block to their clerks, or back."""
        if mode == self.mode:
            return
        assert self.ledger is not None
        if mode == "message":
            self._clerks().open_accounts(self.ledger.values())
        else:
            for account, value in self._clerks().balances().items():
                self.ledger[account] = value
            self._cashiers()
        self.mode = mode

    def set_owners(self, clerks: int, clerk_of: tuple[int, ...]) -> None:
        """Stop today's clerks; the next switch to messages starts ``clerks`` owning ``clerk_of``."""
        if self.mode != "shared" or self.setup is None:
            raise RuntimeError("the accounts change owners only while they are in the shared ledger")
        if self.clerks is not None:
            self.clerks.close()
            self.clerks = None
        self.setup = dataclasses.replace(self.setup, clerks=clerks, clerk_of=clerk_of)

    def balances(self) -> list[int]:
        """Return the ledger as it really is: the block, or the clerks' private accounts."""
        assert self.ledger is not None
        ledger = self.ledger.values()
        if self.mode == "message":
            for account, value in self._clerks().balances().items():
                ledger[account] = value
        return ledger

    # ----------------------------------------------------------- for a UI
    def pids(self) -> dict[str, list[int]]:
        """Return the process ids of the running desks and clerks."""
        return {
            "desks": self.cashiers.pids if self.cashiers else [],
            "clerks": self.clerks.pids if self.clerks else [],
        }
