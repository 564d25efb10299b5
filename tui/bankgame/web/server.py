"""The web server: textual-serve with one process group per browser tab.

What a web page may ask of it is bounded (``bankgame web --help`` and the
README say so): only pages this server served may open a game (the
websocket's ``Origin`` must be this server; its ``Host`` must name this
machine, so that a DNS-rebinding page cannot reach it), a game's terminal is
at most ``MAX_COLUMNS`` × ``MAX_ROWS``, and there are at most ``max_games``
games at once, ``MAX_GAMES_PER_CLIENT`` of them from any one address. The
server binds its address before it says it is serving.

textual-serve starts each tab's game under ``sh -c`` and, when the tab closes,
asks it to quit. Here each game is started directly, in a session of its own,
so that the game and every worker it started can be ended together, whatever
state the game is in: when its tab closes, and when the server itself is told
to stop. A server killed outright takes its games with it (SIGHUP on the
server's death).
"""

from __future__ import annotations

import asyncio
import ctypes
import ipaddress
import json
import logging
import os
import shlex
import signal
import socket
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from . import address

log = logging.getLogger("bankgame.web")

TEMPLATES = Path(__file__).resolve().parent / "templates"
"""Our copy of textual-serve's page, with fonts from its own static files."""

QUIT_GRACE = 3.0
"""Seconds a game gets to quit by itself before its group is ended."""

TERM_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL for a game's process group."""


MAX_COLUMNS = 400
MAX_ROWS = 150
"""The largest terminal a page may ask for (a 4K screen at a small font); larger is clamped."""
MIN_COLUMNS, MIN_ROWS = 20, 8
MAX_GAMES = 8
"""Games at once, by default (``--max-games``): each may run a dozen worker processes."""
MAX_GAMES_PER_CLIENT = 3
"""Games at once from one address: one visitor cannot take every game."""
TRY_AGAIN_LATER = 1013
"""The websocket close code for "server busy"."""


def clamp_size(width: Any, height: Any) -> tuple[int, int]:
    """Return a terminal size a page asked for, within this server's bounds (80x24 when not a number)."""
    columns = to_int(str(width), 80)
    rows = to_int(str(height), 24)
    return max(MIN_COLUMNS, min(MAX_COLUMNS, columns)), max(MIN_ROWS, min(MAX_ROWS, rows))


def _host_name(host_header: str) -> str:
    """Return the name part of a ``Host`` header (``[::1]:8000`` → ``::1``)."""
    return (urlsplit(f"//{host_header}").hostname or "").lower()


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def local_names() -> set[str]:
    """Names that mean this machine, besides IP addresses."""
    names = {"localhost"}
    for name in (socket.gethostname(), socket.getfqdn()):
        if name:
            names.add(name.lower())
    return names


def host_allowed(host_header: str, names: set[str]) -> bool:
    """Whether a request's ``Host`` names this machine: an IP address, or one of ``names``.

    A page on another site that makes its own name resolve to this machine
    (DNS rebinding) still sends its own name here, and is refused.
    """
    name = _host_name(host_header)
    return bool(name) and (_is_ip(name) or name in names)


