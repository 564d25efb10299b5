"""Every state change of a day is also an event, so a UI or a log can follow it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Event(NamedTuple):
    """One thing that happened at the branch."""

    tick: int
    kind: str
    """``arrived``, ``left``, ``called``, ``step``, ``waiting``, ``served``,
    ``integrity``, ``deadlock``, ``sent``, ``handled``, ``clerk_killed``,
    ``clerk_recovered``, ``ticket``, ``mode``, ``day_over``."""
    who: str
    """The cashier, clerk or customer concerned, or ``""``."""
    detail: str
    """What happened, in words a player reads."""


@dataclass(frozen=True, slots=True)
class IntegrityError:
    """An integrity error, caught at the moment it happened."""

    kind: str
    """``lost_update``, ``overdraft`` or ``audit``."""
    tick: int
    account: str
    expected: int
    actual: int
    cashiers: tuple[str, ...]
    explanation: str
    steps: tuple[tuple[int, str, str], ...] = ()
    """The interleaving that caused it: ``(tick, cashier, line)`` of each cashier involved."""

    def as_dict(self) -> dict:
        """Return the fields the JSON report shows."""
        return {
            "kind": self.kind, "tick": self.tick, "account": self.account,
            "expected": self.expected, "actual": self.actual, "cashiers": list(self.cashiers),
        }


@dataclass(frozen=True, slots=True)
class Deadlock:
    """A cycle of cashiers each waiting for a ticket the next one holds."""

    tick: int
    cycle: tuple[tuple[str, str, str], ...]
    """``(cashier, holds, waits_for)`` around the cycle."""
    victim: str

    def as_dict(self) -> dict:
        """Return the fields the JSON report shows."""
        return {
            "tick": self.tick,
            "cycle": [{"cashier": c, "holds": h, "waits_for": w} for c, h, w in self.cycle],
            "victim": self.victim,
        }

    def describe(self) -> str:
        """Return the cycle in one line: ``Ann holds A, waits for B → Ben holds B, waits for A``."""
        return " → ".join(f"{c} holds {h}, waits for {w}" for c, h, w in self.cycle)
