"""``bankgame web``: the game served to a web browser, one game per tab.

Needs the ``web`` extra (``pip install "bankgame[web]"``), which brings
textual-serve. Everything is served from this machine; the page asks for
nothing outside it.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import socket
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    """Return True if ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def address(host: str, port: int) -> str:
    """Return ``host:port`` as a URL writes it: an IPv6 address in brackets (``[::1]:8000``)."""
    bare = host.strip("[]")
    return f"[{bare}]:{port}" if ":" in bare else f"{host}:{port}"


def host_problem(host: str) -> str:
    """Return why ``--host`` cannot be listened on as given, or ``""``.

    An empty host would make the server listen on every interface: that must
    be asked for by name (``0.0.0.0`` or ``::``), never by accident.
    """
    if not host.strip():
        return ("--host is empty, which would listen on every interface; give an address "
                f"({DEFAULT_HOST}, this machine only, or 0.0.0.0 for every interface)")
    if host != host.strip() or any(c in host for c in "/ \t@#?"):
        return f"--host {host!r} is not an address or a host name"
    if ":" in host and not _is_ipv6(listen_host(host)):
        return f"--host {host!r} is not an address or a host name (the port goes in --port)"
    return ""


def listen_host(host: str) -> str:
    """Return ``--host`` as the socket takes it: an IPv6 address without its brackets (``[::1]`` → ``::1``)."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def game_command() -> str:
    """Return the shell command each browser tab runs: ``bankgame`` itself.

    The interpreter running this server is used, so the tab plays the same
    installed game even where ``bankgame`` is not on the PATH.
    """
    return shlex.join([sys.executable, "-m", "bankgame"])


def exposure_warning(host: str, port: int) -> str:
    """Return the warning printed when serving beyond this machine."""
    return (
        f"bankgame web: warning: serving on {address(host, port)}, which other machines may reach.\n"
        "  Anyone who can open that address starts games on this computer, with no password.\n"
        f"  Use --host {DEFAULT_HOST} (the default) to keep it on this machine only."
    )


def run_web(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, max_games: int | None = None) -> int:
    """Serve the game until SIGTERM or Ctrl+C; return the exit status.

    Args:
        host: Address to bind; anything but loopback prints a warning.
        port: TCP port.
        max_games: games at once (the default is the server's ``MAX_GAMES``).

    Returns:
        0 after a clean stop, 1 if the ``web`` extra is missing, 2 if the
        address cannot be listened on (in use, not this machine's, unknown).
    """
    try:
        from .server import MAX_GAMES, GameServer
    except ModuleNotFoundError as error:
        print(
            f"bankgame web: needs the web extra ({error.name} is missing): "
            "pip install 'bankgame[web]'",
            file=sys.stderr,
        )
        return 1
    host = listen_host(host)
    server = GameServer(game_command(), host=host, port=port, max_games=max_games or MAX_GAMES)

    def announce(line: str) -> None:  # once bound: nothing is announced for an address that fails
        if not is_loopback(host):
            print(exposure_warning(host, port), file=sys.stderr, flush=True)
        print(line, flush=True)

    try:
        server.serve(announce=announce)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno and error.errno > 0 else str(error)
        if isinstance(error, socket.gaierror):
            reason = f"{host!r} is not an address of this machine or a host name it knows ({error.strerror})"
        print(f"bankgame web: cannot listen on {address(host, port)}: {reason}", file=sys.stderr, flush=True)
        return 2
    return 0
