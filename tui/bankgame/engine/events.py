"""Every state change of a day is also an event, so a UI or a log can follow it."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Generic, Literal, NamedTuple, TypeVar, overload

T = TypeVar("T")

EventKind = Literal[
    "arrived", "left", "called", "step", "waiting", "served", "integrity", "deadlock", "victim",
    "sent", "handled", "clerk_killed", "clerk_recovered", "ticket", "mode", "desks", "clerks",
    "watch_over", "day_over",
]
"""What an event is about (``Event.kind``)."""
ErrorKind = Literal["lost_update", "overdraft", "counted_twice", "audit"]
"""An integrity error's kind (``integrity.KINDS`` says each in words)."""


class Event(NamedTuple):
    """One thing that happened at the branch."""

    tick: int
    kind: EventKind
    who: str
    """The cashier, clerk or customer concerned, or ``""``."""
    detail: str
    """What happened, in words a player reads."""


class TrailStep(NamedTuple):
    """One step a cashier ran, as a timeline shows it."""

    tick: int
    cashier: str
    line: str
    """The program's line, with the value read or written (``r = read A = $12``)."""
    access: str = ""
    """``read`` or ``write`` when the step read or wrote ``account``; ``""`` for any other step."""
    account: str = ""
    """The account (``A``) or ``rates`` it read or wrote."""
    value: int | None = None
    """The cents it read or wrote."""


def cap_steps(steps: Sequence[TrailStep], limit: int) -> tuple[TrailStep, ...]:
    """Return at most ``limit`` of ``steps`` (more only if its reads and writes alone are more), in their order.

    A cashier that waited a long time for a ticket adds a ``… waiting`` line
    each tick; an error keeps every read and write (the stale read and the
    write that broke the ledger), the last step, and the latest other lines
    in the room left, so that a day's errors stay small however long a desk
    waited.
    """
    if len(steps) <= limit:
        return tuple(steps)
    last = len(steps) - 1
    keep = {i for i, step in enumerate(steps) if step.access or i == last}
    others = [i for i in range(len(steps)) if i not in keep]
    room = max(0, limit - len(keep))
    keep.update(others[len(others) - room:] if room else ())
    return tuple(steps[i] for i in sorted(keep))


@dataclass(frozen=True, slots=True)
class IntegrityError:
    """An integrity error, caught at the moment it happened."""

    kind: ErrorKind
    tick: int
    account: str
    expected: int
    actual: int
    cashiers: tuple[str, ...]
    explanation: str
    steps: tuple[TrailStep, ...] = ()
    """The interleaving that caused it: the steps of each cashier involved."""

    def as_dict(self) -> dict[str, object]:
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

    def as_dict(self) -> dict[str, object]:
        """Return the fields the JSON report shows."""
        return {
            "tick": self.tick,
            "cycle": [{"cashier": c, "holds": h, "waits_for": w} for c, h, w in self.cycle],
            "victim": self.victim,
        }

    def describe(self) -> str:
        """Return the cycle in one line: ``Ann holds A, waits for B → Ben holds B, waits for A``."""
        return " → ".join(f"{c} holds {h}, waits for {w}" for c, h, w in self.cycle)


class BoundedLog(Sequence[T], Generic[T]):
    """A list that keeps the first ``first`` items and the last ``recent`` ones, and counts them all.

    A day with no tickets makes integrity errors every few ticks: the day
    keeps the first ones (the story of how it went wrong), a window of the
    latest (what is happening now), and exact counts of all, by ``kind``,
    so that a report, a score and a goal are the same as if it kept everything.
    """

    def __init__(self, first: int, recent: int, kind_of: Callable[[T], str]) -> None:
        self._kind_of = kind_of
        """What ``counts`` counts an item under."""
        self._first: list[T] = []
        self._cap = first
        self._recent: deque[T] = deque(maxlen=recent)
        self.total = 0
        """Every item ever appended."""
        self.counts: dict[str, int] = {}
        """Every item ever appended, by its ``kind`` (in order of first appearance)."""

    def append(self, item: T) -> None:
        """Add ``item``: kept among the first, or in the window of the latest."""
        self.total += 1
        kind = self._kind_of(item)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if len(self._first) < self._cap:
            self._first.append(item)
        else:
            self._recent.append(item)

    @property
    def dropped(self) -> int:
        """Items counted but no longer kept (between the first and the latest)."""
        return self.total - len(self)

    def __len__(self) -> int:
        return len(self._first) + len(self._recent)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (BoundedLog, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BoundedLog({list(self)!r}, total={self.total})"

    def __iter__(self) -> Iterator[T]:
        return chain(self._first, self._recent)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        first = len(self._first)
        return self._first[index] if index < first else self._recent[index - first]


class Tally:
    """Numbers counted all day (how many, their sum, the largest) plus a window of the latest."""

    def __init__(self, recent: int) -> None:
        self.recent: deque[int] = deque(maxlen=recent)
        self.count = 0
        self.total = 0
        self.max = 0

    def append(self, value: int) -> None:
        """Count ``value``."""
        self.recent.append(value)
        self.count += 1
        self.total += value
        self.max = max(self.max, value)

    def mean(self) -> float:
        """Return the mean of every value counted, to two decimals (0.0 for none)."""
        return round(self.total / self.count, 2) if self.count else 0.0

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[int]:
        return iter(self.recent)

    def __eq__(self, other: object) -> bool:
        # Two days compare equal when they counted the same values (a step back checks this).
        if isinstance(other, Tally):
            return (self.count, self.total, self.max, list(self.recent)) == (
                other.count, other.total, other.max, list(other.recent))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
