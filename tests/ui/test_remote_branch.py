"""Second Branch in the game with its clerk across a socket: `--remote`, and a clerk that goes away."""

from __future__ import annotations

import threading

from bankgame.app import BankApp
from bankgame.store import Store
from bankgame.workers.remote import NetworkBackend
from bankgame.workers.remote_clerk import ClerkServer
from bankgame.workers.wire import load_key
from branch_support import branch_screen


def serve() -> ClerkServer:
    server = ClerkServer("127.0.0.1", 0, load_key(), log=lambda line: None)  # the key kept with the progress
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def test_remote_plays_the_level_against_a_listening_clerk_and_survives_it_going_away() -> None:
    server = serve()
    app = BankApp(start="level", level="second-branch", backend="inline", paused=True, store=Store.memory())
    app.network = {"remote": f"127.0.0.1:{server.port}", "authkey_file": None}
    app.animation_level = "none"
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = branch_screen(app)
        backend = screen.branch.backend
        assert isinstance(backend, NetworkBackend)
        screen.advance(30)
        assert backend.remote_stats()["messages"] > 0
        server.stop()  # the clerk's host goes away: nobody listens any more
        for remote in backend.remotes.values():
            remote.drop()
        screen.advance(200)
        assert screen.lost and "does not answer" in screen.lost
        tick = screen.branch.tick
        await pilot.press("space")
        screen.advance(5)
        assert screen.branch.tick == tick  # the day stays stopped, the app goes on
        await pilot.press("escape")
        await pilot.pause()
    app.close_branches()
