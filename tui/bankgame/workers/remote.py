"""The second branch's clerk across a TCP socket, behind the engine's backend interface.

``RemoteClerk`` is the branch's side of one remote clerk: it sends each request
the moment the engine sends it (one frame, really copied over the socket), and
asks the clerk to handle its oldest request when the engine says so. The round
trip of that order and its reply is the latency measured per message, in
milliseconds of wall time. (The engine still counts the second branch's
latency in ticks, so that a day replays identically; the milliseconds are what
the socket really took, and are only reported.)

Faults: a connection that breaks, a clerk that dies, or a reply that is not the
one expected (a request lost on the way) all end the same way: reconnect (and
restart a clerk the branch started itself), hand a new clerk the last
acknowledged balances, and send again every request not yet acknowledged, in
order. The clerk applies a sequence number once, so nothing is applied twice.

``NetworkBackend`` runs a local backend for everything else (desks, tickets,
the local clerks) and routes the remote clerks' messages to their sockets.
"""

from __future__ import annotations

import dataclasses
import secrets
import socket
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from ..engine.backend import BackendLost, BackendSetup, InlineBackend, Reply
from ..engine.levels import Mode
from .helpers import CONTEXT, ensure_process_helpers, stop_processes
from .process import ProcessBackend
from .remote_clerk import loopback_main
from .wire import MAX_INT, TAG, AuthError, Channel, WireError, check_reply

ATTEMPTS = 6
"""Tries to reach the clerk again before the day gives up on it."""
IO_TIMEOUT = 10.0
"""Seconds without an answer before the branch treats the connection as lost (a stalled network)."""
LATENCIES = 256
"""Recent per-message latencies kept for the screen (the mean covers every message)."""


class RemoteUnreachable(BackendLost):
    """The remote clerk cannot be reached (after every retry)."""


class LoopbackClerk:
    """A clerk process the level starts itself on 127.0.0.1, and restarts on the same port."""

    def __init__(self, key: bytes, log_path: str | None = None) -> None:
        self.key = key
        self.log_path = log_path or ensure_process_helpers()
        self.port = 0
        self.process: Any = None
        self.start()

    @property
    def address(self) -> tuple[str, int]:
        """Where the clerk listens."""
        return ("127.0.0.1", self.port)

    def start(self) -> None:
        """Start (or start again) the clerk's process and wait until it listens."""
        self.stop()
        ready, child = CONTEXT.Pipe(duplex=False)
        process = CONTEXT.Process(
            target=loopback_main, args=(self.key, self.port, self.log_path, child),
            name="bankgame-remote-clerk", daemon=True,
        )
        process.start()
        child.close()
        self.process = process
        try:
            if not ready.poll(30):
                raise RemoteUnreachable("the remote clerk's process did not start (see the workers' log)")
            self.port = int(ready.recv_bytes())
        except (EOFError, OSError) as error:
            self.stop()
            raise RemoteUnreachable(f"the remote clerk's process did not start ({error})") from error
        except BaseException:
            self.stop()
            raise
        finally:
            ready.close()

    def kill(self) -> None:
        """SIGKILL the clerk's process for real, and reap it."""
        if self.process is not None and self.process.exitcode is None:
            self.process.kill()
            self.process.join(5)

    def stop(self) -> None:
        """Stop the process (terminate, join, kill)."""
        if self.process is not None:
            stop_processes([self.process])
            self.process = None

    @property
    def pid(self) -> int:
        """The clerk's process id (0 if none)."""
        return self.process.pid if self.process is not None else 0


