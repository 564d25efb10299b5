"""The web server: textual-serve with one process group per browser tab.

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
import logging
import os
import shlex
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("bankgame.web")

TEMPLATES = Path(__file__).resolve().parent / "templates"
"""Our copy of textual-serve's page, with fonts from its own static files."""

QUIT_GRACE = 3.0
"""Seconds a game gets to quit by itself before its group is ended."""

TERM_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL for a game's process group."""


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
    """textual-serve's server, tracking each tab's game so none outlives it."""

    def __init__(self, command: str, host: str, port: int, title: str = "bankgame") -> None:
        super().__init__(command, host=host, port=port, title=title, templates_path=TEMPLATES)
        self.sessions: set[GameSession] = set()
        self.sockets: set[web.WebSocketResponse] = set()

    def request_exit(self) -> None:
        """On SIGTERM or SIGINT: end every game's group, then the server."""
        for session in list(self.sessions):
            session.terminate()
        raise GracefulExit()

    async def on_shutdown(self, app: web.Application) -> None:
        """Close each tab's socket and wait until every game is gone."""
        for socket in list(self.sockets):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
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
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": websocket,
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Run one game for one browser tab, for as long as the tab is open."""
        socket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        session: GameSession | None = None
        self.sockets.add(socket)
        try:
            await socket.prepare(request)
            session = GameSession(
                self.command,
                write_bytes=socket.send_bytes,
                write_str=socket.send_str,
                close=socket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.sessions.add(session)
            await session.start(width, height)
            log.info("game %s started", session.group)
            await self._process_messages(socket, session)
        except asyncio.CancelledError:
            await socket.close()
        except Exception as error:  # a broken tab must not take the server down
            log.exception(error)
        finally:
            self.sockets.discard(socket)
            if session is not None:
                await session.stop()
                self.sessions.discard(session)
                log.info("game %s ended", session.group)
        return socket
