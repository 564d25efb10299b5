"""Clerk processes: one real worker per clerk, owning its accounts in private memory.

A request is ``pickle.dumps((seq, op, account, amount))`` written with
``send_bytes`` into the clerk's mailbox, a one-way pipe: a real copy, and its
size is what the Mailbox panel counts. The clerk sleeps on a second pipe for
orders; when the branch says so (``handle``) it takes the oldest request out of
its mailbox, applies it with the engine's own ``apply_message`` and replies
with ``pickle.dumps((seq, ok, balance))``. Posting a request does not wake the
clerk, so a request and its handling cost the clerk one wake-up, like one
round trip on a raw pipe. At most one request per desk is ever in flight, far
below a pipe's capacity.

Recovery: the pool remembers the last acknowledged balance of every account
and every request not yet acknowledged. A clerk found dead (its pipe at EOF,
its sentinel fired) is started again with those balances, and the
unacknowledged requests are sent again in order. A clerk remembers the
sequence numbers it has answered, so a request that arrives twice is answered
twice but applied once.
"""

from __future__ import annotations

import pickle
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any

from ..engine.backend import Reply, apply_message
from .helpers import CONTEXT, restart_dead_helpers, stop_processes, worker_setup

HANDLE = b"h"
BALANCES = b"b"
LOAD = b"l"
BATCH = b"B"
READY = b"ready"
REMEMBER = 4096
"""Answers a clerk keeps for repeats; a repeat is at most a mailbox old."""


def clerk_main(conn: Connection, mailbox: Connection, log_path: str | None) -> None:
    """Own accounts and answer requests until the order pipe closes."""
    worker_setup(log_path)
    accounts: dict[int, int] = {}
    closed: frozenset[int] = frozenset()
    answered: dict[int, tuple[bool, int]] = {}
    order: deque[int] = deque()
    recv, send = conn.recv_bytes, conn.send_bytes
    loads, dumps = pickle.loads, pickle.dumps

    def apply(seq: int, op: str, account: int, amount: int) -> tuple[bool, int]:
        done = answered.get(seq)
        if done is None:
            done = answered[seq] = apply_message(accounts, closed, op, account, amount)
            order.append(seq)
            if len(order) > REMEMBER:
                del answered[order.popleft()]
        return done

    send(READY)
    while True:
        try:
            data = recv()
        except EOFError:
            break
        head = data[0]
        if data == HANDLE:
            seq, op, account, amount = loads(mailbox.recv_bytes())
            ok, balance = apply(seq, op, account, amount)
            send(dumps((seq, ok, balance)))
        elif head == BATCH[0]:
            send(dumps([(seq, *apply(seq, op, account, amount)) for seq, op, account, amount in loads(data[1:])]))
        elif data == BALANCES:
            send(dumps(accounts))
        elif head == LOAD[0]:
            accounts, closed = loads(data[1:])
            while mailbox.poll():
                mailbox.recv_bytes()
            answered.clear()
            order.clear()
            send(READY)


class ClerkDied(Exception):
    """A clerk's pipe reached EOF: the process is gone."""


