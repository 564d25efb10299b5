"""Small text helpers shared by the branch widgets (no widget here)."""

from __future__ import annotations

from ..engine import Customer, account_name, money

BARS = "▁▂▃▄▅▆▇█"

KIND_MARK = {"deposit": "+", "withdraw": "−", "transfer": "⇄", "quote": "ℹ"}


def customer_text(customer: Customer) -> str:
    """Return a customer's transaction in a few characters: ``+ deposit A $23``."""
    if customer.own_code:
        return f"◇ {customer.describe()}"
    mark = KIND_MARK.get(customer.kind, "?")
    if customer.kind == "quote":
        return f"{mark} rate quote"
    amount = dollars(customer.amount)
    if customer.kind == "transfer":
        return f"{mark} transfer {account_name(customer.account)}→{account_name(customer.to_account)} {amount}"
    return f"{mark} {customer.kind} {account_name(customer.account)} {amount}"


def dollars(cents: int) -> str:
    """Return whole dollars without cents when there are none: ``$23`` or ``$23.50``."""
    return money(cents)[:-3] if cents % 100 == 0 else money(cents)


def seed_text(seed: int) -> str:
    """Return a seed as the status bar and the results show it: whole up to 12 digits, else its
    ends around an ellipsis (``123456…7890``), so that a seed pasted in thousands of digits long
    cannot push the rest of the line off the screen."""
    text = str(seed)
    return text if len(text) <= 12 else f"{text[:6]}…{text[-4:]}"


def sparkline(values: list[float], width: int) -> str:
    """Return the last ``width`` values as block characters, scaled to their max."""
    values = values[-width:] if width > 0 else []
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return BARS[0] * len(values)
    last = len(BARS) - 1
    return "".join(BARS[min(last, round(v / top * last))] for v in values)


def clip(text: str, width: int) -> str:
    """Return ``text`` cut to ``width`` cells with an ellipsis when it is longer."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


CREATED_WHY = (
    "Created money: the write that was wiped out had lowered the balance (a withdrawal "
    "paid out, or another stale write), so the account now shows money the vault does not have."
)
"""Said once wherever money is "created": it is as wrong as money lost."""


def gap_text(expected: int, actual: int, *, exact: bool = False) -> str:
    """Return a gap in words with a positive amount: ``$9.00 lost``, ``$9.00 created``.

    Args:
        expected: what there should be, in cents.
        actual: what there is.
        exact: say ``exact`` for no gap (else ``$0.00 lost``).
    """
    gap = actual - expected
    if gap == 0 and exact:
        return "exact"
    return f"{money(abs(gap))} {'created' if gap > 0 else 'lost'}"


def created(expected: int, actual: int) -> bool:
    """Whether a gap made money out of nothing (it needs ``CREATED_WHY``)."""
    return actual > expected
