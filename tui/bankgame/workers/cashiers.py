"""Cashier processes: one real worker per desk, working on a shared-memory ledger.

Each cashier attaches to the branch's ``multiprocessing.shared_memory`` block
(one int64 per slot) and does exactly one thing when told, over its pipe: read
a slot, write a slot, try a ticket (a real ``multiprocessing`` lock, or a
semaphore for a ticket with several permits, taken without blocking, so a
waiting cashier shows as waiting) or give one back.
The engine tells them in the scheduler's order and waits for each answer, so a
lost update on screen is a lost update that happened in real shared memory,
between real processes, in an order that replays exactly.
"""

from __future__ import annotations

import struct
from multiprocessing.connection import Connection, wait
from multiprocessing.shared_memory import SharedMemory
from typing import Any

from .helpers import CONTEXT, restart_dead_helpers, stop_processes, worker_setup
from .leftovers import block_bytes, int64s, new_block

READ, WRITE, TAKE, GIVE = b"r"[0], b"w"[0], b"t"[0], b"g"[0]
COMMAND = struct.Struct("<Bqq")
"""One command: operation, slot or lock, value."""
ANSWER = struct.Struct("<q")
READY = b"ready"


class SharedLedger:
    """The ledger as a real shared-memory block of int64 slots.

    Slots are read and written with ``struct`` straight on the block's buffer
    rather than through a cast view: a view is one more export of the block,
    and an interrupt (Ctrl+C) between making it and releasing it would leave
    the block unable to close at exit ("cannot close exported pointers exist").
    """

    def __init__(self, balances: tuple[int, ...] | list[int]) -> None:
        self.slots = len(balances)
        self.block = new_block(max(8, 8 * self.slots))
        ledger_struct(self.slots).pack_into(block_bytes(self.block), 0, *balances)

    @property
    def name(self) -> str:
        """The block's name, for workers to attach to."""
        return self.block.name

    def __getitem__(self, slot: int) -> int:
        value: int = SLOT.unpack_from(block_bytes(self.block), 8 * slot)[0]
        return value

    def __setitem__(self, slot: int, value: int) -> None:
        SLOT.pack_into(block_bytes(self.block), 8 * slot, value)

    def values(self) -> list[int]:
        """Return every slot."""
        return list(ledger_struct(self.slots).unpack_from(block_bytes(self.block), 0))

    def close(self) -> None:
        """Release and unlink the block."""
        self.block.close()
        try:
            self.block.unlink()
        except FileNotFoundError:  # pragma: no cover - already gone
            pass


SLOT = struct.Struct("q")
"""One slot of the shared ledger: a signed 64-bit integer (cents)."""


def ledger_struct(count: int) -> struct.Struct:
    """The whole ledger of ``count`` slots."""
    return struct.Struct(f"{count}q")


def cashier_main(conn: Connection, block: str, locks: list[Any], log_path: str | None) -> None:
    """Serve one desk's reads, writes and tickets until the pipe closes."""
    worker_setup(log_path)
    memory = SharedMemory(name=block)
    ledger = int64s(memory)
    unpack, answer = COMMAND.unpack, ANSWER.pack
    recv, send = conn.recv_bytes, conn.send_bytes
    send(READY)
    try:
        while True:
            try:
                op, index, value = unpack(recv())
            except EOFError:
                break
            if op == READ:
                send(answer(ledger[index]))
            elif op == WRITE:
                ledger[index] = value
                send(b"")
            elif op == TAKE:
                send(b"\1" if locks[index].acquire(False) else b"\0")
            elif op == GIVE:
                locks[index].release()
                send(b"")
    finally:
        ledger.release()
        memory.close()


def free_permits(lock: Any, permits: int) -> int:
    """Return how many of ``lock``'s permits are free now (taken without blocking, then given back)."""
    free = 0
    while free < permits and lock.acquire(False):
        free += 1
    for _ in range(free):
        lock.release()
    return free


class CashierLost(RuntimeError):
    """A cashier's process is gone in the middle of a day."""


