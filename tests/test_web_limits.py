"""``bankgame web`` bounds what a page may ask: a real server on loopback, a real websocket client.

Foreign pages (``Origin``) and foreign names (``Host``, DNS rebinding) are
refused; a terminal size is clamped; games are capped per client and in all.
Needs only the ``web`` extra (aiohttp comes with textual-serve), no browser.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI") == "true"

if importlib.util.find_spec("textual_serve") is None:  # pragma: no cover - the web extra is missing
    if IN_CI:
        raise RuntimeError("CI must run the web tests, but textual-serve is missing")
    pytest.skip("textual-serve (the web extra) is missing", allow_module_level=True)

import aiohttp  # noqa: E402 - after the skip: the web extra brings it

from bankgame.web.server import MAX_COLUMNS, MAX_ROWS, GameServer, clamp_size  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid and fields[0] not in "ZX":
                found.append(int(entry.name))
    return found


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


class Server:
    """A ``bankgame web`` process in a session of its own, saving under a temporary home."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = _free_port()
        self.base = f"127.0.0.1:{self.port}"
        env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
        env["BANKGAME_HOME"] = str(tmp_path / "home")
        self.log = (tmp_path / "web.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bankgame", "web", "--port", str(self.port), *args],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, (tmp_path / "web.log").read_text()
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            assert time.monotonic() < deadline, "the server never listened"
            time.sleep(0.05)

    def games(self) -> list[int]:
        return _children(self.process.pid)

    def close(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    try:
        yield running
    finally:
        running.close()


async def _first_frame(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    return await asyncio.wait_for(ws.receive(), 60)


def test_a_page_of_another_site_cannot_open_a_game(server: Server) -> None:
    async def attempt() -> None:
        async with aiohttp.ClientSession() as client:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(f"http://{server.base}/ws?width=80&height=24",
                                        headers={"Origin": "http://evil.example"})
            assert refused.value.status == 403
            async with client.get(f"http://{server.base}/", headers={"Origin": "http://evil.example"}) as page:
                assert page.status == 403

    asyncio.run(attempt())
    assert server.games() == [], "no game was started for a foreign page"


def test_a_foreign_host_name_is_refused_page_and_socket(server: Server) -> None:
    """DNS rebinding: a page whose own name resolves to 127.0.0.1 still sends its name."""

    async def attempt() -> None:
        async with aiohttp.ClientSession() as client:
            headers = {"Host": f"rebind.example:{server.port}"}
            async with client.get(f"http://{server.base}/", headers=headers) as page:
                assert page.status == 421
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(f"http://{server.base}/ws",
                                        headers={**headers, "Origin": f"http://rebind.example:{server.port}"})
            assert refused.value.status == 421
            async with client.get(f"http://{server.base}/") as page:  # the real address is served
                assert page.status == 200
            async with client.get(f"http://localhost:{server.port}/") as page:
                assert page.status == 200

    asyncio.run(attempt())
    assert server.games() == []


def test_an_oversized_terminal_is_clamped(server: Server) -> None:
    async def attempt() -> None:
        async with aiohttp.ClientSession() as client:
            ws = await client.ws_connect(f"http://{server.base}/ws?width=100000&height=100000",
                                         headers={"Origin": f"http://{server.base}"})
            await _first_frame(ws)
            (game,) = server.games()
            environ = _environ(game)
            assert (environ["COLUMNS"], environ["ROWS"]) == (str(MAX_COLUMNS), str(MAX_ROWS))
            await ws.close()

    asyncio.run(attempt())


def test_games_are_capped_per_client(server: Server) -> None:
    async def attempt() -> None:
        async with aiohttp.ClientSession() as client:
            origin = {"Origin": f"http://{server.base}"}
            open_ = []
            for _ in range(3):
                ws = await client.ws_connect(f"http://{server.base}/ws", headers=origin)
                await _first_frame(ws)
                open_.append(ws)
            fourth = await client.ws_connect(f"http://{server.base}/ws", headers=origin)
            said = await _first_frame(fourth)
            assert said.type == aiohttp.WSMsgType.BINARY and b"from your address" in said.data
            closed = await _first_frame(fourth)
            assert closed.type == aiohttp.WSMsgType.CLOSE and closed.data == 1013
            assert len(server.games()) == 3
            for ws in open_:
                await ws.close()

    asyncio.run(attempt())


def test_games_are_capped_in_all(tmp_path: Path) -> None:
    server = Server(tmp_path, "--max-games", "2")
    try:
        async def attempt() -> None:
            async with aiohttp.ClientSession() as client:
                origin = {"Origin": f"http://{server.base}"}
                first = await client.ws_connect(f"http://{server.base}/ws", headers=origin)
                await _first_frame(first)
                second = await client.ws_connect(f"http://{server.base}/ws", headers=origin)
                await _first_frame(second)
                third = await client.ws_connect(f"http://{server.base}/ws", headers=origin)
                said = await _first_frame(third)
                assert b"2 games are open on this server" in said.data
                assert len(server.games()) == 2
                await first.close()
                # The closed tab's game ends; then there is room again.
                deadline = time.monotonic() + 30
                while len(server.games()) > 1:
                    assert time.monotonic() < deadline, "the closed tab's game never ended"
                    await asyncio.sleep(0.1)
                again = await client.ws_connect(f"http://{server.base}/ws", headers=origin)
                frame = await _first_frame(again)
                assert frame.type == aiohttp.WSMsgType.BINARY and b"games are open" not in frame.data
                for ws in (second, again):
                    await ws.close()

        asyncio.run(attempt())
    finally:
        server.close()


class FakeGame:
    """What the server relays to a game, recorded."""

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []
        self.keys: list[bytes] = []

    async def set_terminal_size(self, width: int, height: int) -> None:
        self.sizes.append((width, height))

    async def send_bytes(self, data: bytes) -> bool:
        self.keys.append(data)
        return True


class Frames:
    """A websocket that yields a few text frames."""

    def __init__(self, frames: list[str]) -> None:
        self.frames = frames

    def __aiter__(self):
        async def frames():
            for data in self.frames:
                yield aiohttp.WSMessage(aiohttp.WSMsgType.TEXT, data, None)

        return frames()


def test_a_resize_is_clamped_and_bad_messages_are_ignored() -> None:
    game = FakeGame()
    frames = Frames(['["resize", {"width": 100000, "height": -5}]', "not json", '["resize", "big"]', "[]",
                     '["stdin", "q"]', '["resize", {"width": "80", "height": 24}]'])
    server = GameServer("true", host="127.0.0.1", port=1)
    asyncio.run(server._process_messages(frames, game))  # type: ignore[arg-type]
    assert game.sizes == [(MAX_COLUMNS, 8), (80, 24)]
    assert game.keys == [b"q"]
    assert clamp_size("abc", None) == (80, 24)


@pytest.mark.parametrize(("args", "says"), [
    (["--host", ""], "--host is empty"),
    (["--host", "nosuch.invalid"], "cannot listen on nosuch.invalid"),
    (["--max-games", "0"], "--max-games must be between 1 and 64"),
    (["--host", "127.0.0.1:80"], "the port goes in --port"),
])
def test_bad_web_arguments_exit_2_with_a_message(args: list[str], says: str) -> None:
    result = subprocess.run([sys.executable, "-m", "bankgame", "web", "--port", str(_free_port()), *args],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, result
    assert says in result.stderr and "Traceback" not in result.stderr
    assert "serving on" not in result.stdout + result.stderr.replace("warning: serving on", "")


def test_a_port_in_use_exits_2_before_announcing(server: Server) -> None:
    result = subprocess.run([sys.executable, "-m", "bankgame", "web", "--port", str(server.port)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{server.port}: Address already in use" in result.stderr
    assert "serving" not in result.stdout.lower() and "Traceback" not in result.stderr


def test_ipv6_addresses_are_written_in_brackets() -> None:
    from bankgame.web import address, exposure_warning

    assert address("::1", 8000) == "[::1]:8000" and address("[::1]", 80) == "[::1]:80"
    assert address("127.0.0.1", 8000) == "127.0.0.1:8000"
    assert "serving on [::]:8000," in exposure_warning("::", 8000)
    assert GameServer("true", host="::1", port=8000).url() == "http://[::1]:8000/"


def test_an_ipv6_host_may_be_given_in_brackets() -> None:
    from bankgame.web import host_problem, listen_host

    assert listen_host("[::1]") == "::1" and listen_host("::1") == "::1" and listen_host("localhost") == "localhost"
    assert host_problem("[::1]") == "" and host_problem("::") == ""
    assert "the port goes in --port" in host_problem("localhost:8000")
