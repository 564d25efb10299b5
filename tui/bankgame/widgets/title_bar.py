"""Textual's Header, safe against a screen that leaves as soon as it came."""

from __future__ import annotations

from textual import events
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Header
from textual.widgets._header import HeaderTitle


class TitleBar(Header):
    """The app's header with the screen's title and sub-title.

    Textual's ``Header`` updates its title from a watcher that is called once
    right after mounting; when the screen is popped before that call runs
    (a fast typist pressing Campaign then Esc) the title is gone and the app
    stops with ``NoMatches``. This one skips the update instead.
    """

    def __init__(self, *, icon: str = "$", id: str | None = None) -> None:
        super().__init__(icon=icon, id=id)

    def _on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # Header's own watchers are the ones that can fail
        Widget._on_mount(self, event)

        async def set_title() -> None:
            try:
                self.query_one(HeaderTitle).update(self.format_title())
            except NoMatches:
                pass

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
