"""The ledger: each account's balance, the vault total against what it should be."""

from __future__ import annotations

from rich.text import Text

from ..engine import Branch, account_name, money
from .panel import BranchPanel
from .text import clip, dollars


class LedgerPanel(BranchPanel):
    """Balances as the engine has seen them, and the running audit."""

    COMPONENT_CLASSES = {"ledger--name", "ledger--ok", "ledger--bad", "ledger--note"}

    DEFAULT_CSS = """
    LedgerPanel { height: auto; }
    LedgerPanel > .ledger--name { color: $text-muted; }
    LedgerPanel > .ledger--ok { color: $text-success; }
    LedgerPanel > .ledger--bad { color: $text-error; text-style: bold; }
    LedgerPanel > .ledger--note { color: $text-muted; }
    """

    def __init__(self, branch: Branch, *, id: str | None = None) -> None:
        super().__init__(branch, id=id)
        self.border_title = "Ledger"

    # Its height depends only on the accounts and the width: no new layout.
    def signature(self, branch: Branch) -> tuple:
        # Work in flight turns "✗ vault ≠ expected" into "◷ work in flight".
        in_flight = any(d.busy for d in branch.desks) or any(c.mailbox for c in branch.clerks)
        return (tuple(branch.ledger), branch.expected_total, branch.over, in_flight)

    def _columns(self, width: int) -> int:
        return max(1, min(4, width // 15))

    def get_content_height(self, container, viewport, width: int) -> int:
        accounts = self.branch.day.accounts
        return -(-accounts // self._columns(width)) + 1

    def draw(self, branch: Branch) -> Text:
        width = self.size.width
        style = self.get_component_rich_style
        accounts = branch.day.accounts
        columns = self._columns(width)
        cell = width // columns
        text = Text(no_wrap=True, overflow="crop")
        for start in range(0, accounts, columns):
            for account in range(start, min(accounts, start + columns)):
                balance = branch.ledger[account]
                bad = balance < 0
                text.append(f"{account_name(account):>2} ", style("ledger--name"))
                text.append(f"{money(balance):>{cell - 4}} ", style("ledger--bad") if bad else "")
            text.append("\n")
        actual = sum(branch.ledger[:accounts])
        expected = branch.expected_total
        in_flight = any(d.busy for d in branch.desks) or any(c.mailbox for c in branch.clerks)
        if actual == expected:
            text.append(clip(f"✓ vault {money(actual)} = expected", width), style("ledger--ok"))
        elif in_flight and not branch.over:
            text.append(clip(f"◷ vault {money(actual)} · work in flight", width), style("ledger--note"))
        else:
            text.append(clip(f"✗ vault {dollars(actual)} ≠ {dollars(expected)} ({dollars(abs(actual - expected))} {'created' if actual > expected else 'lost'})", width),
                        style("ledger--bad"))
        return text
