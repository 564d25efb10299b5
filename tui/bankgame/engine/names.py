"""Display names for accounts, cashiers and clerks."""

from __future__ import annotations

import string

CASHIER_NAMES = (
    "Ann", "Ben", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal",
    "Ivy", "Jon", "Kim", "Lou", "Max", "Nia", "Oli", "Pam",
)
CLERK_NAMES = (
    "Ada", "Bob", "Cyd", "Dot", "Edd", "Flo", "Gil", "Hep",
    "Isa", "Jet", "Kai", "Liv", "Mo", "Ned", "Ora", "Pip",
)


def account_name(index: int) -> str:
    """Return ``A``..``Z`` for the first 26 accounts, then ``AA``, ``AB``...."""
    letters = string.ascii_uppercase
    if index < 26:
        return letters[index]
    return letters[index // 26 - 1] + letters[index % 26]


def cashier_name(index: int) -> str:
    """Return a short human name for desk ``index``."""
    return CASHIER_NAMES[index] if index < len(CASHIER_NAMES) else f"D{index + 1}"


def clerk_name(index: int) -> str:
    """Return a short human name for back-office clerk ``index``."""
    return CLERK_NAMES[index] if index < len(CLERK_NAMES) else f"K{index + 1}"


def money(cents: int, sign: bool = False) -> str:
    """Return cents as ``$12.34`` (``+$0.50`` with ``sign``)."""
    prefix = "-" if cents < 0 else ("+" if sign else "")
    cents = abs(cents)
    return f"{prefix}${cents // 100:,}.{cents % 100:02d}"


def dollars(cents: int) -> str:
    """Return an amount the way a program line shows it: ``$19``, or ``$19.50``."""
    return f"${cents // 100:,}" if cents % 100 == 0 else money(cents)
