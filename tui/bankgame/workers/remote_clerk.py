"""A clerk reached over TCP: ``bankgame clerk --listen HOST:PORT``.

It owns one branch's accounts in its own memory and answers the wire format of
``bankgame.workers.wire``: nothing it reads is unpickled, every frame is size
limited, authenticated and checked field by field. A connection that sends
anything else is refused, logged and closed, and the clerk goes on serving.

Each connection has its own thread (so a peer that stalls in the handshake
delays nobody); one lock guards the accounts. The mailbox holds the requests
sent and not yet handled; ``handle`` answers the oldest. The clerk remembers
the answers it gave by sequence number, so a request sent again after a lost
reply is answered again but applied once.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import threading
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from ..engine.backend import apply_message
from .wire import AuthError, Channel, WireError, check_request

REMEMBER = 4096
"""Answers kept for repeats; a repeat is at most a mailbox old."""
SESSIONS = 16
"""Connections served at once; more are refused (a peer cannot exhaust the clerk's threads)."""


class ClerkServer:
    """One branch's accounts behind a listening socket.

    Args:
        host: the address to listen on.
        port: the TCP port (0: any free one; see ``port``).
        key: the shared key a branch must prove it holds.
        log: called with each line worth logging (refusals, connections).
    """

    def __init__(self, host: str, port: int, key: bytes, log: Callable[[str], None] = print) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.listener = socket.create_server((host, port), family=family, backlog=16)
        self.port: int = self.listener.getsockname()[1]
        self.key = key
        self.log = log
        self.epoch = secrets.token_hex(8)
        """Tells a branch whether it meets the clerk it loaded or a new one."""
        self.lock = threading.Lock()
        self.loaded = False
        self.accounts: dict[int, int] = {}
        self.closed: frozenset[int] = frozenset()
        self.mailbox: deque[tuple[int, str, int, int]] = deque()
        self.answered: dict[int, tuple[bool, int]] = {}
        self._order: deque[int] = deque()
        self.refused = 0
        """Connections refused (bad key, garbage, oversized frames)."""
        self._stopping = False
        self._sessions = threading.BoundedSemaphore(SESSIONS)

    # ------------------------------------------------------------- serving
    def serve_forever(self) -> None:
        """Accept branches until ``stop``."""
        while not self._stopping:
            try:
                sock, address = self.listener.accept()
            except OSError:
                break
            if not self._sessions.acquire(blocking=False):
                self._refuse(f"{address[0]}:{address[1]}", f"{SESSIONS} connections are open already")
                sock.close()
                continue
            threading.Thread(target=self._serve_one, args=(sock, address), name="clerk-session", daemon=True).start()

    def _serve_one(self, sock: socket.socket, address: Any) -> None:
        try:
            self._session(sock, address)
        finally:
            self._sessions.release()

    def stop(self) -> None:
        """Stop listening."""
        self._stopping = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()

    def _session(self, sock: socket.socket, address: Any) -> None:
        peer = f"{address[0]}:{address[1]}"
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        channel = Channel(sock, self.key, server=True)
        try:
            channel.handshake()
        except (AuthError, EOFError, OSError) as error:
            self._refuse(peer, f"not authenticated ({error})")
            channel.close()
            return
        self.log(f"branch {peer} connected")
        try:
            while True:
                request = check_request(channel.recv()[0])
                if request["op"] == "bye":
                    break
                answer = self._answer(request)
                if answer is not None:
                    channel.send(answer)
        except WireError as error:
            self._refuse(peer, str(error))
        except (EOFError, OSError):
            self.log(f"branch {peer} disconnected")
        finally:
            channel.close()

    def _refuse(self, peer: str, why: str) -> None:
        with self.lock:
            self.refused += 1
        self.log(f"refused {peer}: {why}")

    # ------------------------------------------------------------ requests
    def _answer(self, request: dict[str, Any]) -> dict[str, Any] | None:
        op = request["op"]
        with self.lock:
            if op == "send":
                if request["account"] not in self.accounts:
                    raise WireError(f"account {request['account']} is not kept by this clerk")
                self.mailbox.append((request["seq"], request["kind"], request["account"], request["amount"]))
                return None  # a request waits in the mailbox; ``handle`` answers it
            if op == "handle":
                if not self.mailbox:
                    return {"error": "the mailbox is empty"}
                seq, kind, account, amount = self.mailbox.popleft()
                ok, balance = self._apply(seq, kind, account, amount)
                return {"seq": seq, "ok": ok, "balance": balance}
            if op == "hello":
                return {"clerk": self.epoch, "loaded": self.loaded}
            if op == "load":
                self.accounts = {int(a): b for a, b in request["accounts"].items()}
                self.closed = frozenset(request["closed"])
                self.mailbox.clear()
                self.answered.clear()
                self._order.clear()
                self.loaded = True
                return {"ok": True}
            if op == "resume":  # the branch sends again what it has not seen answered
                self.mailbox.clear()
                return {"ok": True}
            if op == "balances":
                return {"accounts": {str(a): b for a, b in self.accounts.items()}}
        if op == "attach":
            return attach_block(request["block"])
        raise WireError(f"unexpected request {op!r}")  # pragma: no cover - check_request knows them all

    def _apply(self, seq: int, kind: str, account: int, amount: int) -> tuple[bool, int]:
        done = self.answered.get(seq)
        if done is None:
            done = self.answered[seq] = apply_message(self.accounts, self.closed, kind, account, amount)
            self._order.append(seq)
            if len(self._order) > REMEMBER:
                del self.answered[self._order.popleft()]
        return done


def attach_block(name: str) -> dict[str, Any]:
    """Try to open the branch's shared-memory block by name, as a cashier would; say what really happened."""
    import multiprocessing
    from multiprocessing import resource_tracker, shared_memory

    try:
        block = shared_memory.SharedMemory(name=name)
    except OSError as error:
        where = f" ({PRIVATE_SHM})" if PRIVATE_SHM else ""
        return {"attached": False, "text": f"{type(error).__name__}: {error}{where}"}
    if multiprocessing.parent_process() is None:
        # Python < 3.13 registers an attached block with this process's own
        # resource tracker, which would unlink the branch's block when this
        # clerk exits. (A clerk the level started shares the branch's tracker,
        # where the block is rightly registered already.)
        resource_tracker.unregister(block._name, "shared_memory")  # type: ignore[attr-defined]
    size = block.size
    block.close()
    return {"attached": True, "text": f"it opened {name} ({size} bytes), but only because it runs on the branch's "
            "own machine; on another machine that name means nothing"}


PRIVATE_SHM = ""
"""Set when this clerk has a ``/dev/shm`` of its own: why the branch's block is not there."""


def private_shm() -> str:
    """Give this process a ``/dev/shm`` of its own, as another machine has, where Linux allows it.

    A new mount namespace (inside a new user namespace when not root) with an
    empty tmpfs on ``/dev/shm``: shared-memory names of the branch's machine
    mean nothing here. Must run while the process has one thread.

    Returns:
        ``""`` if done, else why not (the clerk then shares the machine's ``/dev/shm``).
    """
    import ctypes

    if not sys.platform.startswith("linux"):
        return "only Linux gives a process a /dev/shm of its own"
    libc = ctypes.CDLL(None, use_errno=True)
    new_ns, new_user, rec, private = 0x00020000, 0x10000000, 0x4000, 1 << 18
    uid, gid = os.getuid(), os.getgid()
    try:
        if uid == 0:
            if libc.unshare(new_ns):
                return f"unshare: {os.strerror(ctypes.get_errno())}"
        else:
            if libc.unshare(new_user | new_ns):
                return f"unshare: {os.strerror(ctypes.get_errno())}"
            for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
                with open(f"/proc/self/{name}", "w") as out:
                    out.write(text)
        # Private first, so that the new /dev/shm never shows outside this process.
        if libc.mount(b"none", b"/", None, rec | private, None) or libc.mount(
            b"tmpfs", b"/dev/shm", b"tmpfs", 0, b"size=1m"
        ):
            return f"mount: {os.strerror(ctypes.get_errno())}"
    except OSError as error:
        return str(error)
    return ""


def loopback_main(key: bytes, port: int, log_path: str | None, ready: Connection) -> None:
    """A clerk process the level starts itself on 127.0.0.1: report the port, then serve."""
    global PRIVATE_SHM
    from .helpers import worker_setup

    why = private_shm()  # before any thread starts
    PRIVATE_SHM = "" if why else "this clerk has a /dev/shm of its own, as another machine has"
    worker_setup(log_path)  # leaves the moment the branch's process is gone
    if why:
        print(f"clerk: sharing this machine's /dev/shm ({why})", flush=True)
    server = ClerkServer("127.0.0.1", port, key, log=lambda line: print(f"clerk: {line}", flush=True))
    ready.send_bytes(str(server.port).encode())
    ready.close()
    server.serve_forever()


def clerk_command(listen: str, key_file: str | None) -> int:
    """``bankgame clerk --listen HOST:PORT``: serve one branch's accounts until Ctrl+C."""
    from ..web import address, is_loopback
    from .wire import load_key

    host, port = parse_address(listen)
    key = load_key(key_file)
    if not is_loopback(host):
        print(f"warning: listening on {address(host, port)}, not only this machine: any host that can reach port {port} "
              "may try to connect (it still needs the key)", file=sys.stderr)
    try:
        server = ClerkServer(host, port, key, log=lambda line: print(line, file=sys.stderr, flush=True))
    except OSError as error:
        print(f"bankgame clerk: cannot listen on {listen}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"clerk listening on {address(host, server.port)}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def parse_address(text: str) -> tuple[str, int]:
    """Return ``(host, port)`` from ``HOST:PORT`` or ``[v6]:PORT``.

    Raises:
        ValueError: not an address (the message says why).
    """
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"{text!r} is not HOST:PORT")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host.strip():  # "[]:7040" would listen on every interface
        raise ValueError(f"{text!r} has no host: give an address (127.0.0.1, this machine only, or 0.0.0.0)")
    if not 0 <= int(port) < 65536:
        raise ValueError(f"port {port} is not between 0 and 65535")
    return host, int(port)
