"""The Mailbox panel (message mode): clerks, their mailboxes, bytes copied."""

from __future__ import annotations

from rich.text import Text

from ..engine import Branch, account_name
from .lines import TextLines
from .text import clip


class MailboxPanel(TextLines):
    """Each clerk's state and the messages in flight to it."""

    COMPONENT_CLASSES = {"mailbox--up", "mailbox--down", "mailbox--restarted", "mailbox--message", "mailbox--note"}

    DEFAULT_CSS = """
    MailboxPanel { height: auto; }
    """

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.branch = branch
        self._signature: tuple = ()
        self.border_title = "Mailboxes"

    def update_view(self) -> None:
        """Redraw when a message is sent or handled, or a clerk goes down or comes back."""
        branch = self.branch
        signature = (
            branch.messages_sent, branch.bytes_copied, branch.mode, branch.pending_mode, self.size.width,
            tuple((c.handled, c.down, c.restarts, len(c.mailbox)) for c in branch.clerks),
        )
        if signature != self._signature:
            self._signature = signature
            self.border_title = f"Mailboxes · ✉ {branch.messages_sent} sent"
            self.border_subtitle = f"{branch.bytes_copied:,} bytes copied"
            self.refresh()  # one height for the whole day: two lines per clerk

    def get_content_height(self, container, viewport, width: int) -> int:
        return 2 * len(self.branch.clerks) + 1

    def render(self) -> Text:
        branch = self.branch
        width = self.size.width
        style = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="crop")
        for clerk in branch.clerks:
            owns = " ".join(account_name(a) for a in clerk.accounts) or "—"
            if clerk.down:
                state, state_style = "✗ down", "mailbox--down"
            elif clerk.restarts:
                state, state_style = f"↻ restarted ×{clerk.restarts}", "mailbox--restarted"
            else:
                state, state_style = "● up", "mailbox--up"
            text.append(f"{clerk.name} ", style("mailbox--up"))
            text.append(state, style(state_style))
            remote = f" · remote +{clerk.latency}t" if clerk.latency else ""
            text.append(clip(f" · done {clerk.handled} · owns {owns}{remote}", width - len(clerk.name) - len(state) - 1))
            text.append("\n")
            waiting = " · ".join(m.describe() for m in clerk.mailbox) if clerk.mailbox else "empty"
            text.append(clip(f"  ✉ {len(clerk.mailbox)}: {waiting}", width), style("mailbox--message"))
            text.append("\n")
        text.append(clip("k: kill a clerk (it is restarted)", width), style("mailbox--note"))
        return text
