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

The game's helper processes can die too (someone SIGKILLs the forkserver or
the resource tracker). Every ``CHECK_EVERY`` calls, and before anything that
trusts a process handle, the backend looks: a dead helper is started again
(``restart_dead_helpers``); a new forkserver means every worker is rebuilt
from what this side knows (the block, the locks, the acknowledged balances
and the unacknowledged messages). If real processes cannot come back, the
day goes on in-process from that same state. Either way the report does not
change, and ``take_notices()`` says what happened.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from typing import TypeVar

from ..engine.backend import BackendSetup, InlineBackend, Reply
from ..engine.levels import Mode
from .cashiers import CashierPool, SharedLedger
from .clerks import ClerkDied, ClerkPool
from .helpers import ensure_process_helpers, helper_pids, helpers_alive, make_locks, restart_dead_helpers

PoolT = TypeVar("PoolT", CashierPool, ClerkPool)

CHECK_EVERY = 64
"""Calls between two looks at the helpers (two system calls each time)."""
FAILURES = (RuntimeError, OSError, EOFError, ClerkDied)
"""What real workers raise when they cannot carry out a call (e.g. ``CashierLost``)."""


class ProcessBackend:
    """Cashier processes on a shared-memory ledger, clerk processes for messages.

    Each pool starts the first time its mode is used and then stays, so a
    mode switch costs no start-up the second time. The block always holds
    the rate board; in message mode the accounts live with their clerks.

    Args:
        log_path: where the workers write; by default the helpers' log.
    """

    name = "process"
    shared_block = ""

    def __init__(self, log_path: str | None = None) -> None:
        self.log_path = log_path
        self.setup: BackendSetup | None = None
        self.ledger: SharedLedger | None = None
        self.locks: list = []
        self.cashiers: CashierPool | None = None
        self.clerks: ClerkPool | None = None
        self.mode = "shared"
        self.fallback: InlineBackend | None = None
        """The in-process backend carrying on the day when real processes could not come back."""
        self.notices: list[str] = []
        self._helpers: tuple[int | None, int | None] = (None, None)
        self._calls = 0
        self._restarted: list[int] = []

    def fresh(self) -> ProcessBackend | InlineBackend:
        """A new backend of the kind this one is now: real processes, or in-process once they could not come back."""
        return InlineBackend() if self.fallback is not None else ProcessBackend()

    # ---------------------------------------------------------------- life
    def open(self, setup: BackendSetup) -> None:
        """Create the shared block and the tickets; start the workers of the opening mode.

        If real processes cannot start, the day opens in-process (``fallback``) and a notice says why.
        """
        self.setup = setup
        self.mode = "shared"
        try:
            log = ensure_process_helpers()
            self._helpers = helper_pids()
            if self.log_path is None:
                self.log_path = log
            self.ledger = SharedLedger(setup.balances)
            self.locks = make_locks(setup.locks)
            if setup.mode == "message":
                self.set_mode("message")
            else:
                self._cashiers()
        except FAILURES as error:
            self._fall_back(error)
        except BaseException:
            self.close()
            raise

    def _cashiers(self) -> CashierPool:
        if self.cashiers is None:
            setup, ledger = self.setup, self.ledger
            assert setup is not None and ledger is not None
            self.cashiers = self._start_pool(lambda: CashierPool(
                setup.desks, ledger.name, self.locks, [lock.permits for lock in setup.locks], self.log_path))
        return self.cashiers

    def _clerks(self) -> ClerkPool:
        if self.clerks is None:
            setup = self.setup
            assert setup is not None
            self.clerks = self._start_pool(lambda: ClerkPool(setup.clerks, setup.clerk_of, setup.closed, self.log_path))
        return self.clerks

    def _start_pool(self, start: Callable[[], PoolT]) -> PoolT:
        """Start a pool; if a helper died while it started (the forkserver mid-fork), start them and try once more."""
        try:
            return start()
        except FAILURES:
            if helpers_alive() and helper_pids() == self._helpers:
                raise
            restart_dead_helpers()  # the next look (heal) rebuilds the other pool's workers
            return start()

    def close(self) -> None:
        """Stop every worker (terminate → join(2) → kill) and free the block and the locks."""
        if self.ledger is not None or self.locks:
            # A new resource tracker must know the names before they are released;
            # closing never fails over it (the names are unlinked all the same).
            with contextlib.suppress(Exception):
                restart_dead_helpers()
        self._close_real()
        self.fallback = None

    def _close_real(self) -> None:
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

    # ---------------------------------------------------- helpers that die
    def _check(self) -> None:
        self._calls += 1
        if self._calls % CHECK_EVERY == 0:
            self.heal()

    def heal(self) -> None:
        """Start again any helper that died; rebuild the workers if the forkserver is new.

        If that fails, the day goes on in-process (``fallback``).
        """
        if self.fallback is not None or self.setup is None:
            return
        try:
            restart_dead_helpers()
            now = helper_pids()
            server, tracker = (new != old for new, old in zip(now, self._helpers))
            if server:
                workers = self._rebuild()
            self._helpers = now
        except Exception as error:  # noqa: BLE001 - whatever stops real processes, the day goes on
            self._fall_back(error)
            return
        if tracker:
            self.notices.append(
                "The game's resource tracker (the helper that frees shared memory and semaphores if the game "
                "dies) was killed. It was started again and told of this day's shared memory and semaphores."
            )
        if server:
            self.notices.append(
                "The game's forkserver (the helper that starts worker processes) was killed. It was started "
                f"again and the day's {workers} worker process{'es' * (workers != 1)} were rebuilt from the "
                "branch's state; nothing was lost."
            )

    def _rebuild(self) -> int:
        """Start the workers of the current mode again; stop the idle pool (it starts again when needed)."""
        busy: CashierPool | ClerkPool | None
        if self.mode == "shared":
            if self.clerks is not None:
                self._restarted += self.clerks.restarted
                self.clerks.close()
                self.clerks = None
            busy = self.cashiers
        else:
            if self.cashiers is not None:
                self.cashiers.close()
                self.cashiers = None
            busy = self.clerks
        if busy is None:
            return 0
        busy.rebuild()
        return len(busy.processes)

    def _fall_back(self, error: BaseException) -> None:
        """Carry on the day in this process, from the state the real backend leaves."""
        assert self.setup is not None
        setup = self.setup
        ledger = self.ledger.values() if self.ledger is not None else list(setup.balances)
        taken = list(self.cashiers.taken) if self.cashiers is not None else [0] * len(setup.locks)
        acked: dict[int, int] = {}
        unacked: list[dict[int, bytes]] = [{} for _ in range(setup.clerks)]
        if self.clerks is not None:
            acked = dict(self.clerks.acked)
            unacked = [{seq: data for seq, (data, _) in pending.items()} for pending in self.clerks.unacked]
            self._restarted += self.clerks.restarted
        with contextlib.suppress(Exception):  # what is left of the real backend is beyond use
            self._close_real()
        fallback = InlineBackend()
        fallback.resume(setup, ledger, taken, self.mode, acked, unacked)
        self.fallback = fallback
        self.name = "inline"
        self.notices.append(
            f"Real worker processes could not be started ({error}). The day goes on with the "
            "in-process backend: same rules, same state, one process."
        )

    def take_notices(self) -> list[str]:
        """Return what happened to the game's processes since the last call, in sentences."""
        out, self.notices = self.notices, []
        return out

    def remote_stats(self) -> None:
        return None  # its clerks are processes on this machine, reached by pipes

    # -------------------------------------------------------- shared state
    def read(self, desk: int, slot: int) -> int:
        self._check()
        if self.fallback is None:
            try:
                return self._cashiers().read(desk, slot)
            except FAILURES as error:
                self._fall_back(error)
        return self.fallback.read(desk, slot)  # type: ignore[union-attr]

    def write(self, desk: int, slot: int, value: int) -> None:
        self._check()
        if self.fallback is None:
            try:
                return self._cashiers().write(desk, slot, value)
            except FAILURES as error:
                self._fall_back(error)
        self.fallback.write(desk, slot, value)  # type: ignore[union-attr]

    def try_take(self, desk: int, lock: int) -> bool:
        self._check()
        if self.fallback is None:
            try:
                return self._cashiers().try_take(desk, lock)
            except FAILURES as error:
                self._fall_back(error)
        return self.fallback.try_take(desk, lock)  # type: ignore[union-attr]

    def give_back(self, desk: int, lock: int) -> None:
        self._check()
        if self.fallback is None:
            try:
                return self._cashiers().give_back(desk, lock)
            except FAILURES as error:
                self._fall_back(error)
        self.fallback.give_back(desk, lock)  # type: ignore[union-attr]

    # ----------------------------------------------------- message passing
    def send(self, clerk: int, seq: int, request: tuple) -> int:
        self._check()
        if self.fallback is None:
            try:
                return self._clerks().send(clerk, seq, request)
            except FAILURES as error:
                self._fall_back(error)
        return self.fallback.send(clerk, seq, request)  # type: ignore[union-attr]

    def handle(self, clerk: int) -> Reply:
        self._check()
        if self.fallback is None:
            try:
                return self._clerks().handle(clerk)
            except FAILURES as error:
                self._fall_back(error)
        return self.fallback.handle(clerk)  # type: ignore[union-attr]

    def kill_clerk(self, clerk: int) -> None:
        self.heal()  # a handle from a dead forkserver cannot kill
        if self.fallback is None:
            try:
                return self._clerks().kill(clerk)
            except FAILURES as error:
                self._fall_back(error)
        self.fallback.kill_clerk(clerk)  # type: ignore[union-attr]

    def recovered(self) -> list[int]:
        out, self._restarted = self._restarted, []
        if self.clerks is not None:
            out, self.clerks.restarted = out + self.clerks.restarted, []
        if self.fallback is not None:
            out += self.fallback.recovered()
        return out

    # ---------------------------------------------------------------- mode
    def set_mode(self, mode: Mode) -> None:
        """Move the accounts from the shared block to their clerks, or back."""
        if mode == self.mode:
            return
        self.heal()
        if self.fallback is None:
            try:
                return self._set_mode(mode)
            except FAILURES as error:
                self._fall_back(error)
        self.fallback.set_mode(mode)  # type: ignore[union-attr]
        self.mode = mode

    def _set_mode(self, mode: str) -> None:
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
        if self.fallback is None:
            try:
                return self._balances()
            except FAILURES as error:
                self._fall_back(error)
        return self.fallback.balances()  # type: ignore[union-attr]

    def _balances(self) -> list[int]:
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
