"""``bankgame web``: the game served to a web browser, one game per tab.

Needs the ``web`` extra (``pip install "bankgame[web]"``), which brings
textual-serve. Everything is served from this machine; the page asks for
nothing outside it.
"""

from __future__ import annotations

import ipaddress
import shlex
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


def game_command() -> str:
    """Return the shell command each browser tab runs: ``bankgame`` itself.

    The interpreter running this server is used, so the tab plays the same
    installed game even where ``bankgame`` is not on the PATH.
    """
    return shlex.join([sys.executable, "-m", "bankgame"])


def exposure_warning(host: str, port: int) -> str:
    """Return the warning printed when serving beyond this machine."""
    return (
        f"bankgame web: warning: serving on {host}:{port}, which other machines may reach.\n"
        "  Anyone who can open that address starts games on this computer, with no password.\n"
        f"  Use --host {DEFAULT_HOST} (the default) to keep it on this machine only."
    )


def run_web(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serve the game until SIGTERM or Ctrl+C; return the exit status.

    Args:
        host: Address to bind; anything but loopback prints a warning.
        port: TCP port.

    Returns:
        0 after a clean stop, 1 if the ``web`` extra is missing.
    """
    try:
        from .server import GameServer
    except ModuleNotFoundError as error:
        print(
            f"bankgame web: needs the web extra ({error.name} is missing): "
            "pip install 'bankgame[web]'",
            file=sys.stderr,
        )
        return 1
    if not is_loopback(host):
        print(exposure_warning(host, port), file=sys.stderr, flush=True)
    GameServer(game_command(), host=host, port=port).serve()
    return 0
