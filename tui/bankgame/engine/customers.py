"""Customers and the seeded generator that brings them to the branch."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from typing import Literal, get_args

from .names import account_name, dollars

CustomerKind = Literal["deposit", "withdraw", "transfer", "quote"]
"""What a customer comes to do."""
KINDS: tuple[CustomerKind, ...] = get_args(CustomerKind)


@dataclass(slots=True)
class Customer:
    """One customer with one transaction."""

    id: int
    arrival: int
    """Tick at which the customer joins the queue."""
    kind: CustomerKind
    account: int
    amount: int
    to_account: int = -1
    """Destination of a transfer, -1 otherwise."""
    patience: int = 60
    """Ticks the customer waits in the queue before leaving unhappy."""
    retried: int = 0
    """Times a deadlock sent this customer back to the front of the queue."""
    label: str = ""
    """``describe()``, worked out once (events repeat it several times)."""
    called: int = -1
    """Tick a desk first called this customer, -1 while waiting."""
    left_at: int = -1
    """Tick this customer left the queue unhappy, -1 if not."""
    finished: int = -1
    """Tick this customer's transaction ended, -1 if not yet."""
    own_code: bool = False
    """Served by the desk's own program (a day on the player's code): ``kind`` and ``amount`` mean nothing."""

    def describe(self) -> str:
        """Return the transaction in a few characters, e.g. ``deposit A 50``."""
        if not self.label:
            self.label = self._describe()
        return self.label

    def _describe(self) -> str:
        if self.own_code:
            return "any desk's code"  # which desk, hence which code, is known once one calls this customer
        if self.kind == "transfer":
            return f"transfer {account_name(self.account)}→{account_name(self.to_account)} {dollars(self.amount)}"
        if self.kind == "quote":
            return "rate quote"
        return f"{self.kind} {account_name(self.account)} {dollars(self.amount)}"


@dataclass(frozen=True, slots=True)
class Workload:
    """What kind of day arrives at the door."""

    customers: int = 40
    accounts: int = 4
    arrival_gap: float = 1.0
    """Mean ticks between two arrivals (0 means everyone arrives at once)."""
    deposit: float = 1.0
    withdraw: float = 0.0
    transfer: float = 0.0
    quote: float = 0.0
    hot_account: float = 0.0
    """Share of customers whose business is with account A."""
    amount_min: int = 500
    amount_max: int = 5_000
    patience: int = 60
    arrival_jitter: float = 1.0
    """How much the gaps between arrivals vary: 0 steady, 1 anywhere from 0 to twice the mean."""


def generate_customers(workload: Workload, seed: int) -> list[Customer]:
    """Return the day's customers in arrival order; the same seed, the same day.

    Each call gets customers of its own (a day marks them called, served,
    gone); only the seeded draws behind them are kept, for the next day on
    the same workload and seed (a rewind replays the day from the start,
    a table of settings plays the same day many times).
    """
    return [
        Customer(index, arrival, kind, account, amount, to_account, workload.patience)
        for index, (arrival, kind, account, amount, to_account) in enumerate(_draw_customers(workload, seed))
    ]


@functools.lru_cache(maxsize=64)
def _draw_customers(workload: Workload, seed: int) -> tuple[tuple[int, CustomerKind, int, int, int], ...]:
    """Return each customer's ``(arrival, kind, account, amount, to_account)``, drawn from ``seed``."""
    rng = random.Random(f"customers:{seed}")
    weights = [workload.deposit, workload.withdraw, workload.transfer, workload.quote]
    if workload.accounts < 2:
        weights[2] = 0.0  # a transfer needs two accounts
    if sum(weights) <= 0:
        weights = [1.0, 0.0, 0.0, 0.0]
    customers: list[tuple[int, CustomerKind, int, int, int]] = []
    tick = 0
    for _ in range(workload.customers):
        kind = rng.choices(KINDS, weights)[0]
        account = _pick_account(rng, workload)
        to_account = -1
        if kind == "transfer":
            to_account = _pick_account(rng, workload)
            while to_account == account:
                to_account = rng.randrange(workload.accounts)
        # Whole dollars, in cents: the program lines stay readable.
        amount = max(100, rng.randint(workload.amount_min, max(workload.amount_min, workload.amount_max)) // 100 * 100)
        customers.append((tick, kind, account, amount, to_account))
        if workload.arrival_gap > 0:
            gap, jitter = workload.arrival_gap, workload.arrival_jitter
            tick += rng.randint(max(0, round(gap * (1 - jitter))), max(0, round(gap * (1 + jitter))))
    return tuple(customers)


def _pick_account(rng: random.Random, workload: Workload) -> int:
    if workload.hot_account and rng.random() < workload.hot_account:
        return 0
    return rng.randrange(workload.accounts)
