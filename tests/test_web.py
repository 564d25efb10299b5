"""``bankgame web`` in a real browser: headless Chromium driven by Playwright.

The terminal in the page is a canvas, so the game's text is read from the
websocket frames the server sends to the page. A screenshot of the title
screen is kept under ``artifacts/web/``.

Skipped only where Chromium or the web/browser extras are missing; under
``CI=true`` their absence is a failure, never a skip.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bankgame import __version__
from bankgame.web import exposure_warning, is_loopback

IN_CI = os.environ.get("CI") == "true"
ARTIFACTS = Path(os.environ.get("BANKGAME_ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts")) / "web"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIRST_SCREEN_WORDS = ("Tutorial", "Sandbox", "Quit")
"""Words of the title screen, which ``bankgame`` opens on."""
ANSI = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")


def _need(what: str, present: bool) -> None:
    if present:
        return
    if IN_CI:
        pytest.fail(f"CI must run the browser test, but {what} is missing (.ci/run installs it)")
    pytest.skip(f"{what} is missing")


def _chromium() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    _need("Chromium (Debian package `chromium`)", path is not None)
    _need("Playwright (`pip install -e '.[browser]'`)", importlib.util.find_spec("playwright") is not None)
    _need("textual-serve (`pip install -e '.[web]'`)", importlib.util.find_spec("textual_serve") is not None)
    return str(path)


# ---------------------------------------------------------------- processes


def _stat(pid: int) -> tuple[int, int, int] | None:
    """Return (ppid, pgid, sid) of a live process, None if it is gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    if fields[0] in "ZX":
        return None
    return int(fields[1]), int(fields[2]), int(fields[3])


def _processes() -> dict[int, tuple[int, int, int]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def in_sessions(sessions: set[int]) -> list[int]:
    """Return every live process belonging to one of these sessions."""
    return sorted(pid for pid, (_, _, sid) in _processes().items() if sid in sessions)


def game_sessions(server_pid: int) -> set[int]:
    """Return the session ids of the games a server started (one per tab)."""
    return {sid for pid, (ppid, _, sid) in _processes().items() if ppid == server_pid}


def wait_for(predicate, timeout: float, page=None, what: str = "condition") -> None:
    """Poll ``predicate`` until true; pump the page's events while waiting."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.05)


# ---------------------------------------------------------------- fixtures


class WebServer:
    """A ``bankgame web`` process in a session (and process group) of its own."""

    def __init__(self, tmp_path: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = tmp_path / "web.log"
        self.log = self.log_path.open("wb")
        env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
        env["BANKGAME_HOME"] = str(tmp_path / "home")  # the games save here, not in the player's folder
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bankgame", "web", "--port", str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=tmp_path,
            env=env,
        )
        self.sessions = {self.process.pid}
        self.seen_games: set[int] = set()
        wait_for(self._listening, 20, what="the server to listen")

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"bankgame web exited early:\n{self.output()}")
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def games(self) -> set[int]:
        """Session ids of the games running now (remembered for the final check)."""
        games = game_sessions(self.process.pid)
        self.seen_games |= games
        return games

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def terminate(self, timeout: float = 30) -> None:
        """SIGTERM the server's process group and wait for it to exit (``timeout`` only guards a hang)."""
        self.games()
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout)

    def close(self) -> None:
        """Last resort for a failed test: nothing may outlive it."""
        for sid in self.sessions | self.seen_games:
            for pid in in_sessions({sid}):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Terminal:
    """The text a page's game sent over its websocket(s)."""

    def __init__(self, page) -> None:
        self.page = page
        self.chunks: list[bytes] = []
        self.sockets_closed = 0
        page.on("websocket", self._attach)

    def _attach(self, websocket) -> None:
        websocket.on("framereceived", self._frame)
        websocket.on("close", self._closed)

    def _frame(self, payload) -> None:
        self.chunks.append(payload.encode() if isinstance(payload, str) else payload)

    def _closed(self, _websocket) -> None:
        self.sockets_closed += 1

    def mark(self) -> int:
        """Return a position; ``text(since=...)`` reads only what came after it."""
        return len(self.chunks)

    def text(self, since: int = 0) -> str:
        """Return the screen text sent so far, escape sequences removed."""
        raw = b"".join(self.chunks[since:])
        return ANSI.sub(b"", raw).decode("utf-8", "replace")

    def settle(self, quiet: float = 0.5, timeout: float = 5) -> None:
        """Wait until the game has sent nothing for ``quiet`` seconds (for a screenshot)."""
        deadline = time.monotonic() + timeout
        seen, since = self.mark(), time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - since < quiet:
            self.page.wait_for_timeout(100)
            if self.mark() != seen:
                seen, since = self.mark(), time.monotonic()

    def wait_for_text(self, *words: str, timeout: float = 20, since: int = 0) -> None:
        wait_for(
            lambda: all(word in self.text(since) for word in words),
            timeout,
            self.page,
            f"{words} in the game's frames; got {self.text(since)[-400:]!r}",
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[WebServer]:
    _chromium()
    web = WebServer(tmp_path)
    try:
        yield web
    finally:
        web.close()


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for the module's tests: starting it is most of a test's time, and each test has its own context."""
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright brings no browser here: it drives Debian's Chromium.
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browser(chromium):
    """A fresh browser context (its own tabs, cookies and storage), closed after the test."""
    context = chromium.new_context(viewport={"width": 1200, "height": 760})
    try:
        yield context
    finally:
        context.close()


def open_tab(browser, server: WebServer):
    """Open the game in a new tab; return (page, terminal, requested urls)."""
    page = browser.new_page()
    terminal = Terminal(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server.url, wait_until="load")
    return page, terminal, requests


def wait_for_first_screen(page, terminal: Terminal, server: WebServer) -> None:
    """Wait for the title screen ``bankgame`` opens on; fail if the game ends first."""
    try:
        wait_for(lambda: terminal.sockets_closed or all(word in terminal.text() for word in FIRST_SCREEN_WORDS), 30, page)
    except AssertionError as error:
        raise AssertionError(
            f"{error}: no {FIRST_SCREEN_WORDS} on the first screen; the game sent {terminal.text()[-400:]!r}; server log:\n{server.output()}"
        ) from None
    if not all(word in terminal.text() for word in FIRST_SCREEN_WORDS):
        page.wait_for_timeout(300)  # the server logs what the game printed as it ended
        raise AssertionError(f"the game ended before its title screen; server log:\n{server.output()}")


def open_a_day(page) -> None:
    """Open a sandbox day from the title."""
    press(page, "s")


def press(page, key: str) -> None:
    """Press a key in the page's terminal (xterm reads its hidden textarea)."""
    page.focus(".xterm-helper-textarea")
    page.keyboard.press(key)


# ---------------------------------------------------------------- tests


def test_loopback_is_the_default_and_others_are_warned() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
    warning = exposure_warning("0.0.0.0", 8000)
    assert "warning" in warning and "0.0.0.0:8000" in warning and "127.0.0.1" in warning


def test_bad_port_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bankgame", "web", "--port", "70000"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "usage: bankgame web" in result.stderr


def test_serving_beyond_loopback_warns_on_stderr(tmp_path: Path) -> None:
    _need("textual-serve (`pip install -e '.[web]'`)", importlib.util.find_spec("textual_serve") is not None)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "bankgame", "web", "--host", "0.0.0.0", "--port", str(port)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True, cwd=tmp_path,
    )
    try:
        first_line = server.stderr.readline().decode()
        assert first_line.startswith(f"bankgame web: warning: serving on 0.0.0.0:{port}"), first_line

        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, 20, what="the server to listen")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        assert server.wait(15) == 0
        server.stderr.close()


