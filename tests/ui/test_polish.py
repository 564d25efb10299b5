"""What a new player tripped on, each pinned: crashes, dead ends, words, layouts."""

from __future__ import annotations

from typing import Any

from branch_support import branch_app, branch_screen, run_until, synced
from textual import events


def send_keys(app: Any, *keys: str) -> None:
    """Queue ``keys`` the way the terminal driver does: no waiting between them."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


# ------------------------------------------------------------- the palette
@synced
async def test_page_keys_while_the_palette_opens_do_not_crash() -> None:
    app = branch_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(20):
            send_keys(app, "ctrl+p", "pagedown", "pageup", "pagedown")
            await pilot.pause()
            await pilot.press("escape")
        assert app._exception is None
        assert app.is_running
