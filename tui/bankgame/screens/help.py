"""Help: every binding and the lessons, read from ``assets/help.md``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from ..paths import assets_dir
from .modal import Modal


def help_text() -> str:
    """Return the help page (Markdown)."""
    return (assets_dir() / "help.md").read_text(encoding="utf-8")


class HelpScreen(Modal[None]):
    """The bindings and the lessons, over whatever screen asked for them."""

    NAME = "help"
    """The name the app installs the one help screen under (it is built once, then shown again)."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", key_display="esc")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Help · esc to close"
            yield Markdown(help_text(), id="help-text")

    def on_screen_resume(self) -> None:
        """Open at the top, where the keys are, however far it was scrolled last time."""
        self.query_one("#help-box", VerticalScroll).scroll_home(animate=False)