class RemoteClerk:
    """The branch's side of one clerk reached over TCP.

    Args:
        address: ``(host, port)`` of the clerk.
        key: the shared key.
        loopback: the clerk's process, when the branch started it itself.
    """

    def __init__(self, address: tuple[str, int], key: bytes, loopback: LoopbackClerk | None = None) -> None:
        self.address = address
        self.key = key
        self.loopback = loopback
        self.channel: Channel | None = None
        self.epoch = ""
        self.acked: dict[int, int] = {}
        """The last acknowledged balance of each account this clerk owns."""
        self.closed: frozenset[int] = frozenset()
        self.unacked: dict[int, tuple[str, int, int]] = {}
        """Sequence number → request, sent and not yet answered (in sending order)."""
        self.latencies: deque[tuple[int, float]] = deque(maxlen=LATENCIES)
        """``(seq, milliseconds)`` of recent round trips."""
        self.messages = 0
        self.total_ms = 0.0
        self.restarts = 0
        """Times a new clerk was found (or started) and loaded again."""
        self.reconnects = 0
        """Times the same clerk was reached again over a new connection."""
        self.resent = 0
        self.recovered = False
        self.lose = 0
        """Requests still to be lost on the way (a fault the tests inject)."""

    # ------------------------------------------------------------ connection
    def connect(self) -> dict[str, Any]:
        """Open an authenticated connection; return the clerk's hello.

        Raises:
            AuthError: the clerk does not share our key (or we do not share its).
            OSError: nobody answers at the address.
        """
        self.drop()
        sock = socket.create_connection(self.address, timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        channel = Channel(sock, self.key, server=False, timeout=IO_TIMEOUT)
        try:
            channel.handshake()
        except EOFError as error:  # the clerk hung up on our answer: it refused our key
            channel.close()
            raise AuthError("the clerk closed the connection during the handshake (a different key?)") from error
        except BaseException:
            channel.close()
            raise
        self.channel = channel
        return self._ask({"op": "hello"}, {"clerk", "loaded"})

    def drop(self) -> None:
        """Close the connection (the next use reconnects)."""
        if self.channel is not None:
            self.channel.close()
            self.channel = None

    def _ask(self, obj: dict[str, Any], keys: set[str]) -> dict[str, Any]:
        assert self.channel is not None
        self.channel.send(obj)
        return check_reply(self.channel.recv()[0], keys)

    def open(self, accounts: dict[int, int], closed: frozenset[int]) -> None:
        """Connect and hand the clerk its accounts: the start of the day."""
        self.acked = dict(accounts)
        self.closed = closed
        hello = self.connect()
        self._load(hello)

    def _load(self, hello: dict[str, Any]) -> None:
        self._ask({"op": "load", "accounts": {str(a): b for a, b in self.acked.items()},
                   "closed": sorted(self.closed)}, {"ok"})
        self.epoch = str(hello["clerk"])

    def _recover(self) -> None:
        """Reach the clerk again; load a new one; send every unacknowledged request again."""
        try:
            hello = self.connect()
        except AuthError:
            raise
        except OSError:
            if self.loopback is None:
                raise
            self.loopback.start()  # our own clerk died: start it again, on the same port
            hello = self.connect()
        if hello["clerk"] != self.epoch or not hello["loaded"]:
            self._load(hello)  # a new clerk: the last acknowledged balances
            self.restarts += 1
            self.recovered = True  # the branch counts a restarted clerk; a reconnection is the network's
        else:
            self._ask({"op": "resume"}, {"ok"})  # the same clerk: an empty mailbox, its accounts kept
            self.reconnects += 1
        assert self.channel is not None
        for seq, request in self.unacked.items():
            self.channel.send(_request(seq, request))
            self.resent += 1

    def _retrying(self, call: Any) -> Any:
        error: BaseException | None = None
        for attempt in range(ATTEMPTS):
            try:
                if self.channel is None:
                    self._recover()
                return call()
            except AuthError:
                raise
            except (OSError, EOFError, WireError, _NotExpected) as failure:
                error = failure
                self.drop()
                if attempt >= 2:
                    time.sleep(0.05 * attempt)  # a clerk being restarted by hand needs a moment
        host, port = self.address
        raise RemoteUnreachable(f"the remote clerk at {host}:{port} does not answer ({error})")

    # -------------------------------------------------------------- messages
    def send(self, seq: int, request: tuple) -> int:
        """Send one request; return the bytes put on the wire."""
        kind, account, amount = request
        self.unacked[seq] = (kind, account, amount)
        frame = _request(seq, self.unacked[seq])
        if self.lose:  # lost on the way: the branch notices at the handling
            self.lose -= 1
            return _frame_size(frame)
        if self.channel is None:
            return _frame_size(frame)  # sent again when the connection is back
        try:
            return self.channel.send(frame)
        except OSError:
            self.drop()
            return _frame_size(frame)

    def handle(self) -> Reply:
        """Have the clerk handle its oldest request; the round trip is measured."""
        expected = next(iter(self.unacked))

        def ask() -> tuple[dict[str, Any], int, float]:
            assert self.channel is not None
            start = time.perf_counter()
            self.channel.send({"op": "handle"})
            obj, size = self.channel.recv()
            took = (time.perf_counter() - start) * 1000
            reply = check_reply(obj, {"seq", "ok", "balance"})
            if reply["seq"] != expected or type(reply["ok"]) is not bool or type(reply["balance"]) is not int \
                    or abs(reply["balance"]) >= MAX_INT:
                raise _NotExpected(f"answered {reply['seq']!r}, expected #{expected}")
            return reply, size, took

        reply, size, took = self._retrying(ask)
        _, account, _ = self.unacked.pop(expected)
        self.acked[account] = reply["balance"]
        self.messages += 1
        self.total_ms += took
        self.latencies.append((expected, took))
        return Reply(expected, reply["ok"], reply["balance"], size, wall_ms=took)

    def balances(self) -> dict[int, int]:
        """Return the clerk's accounts as it has them."""
        reply = self._retrying(lambda: self._ask({"op": "balances"}, {"accounts"}))
        accounts = reply["accounts"]
        if not isinstance(accounts, dict) or set(accounts) != {str(a) for a in self.acked}:
            raise WireError("the clerk answered with accounts it does not own")
        return {int(a): int(b) for a, b in accounts.items()}

    def attach(self, block: str) -> dict[str, Any]:
        """Ask the clerk to open the branch's shared-memory block by name; return what happened."""
        return self._retrying(lambda: self._ask({"op": "attach", "block": block}, {"attached", "text"}))

    def kill(self) -> None:
        """A fault: SIGKILL our own clerk's process, or drop the connection to someone else's."""
        if self.loopback is not None:
            self.loopback.kill()
        else:
            self.drop()

    def close(self) -> None:
        """Say goodbye, close the connection, and stop our own clerk's process."""
        if self.channel is not None:
            try:
                self.channel.send({"op": "bye"})
            except OSError:
                pass
        self.drop()
        if self.loopback is not None:
            self.loopback.stop()


class _NotExpected(Exception):
    """The clerk answered a different request: one was lost on the way."""


def _request(seq: int, request: tuple[str, int, int]) -> dict[str, Any]:
    kind, account, amount = request
    return {"op": "send", "seq": seq, "kind": kind, "account": account, "amount": amount}


def _frame_size(obj: dict[str, Any]) -> int:
    import json

    return 4 + TAG + len(json.dumps(obj, separators=(",", ":")).encode())


class NetworkBackend:
    """A local backend for the branch, and some of its clerks over TCP.

    Args:
        local: runs the desks, the tickets and the local clerks.
        remotes: clerk index → its remote clerk.
    """

    def __init__(self, local: InlineBackend | ProcessBackend, remotes: dict[int, RemoteClerk],
                 again: Callable[[], NetworkBackend] | None = None) -> None:
        self.local = local
        self.remotes = remotes
        self._again = again
        """Makes the same backend anew (``network_backend`` with the same arguments)."""
        self.name = f"{local.name}+tcp"
        self.shared_block = ""
        """What happened when the remote clerk tried the branch's shared-memory block."""

    def open(self, setup: BackendSetup) -> None:
        local_clerks = setup.clerks - len(self.remotes)
        # The local backend keeps a stand-in copy of the remote accounts it never uses.
        clerk_of = tuple(c if c < local_clerks else c % max(1, local_clerks) for c in setup.clerk_of)
        self.local.open(dataclasses.replace(setup, clerks=max(1, local_clerks), clerk_of=clerk_of))
        try:
            for index, remote in self.remotes.items():
                owned = {a: setup.balances[a] for a, c in enumerate(setup.clerk_of) if c == index}
                remote.open(owned, setup.closed)
            self.shared_block = self._try_shared_block()
        except BaseException:
            self.close()
            raise

    def fresh(self) -> NetworkBackend:
        """Return a new backend reaching the same clerks (or new loopback ones), for a day played again."""
        if self._again is None:
            raise RuntimeError("this network backend was not made by network_backend: it cannot be made again")
        return self._again()

    def _try_shared_block(self) -> str:
        ledger = self.local.ledger if isinstance(self.local, ProcessBackend) else None
        if ledger is None:
            return "this branch runs in one process: it has no shared-memory block to offer the clerk"
        remote = next(iter(self.remotes.values()))
        answer = remote.attach(ledger.name)
        text = answer["text"]
        if not isinstance(text, str):
            raise WireError("the clerk's answer about the shared block is not text")
        # Shown on screen: printable characters only, and not a novel.
        return "".join(c for c in text if c.isprintable())[:300]

    def read(self, desk: int, slot: int) -> int:
        return self.local.read(desk, slot)

    def write(self, desk: int, slot: int, value: int) -> None:
        self.local.write(desk, slot, value)

    def try_take(self, desk: int, lock: int) -> bool:
        return self.local.try_take(desk, lock)

    def give_back(self, desk: int, lock: int) -> None:
        self.local.give_back(desk, lock)

    def send(self, clerk: int, seq: int, request: tuple) -> int:
        if clerk in self.remotes:
            return self.remotes[clerk].send(seq, request)
        return self.local.send(clerk, seq, request)

    def handle(self, clerk: int) -> Reply:
        if clerk in self.remotes:
            return self.remotes[clerk].handle()
        return self.local.handle(clerk)

    def kill_clerk(self, clerk: int) -> None:
        if clerk in self.remotes:
            self.remotes[clerk].kill()
        else:
            self.local.kill_clerk(clerk)

    def recovered(self) -> list[int]:
        out = self.local.recovered()
        for index, remote in self.remotes.items():
            if remote.recovered:
                remote.recovered = False
                out.append(index)
        return out

    def set_mode(self, mode: Mode) -> None:
        if mode == "shared":
            # The local side holds only stand-ins for the remote accounts: hand the real ones back.
            values = {a: v for remote in self.remotes.values() for a, v in remote.balances().items()}
            self.local.set_mode("shared")
            for account, value in values.items():
                self.local.write(0, account, value)
        else:
            self.local.set_mode(mode)
            ledger = self.local.balances()
            for remote in self.remotes.values():
                remote.open({a: ledger[a] for a in remote.acked}, remote.closed)

    def set_owners(self, clerks: int, clerk_of: tuple[int, ...]) -> None:
        """In shared mode: ``clerks`` clerks from the next switch to messages, the remote ones last."""
        local = clerks - len(self.remotes)
        self.remotes = {local + i: remote for i, remote in enumerate(self.remotes.values())}
        for index, remote in self.remotes.items():
            remote.acked = {a: 0 for a, c in enumerate(clerk_of) if c == index}  # loaded at the switch
        stand_in = tuple(c if c < local else c % max(1, local) for c in clerk_of)
        self.local.set_owners(max(1, local), stand_in)

    def balances(self) -> list[int]:
        ledger = self.local.balances()
        for remote in self.remotes.values():
            for account, value in remote.balances().items():
                ledger[account] = value
        return ledger

    def close(self) -> None:
        for remote in self.remotes.values():
            remote.close()
        self.local.close()

    def remote_stats(self) -> dict[str, float | str]:
        """Messages handled over the network, their mean round trip in milliseconds (wall time),
        the connections made again to the same clerk, and the requests sent again."""
        messages = sum(r.messages for r in self.remotes.values())
        total = sum(r.total_ms for r in self.remotes.values())
        return {
            "messages": messages, "mean_latency_ms": round(total / messages, 3) if messages else 0.0,
            "reconnects": sum(r.reconnects for r in self.remotes.values()),
            "resent": sum(r.resent for r in self.remotes.values()),
            "shared_memory": self.shared_block,
        }

    def latency_of(self, seq: int) -> float | None:
        """The measured round trip of message ``seq`` (if recent), in milliseconds."""
        for remote in self.remotes.values():
            for s, ms in reversed(remote.latencies):
                if s == seq:
                    return ms
        return None

    def take_notices(self) -> list[str]:
        """What the local backend has to tell the player (a helper process restarted...)."""
        return self.local.take_notices()

    def pids(self) -> dict[str, list[int]]:
        """Process ids of the desks, the local clerks and the remote clerks the branch started."""
        pids = self.local.pids() if isinstance(self.local, ProcessBackend) else {}
        pids["remote"] = [r.loopback.pid for r in self.remotes.values() if r.loopback is not None]
        return pids


def network_backend(local: InlineBackend | ProcessBackend, first_remote: int, count: int, remote: str | None = None,
                    key_file: str | None = None) -> NetworkBackend:
    """Return ``local`` with clerks ``first_remote ..`` reached over TCP.

    Args:
        local: the branch's own backend.
        first_remote: the index of the first remote clerk.
        count: how many remote clerks.
        remote: ``HOST:PORT`` of a running ``bankgame clerk`` (one remote clerk
            only); ``None`` starts a clerk process per remote clerk on loopback.
        key_file: the shared key's file (default: beside the saved progress).
    """
    from .remote_clerk import parse_address
    from .wire import load_key

    # A clerk the level starts itself needs no saved key: a fresh one for the day is shared with it alone.
    key = load_key(key_file) if remote is not None or key_file is not None else secrets.token_bytes(32)
    remotes: dict[int, RemoteClerk] = {}
    try:
        for index in range(first_remote, first_remote + count):
            if remote is not None:
                if count != 1:
                    raise ValueError("--remote names one clerk; this level has several remote clerks")
                remotes[index] = RemoteClerk(parse_address(remote), key)
            else:
                loopback = LoopbackClerk(key)
                remotes[index] = RemoteClerk(loopback.address, key, loopback)
    except BaseException:
        for clerk in remotes.values():
            clerk.close()
        raise
    def again() -> NetworkBackend:
        return network_backend(local.fresh(), first_remote, count, remote, key_file)

    return NetworkBackend(local, remotes, again)