def origin_allowed(origin: str | None, host_header: str) -> bool:
    """Whether a request's ``Origin`` is a page this server served (or absent: not a browser)."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host_header.lower()


PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None
"""Loaded before any fork: a child only calls into it."""


def _hang_up_with(server: int) -> Callable[[], None] | None:
    """Return what a game runs before it starts: SIGHUP when the server dies.

    Even a SIGKILLed server, which can end nothing itself, so leaves no game
    behind: the game takes SIGHUP as a hang-up and quits, stopping its
    workers. Linux only; elsewhere the server's own shutdown has to do.
    """
    if _LIBC is None:
        return None

    def before_exec() -> None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGHUP)
        if os.getppid() != server:  # the server died before the line above
            os._exit(1)

    return before_exec


def _signal_group(group: int, signum: int) -> bool:
    """Send ``signum`` to a process group; return False if it is gone."""
    try:
        os.killpg(group, signum)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class GameSession(AppService):
    """One browser tab's game, in a process group (and session) of its own."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        environment = self._build_environment(width=width, height=height)
        # No shell in between (textual-serve uses one): the server's child is
        # the game itself. start_new_session: the game and its workers share a
        # group that no signal aimed at the server reaches, and that can be
        # ended as one.
        self._process = process = await asyncio.create_subprocess_exec(
            *shlex.split(self.command),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,
            preexec_fn=_hang_up_with(os.getpid()),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay the game to the tab; when the game ends, however, end the tab's session.

        textual-serve closes the tab only when the game says goodbye; a game
        that fails to start or crashes would leave the tab open on nothing.
        """
        await super().run()
        try:
            await self.remote_close()
        except ConnectionError:
            pass

    @property
    def group(self) -> int | None:
        """The game's process group id, or None before it started."""
        return None if self._process is None else self._process.pid

    def terminate(self) -> None:
        """Ask the game's whole process group to end (SIGTERM)."""
        if self.group is not None:
            _signal_group(self.group, signal.SIGTERM)

    async def stop(self) -> None:
        """Ask the game to quit, then make sure its whole group is gone."""
        try:
            await asyncio.wait_for(super().stop(), QUIT_GRACE)
        except (TimeoutError, ConnectionError):
            pass
        await self.end()

    async def end(self) -> None:
        """End the game's process group: wait, SIGTERM, then SIGKILL."""
        process = self._process
        if process is None:
            return
        try:
            await asyncio.wait_for(process.wait(), QUIT_GRACE)
        except TimeoutError:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), TERM_GRACE)
            except TimeoutError:
                log.warning("game %s did not end on SIGTERM; killing its group", process.pid)
        # Whatever is left in the group (a worker the game did not reap, a
        # process helper) goes too. A group id is not reused while any
        # process still belongs to it, so this cannot hit a stranger.
        _signal_group(process.pid, signal.SIGKILL)
        if process.returncode is None:
            await process.wait()


