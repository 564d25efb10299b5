"""The wire format between a branch and a remote clerk: small, fixed, never pickled.

A frame is a 4-byte big-endian length, then a 32-byte HMAC-SHA256 tag, then a
JSON object (UTF-8). Nothing read from a socket is ever unpickled: a frame is
at most ``MAX_FRAME`` bytes, its tag must match, and every field of the object
is checked (``check_request`` / ``check_reply``) before it is used.

A connection opens with a mutual challenge: each side sends 32 random bytes and
must answer the other's with ``HMAC(key, role + nonce)`` (the role keeps an
answer from being reflected back), so neither side talks to a peer that does
not hold the key. Each later frame's tag
covers the two nonces, the direction, a counter and the payload, so a frame
cannot be forged, replayed, reordered or moved to another connection.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import socket
import struct
from pathlib import Path
from typing import Any

MAX_FRAME = 64 * 1024
"""The largest frame either side accepts (bytes after the length prefix)."""
TAG = 32
NONCE = 32
HANDSHAKE_TIMEOUT = 5.0
"""Seconds a peer has to prove it holds the key."""
KINDS = frozenset({"deposit", "withdraw", "debit", "credit", "refund"})
MAX_ACCOUNTS = 10_000
MAX_INT = 2**53  # JSON numbers beyond this lose precision in other languages


class WireError(Exception):
    """A frame that is not ours: too big, badly tagged, not JSON, or a field out of bounds."""


class AuthError(WireError):
    """The peer does not hold the shared key."""


# ------------------------------------------------------------------ the key
def default_key_path() -> Path:
    """Return where the shared key is kept: beside the saved progress."""
    home = os.environ.get("BANKGAME_HOME")
    if home:
        return Path(home) / "clerk.key"
    from platformdirs import user_data_path

    return user_data_path("bankgame") / "clerk.key"


def load_key(path: str | os.PathLike[str] | None = None, create: bool = True) -> bytes:
    """Return the shared key in ``path`` (default: beside the saved progress).

    The default file is made (32 random bytes, hex, mode 0600) when missing.

    Raises:
        WireError: the file cannot be read or holds no usable key (names the file).
    """
    file = Path(path) if path is not None else default_key_path()
    if not file.exists() and create and path is None:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another game made it first: read theirs
        except OSError as error:  # BANKGAME_HOME is a file, read-only, or gone
            raise WireError(f"{file}: cannot keep a key there ({error.strerror or error}); "
                            "give one with --authkey-file FILE") from error
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
    try:
        key = file.read_bytes().strip()
    except OSError as error:
        raise WireError(f"{file}: cannot read the key ({error.strerror or error})") from error
    if len(key) < 16:
        raise WireError(f"{file}: a key needs at least 16 characters")
    return key


# ------------------------------------------------------------------ frames
class Channel:
    """An authenticated, framed connection over a socket (either side).

    Args:
        sock: a connected TCP socket.
        key: the shared key.
        server: whether this side accepted the connection.
        timeout: seconds to wait for the peer after the handshake (``None``: for ever).
    """

    def __init__(self, sock: socket.socket, key: bytes, server: bool, timeout: float | None = None) -> None:
        self.sock = sock
        self.key = key
        self.server = server
        self.timeout = timeout
        self._session = b""
        self._sent = 0
        self._received = 0

    def handshake(self) -> None:
        """Prove the key both ways; raise ``AuthError`` if the peer cannot."""
        self.sock.settimeout(HANDSHAKE_TIMEOUT)
        mine = secrets.token_bytes(NONCE)
        self.sock.sendall(mine)
        theirs = self._exact(NONCE)
        self.sock.sendall(_answer(self.key, self.server, theirs))
        if not hmac.compare_digest(self._exact(TAG), _answer(self.key, not self.server, mine)):
            raise AuthError("the peer does not hold the shared key")
        self._session = mine + theirs if self.server else theirs + mine
        self.sock.settimeout(self.timeout)

    def send(self, obj: dict[str, Any]) -> int:
        """Send one object; return the bytes put on the wire."""
        payload = json.dumps(obj, separators=(",", ":")).encode()
        if len(payload) + TAG > MAX_FRAME:
            raise WireError(f"a frame of {len(payload)} bytes is over the limit")
        tag = self._tag(self.server, self._sent, payload)
        self._sent += 1
        frame = struct.pack(">I", TAG + len(payload)) + tag + payload
        self.sock.sendall(frame)
        return len(frame)

    def recv(self) -> tuple[dict[str, Any], int]:
        """Receive one object and the bytes it took; raise ``WireError`` on anything else.

        Raises:
            EOFError: the peer closed the connection.
            WireError: oversized, badly tagged or not a JSON object.
        """
        (size,) = struct.unpack(">I", self._exact(4))
        if size > MAX_FRAME or size < TAG:
            raise WireError(f"a frame of {size} bytes (the limit is {MAX_FRAME})")
        body = self._exact(size)
        tag, payload = body[:TAG], body[TAG:]
        if not hmac.compare_digest(tag, self._tag(not self.server, self._received, payload)):
            raise WireError("a frame whose tag does not match (forged, replayed or out of order)")
        self._received += 1
        try:
            obj = json.loads(payload.decode())
        except (UnicodeDecodeError, ValueError) as error:
            raise WireError("a frame that is not JSON") from error
        if not isinstance(obj, dict):
            raise WireError("a frame that is not a JSON object")
        return obj, 4 + size

    def close(self) -> None:
        """Close the socket."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def _tag(self, from_server: bool, counter: int, payload: bytes) -> bytes:
        head = self._session + (b"S" if from_server else b"C") + struct.pack(">Q", counter)
        return hmac.new(self.key, head + payload, hashlib.sha256).digest()

    def _exact(self, n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = self.sock.recv(min(left, 65536))
            if not chunk:
                raise EOFError("the connection closed")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def _answer(key: bytes, from_server: bool, nonce: bytes) -> bytes:
    # The role is in the answer, so one side's answer cannot be reflected back as the other's.
    role = b"clerk:" if from_server else b"branch:"
    return hmac.new(key, role + nonce, hashlib.sha256).digest()


# -------------------------------------------------------------- validation
def _int(obj: dict[str, Any], name: str, low: int = 0, high: int = MAX_INT) -> int:
    value = obj.get(name)
    if type(value) is not int or not low <= value < high:  # bool is not an int here
        raise WireError(f"field {name!r}: an integer in [{low}, {high}) expected, got {value!r:.40}")
    return value


def _exact_keys(obj: dict[str, Any], keys: set[str]) -> None:
    if set(obj) != keys:
        raise WireError(f"fields {sorted(obj)!r:.80} (expected {sorted(keys)})")


def check_request(obj: dict[str, Any]) -> dict[str, Any]:
    """Return ``obj`` if it is a well-formed request to a clerk; raise ``WireError`` otherwise."""
    op = obj.get("op")
    if op == "send":
        _exact_keys(obj, {"op", "seq", "kind", "account", "amount"})
        _int(obj, "seq")
        if obj["kind"] not in KINDS:
            raise WireError(f"field 'kind': one of {sorted(KINDS)} expected, got {obj['kind']!r:.40}")
        _int(obj, "account", 0, MAX_ACCOUNTS)
        _int(obj, "amount")
    elif op in ("hello", "handle", "balances", "resume", "bye"):
        _exact_keys(obj, {"op"})
    elif op == "load":
        _exact_keys(obj, {"op", "accounts", "closed"})
        accounts, closed = obj["accounts"], obj["closed"]
        if not isinstance(accounts, dict) or len(accounts) > MAX_ACCOUNTS:
            raise WireError("field 'accounts': an object of account → balance expected")
        for name, balance in accounts.items():
            if not name.isdigit() or int(name) >= MAX_ACCOUNTS or type(balance) is not int or abs(balance) >= MAX_INT:
                raise WireError(f"field 'accounts': bad entry {name!r:.20}: {balance!r:.20}")
        if not isinstance(closed, list) or len(closed) > MAX_ACCOUNTS or any(
            type(a) is not int or not 0 <= a < MAX_ACCOUNTS for a in closed
        ):
            raise WireError("field 'closed': a list of account numbers expected")
    elif op == "attach":
        _exact_keys(obj, {"op", "block"})
        block = obj["block"]
        if not isinstance(block, str) or not 0 < len(block) <= 64 or not block.replace("_", "").isalnum():
            raise WireError("field 'block': a shared-memory block name expected")
    else:
        raise WireError(f"field 'op': unknown {op!r:.40}")
    return obj


def check_reply(obj: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    """Return a clerk's reply if it has exactly ``keys``; raise ``WireError`` otherwise."""
    if "error" in obj and isinstance(obj["error"], str):
        raise WireError(f"the clerk refused: {obj['error']:.200}")
    _exact_keys(obj, keys)
    return obj