def test_page_loads_from_this_machine_only(server: WebServer, browser) -> None:
    page, terminal, requests = open_tab(browser, server)
    assert page.title() == "bankgame"
    wait_for(lambda: terminal.chunks or terminal.sockets_closed, 20, page, "the game's first frame")
    outside = [url for url in requests if not url.startswith(server.url)]
    assert not outside, f"the page asked for addresses outside the server: {outside}"
    assert "googleapis" not in page.content()


def test_title_screen_and_a_key_reach_the_game(server: WebServer, browser) -> None:
    page, terminal, _ = open_tab(browser, server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        wait_for_first_screen(page, terminal, server)
    finally:
        page.screenshot(path=str(ARTIFACTS / "title.png"))
    page.focus(".xterm-helper-textarea")  # as a player's click would: the footer shows only in a focused game
    terminal.settle()  # let the canvas paint the last frames
    page.screenshot(path=str(ARTIFACTS / "title.png"))
    assert __version__ in terminal.text(), "the title screen shows the version"
    assert len(server.games()) == 1

    # Ctrl+C never quits a Textual game: it tells how to. Seeing that answer
    # proves the key went from the browser through the server into the game.
    since = terminal.mark()
    press(page, "Control+c")
    terminal.wait_for_text("to quit", since=since)


def test_each_tab_is_its_own_game_and_closing_one_ends_it(server: WebServer, browser) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    first, first_terminal, _ = open_tab(browser, server)
    wait_for_first_screen(first, first_terminal, server)
    (first_game,) = server.games()
    second, second_terminal, _ = open_tab(browser, server)
    wait_for_first_screen(second, second_terminal, server)
    games = server.games()
    assert len(games) == 2 and first_game in games
    (second_game,) = games - {first_game}

    # Open a day in the first tab: its cashiers and clerks are real worker
    # processes, and closing the tab must end them too.
    open_a_day(first)
    wait_for(lambda: len(in_sessions({first_game})) > 1, 20, first, "the sandbox day's worker processes")
    workers = in_sessions({first_game})
    first_terminal.settle(quiet=0.3)  # a running day never goes quiet for long
    first.screenshot(path=str(ARTIFACTS / "sandbox.png"))

    first.close()
    wait_for(lambda: not in_sessions({first_game}), 15, second, f"the closed tab's game and workers {workers} to end")
    assert in_sessions({second_game}), "the other tab's game goes on"
    since = second_terminal.mark()
    press(second, "Control+c")
    second_terminal.wait_for_text("to quit", since=since)


def test_sigterm_to_the_server_group_leaves_nothing(server: WebServer, browser) -> None:
    page, terminal, _ = open_tab(browser, server)
    wait_for_first_screen(page, terminal, server)
    (game,) = server.games()
    open_a_day(page)  # a day with real worker processes, running
    wait_for(lambda: len(in_sessions({game})) > 1, 20, page, "the sandbox day's worker processes")
    server.terminate()
    assert server.process.returncode == 0, server.output()
    left = in_sessions(server.sessions | server.seen_games)
    assert not left, f"processes left after SIGTERM: {left}"


def test_a_killed_server_leaves_no_game(server: WebServer, browser) -> None:
    """SIGKILL gives the server no chance to end its games: they hang up by themselves."""
    page, terminal, _ = open_tab(browser, server)
    wait_for_first_screen(page, terminal, server)
    (game,) = server.games()
    open_a_day(page)
    wait_for(lambda: len(in_sessions({game})) > 1, 20, page, "the sandbox day's worker processes")
    server.process.kill()
    server.process.wait()
    wait_for(lambda: not in_sessions(server.sessions | server.seen_games), 15, what="every game to end with the server")