class ClerkPool:
    """The clerks' worker processes, their mailboxes, and recovery.

    Args:
        clerks: how many clerks.
        clerk_of: the owner clerk of each account.
        closed: accounts that refuse a transfer's credit.
        log_path: where the workers write.
    """

    def __init__(self, clerks: int, clerk_of: tuple[int, ...], closed: frozenset[int], log_path: str | None) -> None:
        self.clerk_of = clerk_of
        self.closed = closed
        self.log_path = log_path
        self.processes: list[Any] = [None] * clerks
        self.conns: list[Connection | None] = [None] * clerks
        """Orders to each clerk, and its answers."""
        self.mailboxes: list[Connection | None] = [None] * clerks
        """The sending end of each clerk's mailbox."""
        self.acked: dict[int, int] = {}
        """The last acknowledged balance of every account."""
        self.unacked: list[dict[int, tuple[bytes, int]]] = [{} for _ in range(clerks)]
        """Per clerk: sequence number → (the request as it was sent, its account), not yet answered."""
        self.restarted: list[int] = []
        try:
            starting = [self._start(clerk) for clerk in range(clerks)]
            for ends in starting:
                for end in ends:
                    end.close()
            for clerk in range(clerks):
                self._wait_ready(clerk)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ processes
    def _start(self, clerk: int) -> tuple[Connection, Connection]:
        """Start clerk ``clerk``'s process; return the ends the parent must close."""
        restart_dead_helpers()
        parent, child = CONTEXT.Pipe()
        mailbox_out, mailbox_in = CONTEXT.Pipe(duplex=False)
        process = CONTEXT.Process(
            target=clerk_main, args=(child, mailbox_out, self.log_path), name=f"bankgame-clerk-{clerk}", daemon=True
        )
        process.start()
        self.processes[clerk] = process
        self.conns[clerk] = parent
        self.mailboxes[clerk] = mailbox_in
        return child, mailbox_out

    def _wait_ready(self, clerk: int, retry: bool = True) -> None:
        """Wait for clerk ``clerk``'s process to say it is ready; one that dies starting is started once more."""
        conn = self.conns[clerk]
        assert conn is not None
        try:
            ready = wait([conn, self.processes[clerk].sentinel], timeout=30) and conn.recv_bytes() == READY
        except (EOFError, OSError):
            ready = False
        if ready:
            return
        if retry:
            self._replace(clerk, retry=False)
            return
        raise RuntimeError(f"the process of clerk {clerk} did not start (see the workers' log)")

    def _replace(self, clerk: int, retry: bool = True) -> None:
        """Start a new process for ``clerk``, with an empty mailbox."""
        stop_processes([self.processes[clerk]])
        for conn in (self.conns[clerk], self.mailboxes[clerk]):
            if conn is not None:
                conn.close()
        for end in self._start(clerk):
            end.close()
        self._wait_ready(clerk, retry)

    def alive(self, clerk: int) -> bool:
        """Whether clerk ``clerk``'s process is running (its sentinel has not fired)."""
        process = self.processes[clerk]
        return process is not None and not wait([process.sentinel], timeout=0)

    def load(self, clerk: int, balances: dict[int, int]) -> None:
        """Hand clerk ``clerk`` its accounts (private copies) and an empty mailbox."""
        conn = self.conns[clerk]
        assert conn is not None
        try:
            conn.send_bytes(LOAD + pickle.dumps((balances, self.closed)))
            if conn.recv_bytes() != READY:
                raise RuntimeError(f"clerk {clerk} refused its accounts")
        except (EOFError, OSError) as error:
            raise ClerkDied(clerk) from error

    def owned(self, clerk: int) -> list[int]:
        """The accounts clerk ``clerk`` owns."""
        return [a for a, c in enumerate(self.clerk_of) if c == clerk]

    # ------------------------------------------------------------- protocol
    def open_accounts(self, ledger: list[int]) -> None:
        """Give every clerk its accounts from ``ledger``: the start of message mode.

        A clerk that is not running is simply started again (nothing was
        entrusted to it yet, so this is not a recovery).
        """
        self.acked = {a: ledger[a] for a in range(len(self.clerk_of))}
        for clerk in range(len(self.processes)):
            owned = {a: ledger[a] for a in self.owned(clerk)}
            try:
                if not self.alive(clerk):
                    raise ClerkDied(clerk)
                self.load(clerk, owned)
            except ClerkDied:
                self._replace(clerk)
                self.load(clerk, owned)

    def send(self, clerk: int, seq: int, request: tuple) -> int:
        """Copy ``(seq, *request)`` into the clerk's mailbox; return the bytes sent."""
        data = pickle.dumps((seq, *request))
        self.unacked[clerk][seq] = (data, request[1])
        conn = self.mailboxes[clerk]
        try:
            assert conn is not None
            conn.send_bytes(data)
        except OSError:
            pass  # a dead clerk: the request waits in unacked for its restart
        return len(data)

    def handle(self, clerk: int) -> Reply:
        """Have clerk ``clerk`` handle its oldest request; restart it first if it died.

        A dead clerk shows as a broken pipe or an EOF on its order pipe.
        """
        try:
            data = self._handle(clerk)
        except ClerkDied:
            self.recover(clerk)
            data = self._handle(clerk)
        seq, ok, balance = pickle.loads(data)
        request = self.unacked[clerk].pop(seq, None)
        if request is not None:
            self.acked[request[1]] = balance
        return Reply(seq, ok, balance, len(data))

    def _handle(self, clerk: int) -> bytes:
        conn = self.conns[clerk]
        assert conn is not None
        try:
            conn.send_bytes(HANDLE)
            return conn.recv_bytes()
        except (EOFError, OSError) as error:
            raise ClerkDied(clerk) from error

    def batch(self, clerk: int, requests: list[tuple]) -> list[tuple[int, bool, int]]:
        """Send many ``(seq, op, account, amount)`` requests as one copy; return the answers."""
        conn = self.conns[clerk]
        assert conn is not None
        conn.send_bytes(BATCH + pickle.dumps(requests))
        return pickle.loads(conn.recv_bytes())

    def recover(self, clerk: int, noted: bool = True) -> None:
        """Restart a dead clerk with the last acknowledged balances; resend what was not acknowledged.

        Args:
            clerk: which clerk.
            noted: whether the branch hears of it (a clerk that died); a
                rebuild after the forkserver died is not the clerk's doing.
        """
        self._replace(clerk)
        self.load(clerk, {a: self.acked[a] for a in self.owned(clerk)})
        conn = self.mailboxes[clerk]
        assert conn is not None
        for seq in sorted(self.unacked[clerk]):
            conn.send_bytes(self.unacked[clerk][seq][0])
        if noted:
            self.restarted.append(clerk)

    def rebuild(self) -> None:
        """Start every clerk again from the last acknowledged balances (the forkserver that started them died).

        Their handles say they are all gone; a clerk that really died (its
        pipe answers nothing) is recovered as a dead clerk is, and the branch hears of it.
        """
        for clerk in range(len(self.processes)):
            try:
                self._balances(clerk)
                dead = False
            except ClerkDied:
                dead = True
            self.recover(clerk, noted=dead)

    def kill(self, clerk: int) -> None:
        """SIGKILL clerk ``clerk``'s process for real, and reap it."""
        process = self.processes[clerk]
        if process is not None and process.exitcode is None:
            process.kill()
            process.join(5)

    def balances(self) -> dict[int, int]:
        """Return every account as its owner has it, restarting dead clerks first."""
        out: dict[int, int] = {}
        for clerk in range(len(self.processes)):
            try:
                out.update(self._balances(clerk))
            except ClerkDied:
                self.recover(clerk)
                out.update(self._balances(clerk))
        return out

    def _balances(self, clerk: int) -> dict[int, int]:
        conn = self.conns[clerk]
        assert conn is not None
        try:
            conn.send_bytes(BALANCES)
            return pickle.loads(conn.recv_bytes())
        except (EOFError, OSError) as error:
            raise ClerkDied(clerk) from error

    @property
    def pids(self) -> list[int]:
        """The clerks' process ids."""
        return [p.pid if p is not None else 0 for p in self.processes]

    def close(self) -> None:
        """Stop every clerk (terminate, join, kill) and close the pipes."""
        stop_processes(self.processes)
        for conn in (*self.conns, *self.mailboxes):
            if conn is not None:
                conn.close()
        self.processes, self.conns, self.mailboxes = [], [], []
