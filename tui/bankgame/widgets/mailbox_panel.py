"""The Mailbox panel (message mode): clerks, their mailboxes, bytes copied."""

from __future__ import annotations

from rich.text import Text

from ..engine import Branch, account_name
from .panel import BranchPanel
from .text import clip


class MailboxPanel(BranchPanel):
    """Each clerk's state and the messages in flight to it."""

    COMPONENT_CLASSES = {"mailbox--up", "mailbox--down", "mailbox--restarted", "mailbox--message", "mailbox--note"}

    DEFAULT_CSS = """
    MailboxPanel { height: auto; }
    MailboxPanel > .mailbox--up { text-style: bold; }
    MailboxPanel > .mailbox--down { color: $text-error; text-style: bold; }
    MailboxPanel > .mailbox--restarted { color: $text-warning; text-style: bold; }
    MailboxPanel > .mailbox--message { color: $text-muted; }
    MailboxPanel > .mailbox--note { color: $text-muted; }
    """

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(branch, id=id)
        self.border_title = "Mailboxes"

    # One height for the whole day: two lines per clerk.
    def signature(self, branch: Branch) -> tuple:
        return (
            branch.messages_sent, branch.bytes_copied,
            tuple((c.handled, c.down, c.restarts, c.latency, tuple(c.accounts), tuple(m.describe() for m in c.mailbox))
                  for c in branch.clerks),
        )

    def decorate(self, branch: Branch) -> None:
        self.border_title = f"Mailboxes · ✉ {branch.messages_sent} sent"
        self.border_subtitle = f"{branch.bytes_copied:,} bytes copied"

    def get_content_height(self, container, viewport, width: int) -> int:
        return 2 * len(self.branch.clerks) + 1

    def draw(self, branch: Branch) -> Text:
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