class CashierPool:
    """The desks' worker processes and the pipes that drive them, lock-step.

    A cashier that dies is restarted on its next command, which is then
    retried: reads and writes are idempotent, and a ticket it was taking or
    giving back is settled from the lock's real state, which nobody else can
    change in between because cashiers act only when told.
    """

    def __init__(self, desks: int, block: str, locks: list[Any], permits: list[int], log_path: str | None) -> None:
        self.block, self.locks, self.log_path = block, locks, log_path
        self.permits = permits
        """Each lock's permits (1: a ``Lock``; more: a ``BoundedSemaphore``)."""
        self.processes: list[Any] = [None] * desks
        self.conns: list[Connection] = [None] * desks  # type: ignore[list-item]
        self.taken = [0] * len(locks)
        """How many permits of each lock are taken, as the cashiers' answers said
        (who holds them is the engine's record)."""
        self.restarts = 0
        try:
            for desk in range(desks):
                self._start(desk, wait_ready=False)
            for desk in range(desks):
                self._wait_ready(desk)
        except BaseException:
            self.close()  # none of them outlives a pool that could not start
            raise

    def _start(self, desk: int, wait_ready: bool = True) -> None:
        restart_dead_helpers()  # a dead forkserver would otherwise be started again with the terminal as its stdout
        parent, child = CONTEXT.Pipe()
        process = CONTEXT.Process(
            target=cashier_main, args=(child, self.block, self.locks, self.log_path),
            name=f"bankgame-cashier-{desk}", daemon=True,
        )
        process.start()
        child.close()
        self.processes[desk], self.conns[desk] = process, parent
        if wait_ready:
            self._wait_ready(desk)

    def _wait_ready(self, desk: int, retry: bool = True) -> None:
        """Wait for desk ``desk``'s process to say it is ready; one that dies starting is started once more."""
        conn = self.conns[desk]
        try:
            ready = wait([conn, self.processes[desk].sentinel], timeout=30) and conn.recv_bytes() == READY
        except (EOFError, OSError):
            ready = False
        if ready:
            return
        if retry:
            stop_processes([self.processes[desk]])
            conn.close()
            self._start(desk, wait_ready=False)
            self._wait_ready(desk, retry=False)
            return
        self.close()
        raise CashierLost(f"the process of desk {desk} did not start (see the workers' log)")

    def _ask(self, desk: int, op: int, index: int, value: int = 0) -> bytes:
        command = COMMAND.pack(op, index, value)
        try:
            self.conns[desk].send_bytes(command)
            return self.conns[desk].recv_bytes()
        except (EOFError, OSError):
            pass
        self._restart(desk)
        settled = self._settle(desk, op, index)
        if settled is not None:
            return settled
        try:
            self.conns[desk].send_bytes(command)
            return self.conns[desk].recv_bytes()
        except (EOFError, OSError) as error:
            raise CashierLost(f"the process of desk {desk} died again right after a restart") from error

    def rebuild(self) -> None:
        """Start every desk's process again, keeping the tickets they hold.

        Used when the forkserver that started them died: the processes may
        still run, but their handles say they are gone. The old cashiers
        leave when their pipes close; the block and the locks are this
        process's, so the new ones find the ledger and the tickets as they were.
        """
        for conn in self.conns:
            conn.close()
        stop_processes(self.processes)
        for desk in range(len(self.processes)):
            self._start(desk, wait_ready=False)
        for desk in range(len(self.processes)):
            self._wait_ready(desk)

    def _restart(self, desk: int) -> None:
        stop_processes([self.processes[desk]])
        self.conns[desk].close()
        self._start(desk)
        self.restarts += 1

    def _settle(self, desk: int, op: int, index: int) -> bytes | None:
        """Answer a ticket command the dead cashier may have carried out, or ``None`` to retry it.

        The lock's real state is compared with what the answers said: one
        permit more taken means the dead cashier took it, one fewer that it
        gave it back. Otherwise the command is retried by the new process
        (which then takes the ticket, or really finds it taken).
        """
        if op not in (TAKE, GIVE):
            return None
        taken = self.permits[index] - free_permits(self.locks[index], self.permits[index])
        if op == TAKE and taken > self.taken[index]:
            return b"\1"
        if op == GIVE and taken < self.taken[index]:
            return b""
        return None

    def read(self, desk: int, slot: int) -> int:
        """Desk ``desk`` reads ``slot`` of the shared block."""
        return ANSWER.unpack(self._ask(desk, READ, slot))[0]

    def write(self, desk: int, slot: int, value: int) -> None:
        """Desk ``desk`` writes ``value`` into ``slot`` of the shared block."""
        self._ask(desk, WRITE, slot, value)

    def try_take(self, desk: int, lock: int) -> bool:
        """Desk ``desk`` tries lock ``lock`` without blocking."""
        taken = self._ask(desk, TAKE, lock) == b"\1"
        if taken:
            self.taken[lock] += 1
        return taken

    def give_back(self, desk: int, lock: int) -> None:
        """Desk ``desk`` releases lock ``lock``."""
        self._ask(desk, GIVE, lock)
        self.taken[lock] -= 1

    @property
    def pids(self) -> list[int]:
        """The desks' process ids."""
        return [p.pid for p in self.processes]

    def close(self) -> None:
        """Stop every cashier (terminate, join, kill) and close the pipes."""
        stop_processes([p for p in self.processes if p is not None])
        for conn in self.conns:
            if conn is not None:
                conn.close()
        self.processes, self.conns = [], []
