"""Shown instead of any screen while the terminal is smaller than 80×24."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH = 80
MIN_HEIGHT = 24


class TooSmallScreen(Screen[None]):
    """A clear message that names the minimum; it goes away on its own when the terminal grows."""

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(id="too-small-text")

    def on_mount(self) -> None:
        self.show_size()

    def on_resize(self) -> None:
        self.show_size()

    def show_size(self) -> None:
        """Say how big the terminal is and how big it must be."""
        width, height = self.app.size
        self.query_one("#too-small-text", Static).update(
            "The bank needs more room.\n\n"
            f"Make the terminal larger ({MIN_WIDTH}×{MIN_HEIGHT} minimum).\n"
            f"It is {width}×{height} now.\n\n"
            "The game is paused and comes back as soon as it fits.\n"
            "ctrl+q quits."
        )