class GameServer(Server):
    """textual-serve's server, tracking each tab's game so none outlives it, within bounds."""

    def __init__(self, command: str, host: str, port: int, title: str = "bankgame",
                 max_games: int = MAX_GAMES) -> None:
        super().__init__(command, host=host, port=port, title=title, templates_path=TEMPLATES)
        self.sessions: set[GameSession] = set()
        self.sockets: set[web.WebSocketResponse] = set()
        self.max_games = max_games
        self.games_by_client: Counter[str] = Counter()
        self.names = local_names() | {host.lower()}
        self._stop: asyncio.Event | None = None

    # ------------------------------------------------------------ running
    def serve(self, debug: bool = False, announce: Callable[[str], None] | None = None) -> None:
        """Bind, then announce, then serve until SIGTERM or SIGINT.

        Raises:
            OSError: the address cannot be bound (in use, not this machine's,
                not a name); nothing was announced.
        """
        self.debug = debug
        self.initialize_logging()
        asyncio.run(self._serve(announce or (lambda line: print(line, flush=True))))

    async def _serve(self, announce: Callable[[str], None]) -> None:
        self._stop = asyncio.Event()
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()  # the bind: an address in use fails here, before any word is printed
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, self.request_exit)
            announce(f"bankgame web: serving on {self.url()} (Ctrl+C stops)")
            await self._stop.wait()
        finally:
            await runner.cleanup()

    def url(self) -> str:
        """The address a browser opens (IPv6 in brackets)."""
        return f"http://{address(self.host, self.port)}/"

    def request_exit(self) -> None:
        """On SIGTERM or SIGINT: end every game's group, then the server."""
        for session in list(self.sessions):
            session.terminate()
        if self._stop is not None:
            self._stop.set()

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: the server announces itself once it is bound (``serve``)."""

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._only_this_machine)
        return app

    @web.middleware
    async def _only_this_machine(self, request: web.Request,
                                 handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        """Refuse a request for another host name, or from a page another site served."""
        host = request.headers.get("Host", "")
        if not host_allowed(host, self.names):
            log.warning("refused a request for host %r from %s", host, request.remote)
            raise web.HTTPMisdirectedRequest(text=f"bankgame web: {host!r} is not this server's name\n")
        if not origin_allowed(request.headers.get("Origin"), host):
            log.warning("refused a request from a page of %r (%s)", request.headers.get("Origin"), request.remote)
            raise web.HTTPForbidden(text="bankgame web: only pages served by this server may open a game\n")
        return await handler(request)

    async def on_shutdown(self, app: web.Application) -> None:
        """Close each tab's socket and wait until every game is gone."""
        for socket_ in list(self.sockets):
            await socket_.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
        await asyncio.gather(*(session.end() for session in list(self.sessions)))

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """Serve the page, with addresses as the browser reached us.

        textual-serve writes the address it was bound to into the page, which
        breaks for ``0.0.0.0``; the request's own host works for every tab.
        """
        base = f"{request.scheme}://{request.host}"
        websocket = ("wss" if request.scheme == "https" else "ws") + f"://{request.host}/ws"
        return {
            "font_size": max(6, min(64, to_int(request.query.get("fontsize", "16"), 16))),
            "app_websocket_url": websocket,
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    def _refusal(self, client: str) -> str:
        """Why another game cannot start now for ``client``, or ``""``."""
        if len(self.sessions) >= self.max_games:
            return f"{self.max_games} games are open on this server, its most; close a tab, then reload this one."
        if self.games_by_client[client] >= MAX_GAMES_PER_CLIENT:
            return (f"{MAX_GAMES_PER_CLIENT} games are open from your address, the most for one visitor; "
                    "close a tab, then reload this one.")
        return ""

    async def _refuse(self, socket_: web.WebSocketResponse, reason: str) -> None:
        """Tell the tab why no game starts (on its terminal), then close."""
        log.warning("refused a game: %s", reason)
        await socket_.send_bytes(f"\r\nbankgame web: {reason}\r\n".encode())
        await socket_.close(code=TRY_AGAIN_LATER, message=b"too many games")

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """Relay a tab's keys and resizes to its game; a size is clamped, a bad message ignored."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(*clamp_size(data.get("width"), data.get("height")))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Run one game for one browser tab, for as long as the tab is open."""
        socket_ = web.WebSocketResponse(heartbeat=15, max_msg_size=64 * 1024)
        width, height = clamp_size(request.query.get("width", "80"), request.query.get("height", "24"))
        client = request.remote or "?"
        session: GameSession | None = None
        self.sockets.add(socket_)
        await socket_.prepare(request)
        refusal = self._refusal(client)
        if refusal:
            self.sockets.discard(socket_)
            await self._refuse(socket_, refusal)
            return socket_
        self.games_by_client[client] += 1  # counted before the first await below: no race past the cap

        async def close() -> None:  # textual-serve awaits it for nothing (aiohttp's says whether it closed)
            await socket_.close()

        try:
            session = GameSession(
                self.command,
                write_bytes=socket_.send_bytes,
                write_str=socket_.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.sessions.add(session)
            await session.start(width, height)
            log.info("game %s started (%sx%s) for %s", session.group, width, height, client)
            await self._process_messages(socket_, session)
        except asyncio.CancelledError:
            await socket_.close()
        except Exception as error:  # a broken tab must not take the server down
            log.exception("a tab's game failed: %s", error)
        finally:
            self.sockets.discard(socket_)
            if session is not None:
                await session.stop()
                self.sessions.discard(session)
                log.info("game %s ended", session.group)
            self.games_by_client[client] -= 1
            if self.games_by_client[client] <= 0:
                del self.games_by_client[client]
        return socket_
