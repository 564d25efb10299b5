"""Small text helpers shared by the branch widgets (no widget here)."""

from __future__ import annotations

from ..engine import Customer, account_name, money

BARS = "▁▂▃▄▅▆▇█"

KIND_MARK = {"deposit": "+", "withdraw": "−", "transfer": "⇄", "quote": "ℹ"}


def customer_text(customer: Customer) -> str:
    """Return a customer's transaction in a few characters: ``+ deposit A $23``."""
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


def dollars_signed(cents: int) -> str:
    """Return ``+$23`` or ``-$4.50``."""
    return ("+" if cents >= 0 else "-") + dollars(abs(cents))


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
