"""A day at the branch: queue, desks, tickets, clerks, ticks.

The engine decides everything (who moves, which step, what it means); the
backend carries out the reads, writes, tickets and messages. Integrity errors
and deadlocks are detected here, at the moment they happen.
"""

from __future__ import annotations

import dataclasses
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .backend import Backend, BackendSetup, InlineBackend, Reply
from .customers import Customer, Workload, generate_customers
from .events import BoundedLog, Deadlock, ErrorKind, Event, IntegrityError, Tally, TrailStep, cap_steps
from .levels import DayConfig, Mode
from .names import account_name, cashier_name, clerk_name, dollars, money
from .primitives import Holders, branch_tickets
from .programs import (
    ADD,
    AWAIT,
    CHECK,
    CLOSED,
    GIVE,
    JUMP,
    RATES,
    READ,
    SEND,
    TAKE,
    VAULT,
    WRITE,
    DayCode,
    Step,
    TicketLayout,
    compile_message,
    compile_shared,
    parse_tickets,
    ticket_text,
)
from .waitfor import cycle

RATE_BOARD = 137  # the exchange rate shown on the board, in cents per unit
TRAIL = 512  # recent program lines, in the order they ran, kept for timelines
# What a day keeps stays bounded however long it runs; the counts stay exact.
Outcome = Literal["", "ok", "refused"]
"""How a desk's customer was served (``""``: not yet)."""
EVENTS = 10_000  # events not yet drained: a UI drains them every frame, a headless day keeps the latest
FIRST_ERRORS, RECENT_ERRORS = 100, 400  # integrity errors and deadlocks kept: the first ones and the latest
RECENT_WAITS = 1_000  # waits kept beside their count, sum and maximum
ERROR_STEPS = 64  # steps an error keeps of its interleaving: every read and write, then the latest lines
MESSAGES = 256  # recent messages (and ticks of mailbox depths) kept for the message timeline
RESTART_TICKS = 8
"""Ticks a killed clerk stays down before the branch restarts it: long enough to watch its mailbox fill."""


@dataclass(slots=True)
class StaffTicks:
    """Desk-ticks and clerk-ticks of a day: how many were open, how many at work."""

    desks: int = 0
    desks_busy: int = 0
    clerks: int = 0
    clerks_busy: int = 0
    """Ticks a clerk handled a message (one a tick at most)."""

    def count_desks(self, desks: list[Desk], open_desks: int) -> None:
        """Count one tick of the desks: a closing desk still serving its customer is open until it is done."""
        busy = sum(1 for d in desks if d.customer is not None)
        self.desks += max(open_desks, busy)
        self.desks_busy += busy

    def since(self, base: StaffTicks) -> StaffTicks:
        """Return the ticks counted after ``base``."""
        return StaffTicks(self.desks - base.desks, self.desks_busy - base.desks_busy,
                          self.clerks - base.clerks, self.clerks_busy - base.clerks_busy)


class Desk:
    """A cashier's desk: the customer being served and the program running."""

    __slots__ = (
        "index", "name", "customer", "program", "pc", "regs", "sources", "holders",
        "waiting_for", "reply", "reply_at", "started", "outcome", "served",
    )

    def __init__(self, index: int, holders: Holders) -> None:
        self.index = index
        self.name = cashier_name(index)
        self.customer: Customer | None = None
        self.program: list[Step] = []
        self.pc = 0
        self.regs: dict[str, int] = {}
        self.sources: dict[str, tuple[int, int, int, int]] = {}
        """Register → (account, value read, account version then, tick)."""
        self.holders = holders
        """The branch's record of who holds each ticket."""
        self.waiting_for = ""
        """The ticket this desk is waiting for, or ``""``."""
        self.reply: Reply | None = None
        self.reply_at = 0
        self.started = -1
        self.outcome: Outcome = ""
        """How the customer's transaction ended: ``ok`` or ``refused`` (``""``: not yet)."""
        self.served = 0

    @property
    def held(self) -> list[str]:
        """The tickets this desk holds, in the order its program took them."""
        holds = self.holders.holds
        return [s.ticket for s in self.program[: self.pc] if s.op == TAKE and holds(self.index, s.ticket)]

    @property
    def busy(self) -> bool:
        """Whether a customer is at this desk."""
        return self.customer is not None


@dataclass(slots=True)
class Message:
    """A request copied into a clerk's mailbox."""

    seq: int
    desk: int
    op: str
    account: int
    amount: int
    arrives: int
    size: int
    sent: int = 0
    """The tick it was sent."""
    clerk: int = 0
    handled: int = -1
    """The tick its clerk handled it (``-1``: not yet)."""
    replied: int = -1
    """The tick the reply reaches the desk."""
    ok: bool = True
    resent: bool = False
    """Sent again to a restarted clerk (it was not acknowledged when the clerk died)."""
    latency_ms: float | None = None
    """Measured on the socket for a clerk across a network (wall time: shown, never used to decide)."""

    def describe(self) -> str:
        """Return the message as the Mailbox panel shows it."""
        return f"#{self.seq} {self.op} {account_name(self.account)} {dollars(self.amount)}"


@dataclass
class Clerk:
    """A back-office clerk: owns some accounts, handles one message per tick."""

    index: int
    name: str
    accounts: list[int]
    latency: int = 0
    """Ticks each way for a clerk of the second branch."""
    mailbox: deque[Message] = field(default_factory=deque)
    handled: int = 0
    down: bool = False
    down_until: int = 0
    """While down: the tick the branch restarts it."""
    restarts: int = 0


class Branch:
    """One day at the branch.

    Args:
        day: the day's configuration.
        seed: fixes arrivals and the scheduler; the same seed and the same
            player actions give the same day.
        backend: executes reads, writes, tickets and messages; the in-process
            backend by default.
        code: every desk's own program (the player's edited code, from Fix the
            Program), run for every customer the desk calls instead of one
            compiled from the ticket board; ``None``: the branch's own.
    """

    def __init__(self, day: DayConfig, seed: int = 1, backend: Backend | None = None,
                 code: DayCode | None = None) -> None:
        if code is not None and (len(code.desks) != day.cashiers or len(code.opening) != day.accounts):
            raise ValueError(f"the code has {len(code.desks)} desks and {len(code.opening)} accounts; "
                             f"the day {day.cashiers} and {day.accounts}")
        self.day = day
        self.seed = seed
        self.code = code
        """The desks' own programs, when the code is the player's (the ticket board changes nothing then)."""
        self.backend: Backend = backend or InlineBackend()
        self.tick = 0
        self.mode: Mode = day.mode if day.shared_available else "message"
        self.pending_mode: Mode | Literal[""] = ""
        """The mode asked for, in force once the desks are free (``""``: none)."""
        self.layout = parse_tickets(
            day.tickets, day.accounts, TicketLayout(rates=day.rate_ticket, scope=day.ticket_scope, order=day.lock_order),
        )
        """The ticket layout the player chose: what the ticket board shows."""
        self.active_layout = self.layout
        """The layout new customers start under. It becomes ``layout`` once no
        desk is left serving under the old one (two layouts at once would put
        two different tickets on one drawer)."""
        self.open_desks = day.open_desks or day.cashiers
        """Desks that call customers (the first ``open_desks``)."""
        self.clerk_count = day.clerks
        self.pending_clerks = 0
        """Clerks asked for, applied once the desks are free and the mailboxes empty."""
        self.judged_from = 0
        """The tick from which the day's goals are judged: the moment the
        player's last change took effect, if that was within the watch phase."""
        self._judged_base: tuple[dict[str, int], int, int] = ({}, 0, 0)
        """At ``judged_from``: errors by kind, deadlocks, and ``money_wrong``."""
        self.staff_ticks = StaffTicks()
        """Ticks the open desks and the clerks were at work, and idle: what a day's staff costs."""
        self._judged_staff = StaffTicks()
        """``staff_ticks`` at ``judged_from``."""
        self.error_counts: dict[str, int] = {}
        """Integrity errors of the day by kind (``lost_update``, ``overdraft``, ``audit``)."""
        self.money_wrong = 0
        self.sent_home = 0
        self._asked_in_watch = False
        """A change asked for within the watch phase, to take effect when the desks allow."""
        """Customers of the watch phase sent home when the player's fix took effect (not judged)."""
        """Money lost updates created (+) or wiped out (−) so far: what the closing audit will find."""
        self.closed = frozenset(day.closed)
        self.customers = generate_customers(
            Workload(
                customers=day.customers, accounts=day.accounts, arrival_gap=day.arrival_gap,
                deposit=day.deposit, withdraw=day.withdraw, transfer=day.transfer,
                quote=day.quote, hot_account=day.hot_account, amount_min=day.amount_min,
                amount_max=day.amount_max, patience=day.patience, arrival_jitter=day.arrival_jitter,
            ),
            seed,
        )
        if code is not None:
            for customer in self.customers:
                customer.own_code = True
        self._next_arrival = 0
        self.queue: deque[Customer] = deque()
        self.tickets = branch_tickets(day.accounts)
        """The tickets, described once: what the backend builds its locks from."""
        self.holders = Holders(self.tickets)
        """Who holds each ticket: the one record of it (desks and boards read it here)."""
        self.desks = [Desk(i, self.holders) for i in range(day.cashiers)]
        self.clerk_of: list[int] = []
        self.clerks: list[Clerk] = []
        self._hire(day.clerks)
        total_clerks = len(self.clerks)
        self.rates_slot = day.accounts
        opening = list(code.opening) if code is not None else [day.opening_balance] * day.accounts
        self.ledger = [*opening, RATE_BOARD]
        """What the engine has seen of the ledger (reads, writes, acknowledged replies)."""
        self._version = [0] * (day.accounts + 1)
        self._last_writer = [-1] * (day.accounts + 1)
        self._last_write_span = [(0, 0)] * (day.accounts + 1)
        """``(started, tick)`` of the transaction that last wrote each slot: the other half of an error's story."""
        self.opening_total = sum(opening)
        self.expected_total = self.opening_total
        """Opening money plus deposits minus withdrawals actually paid out."""
        self.errors: BoundedLog[IntegrityError] = BoundedLog(FIRST_ERRORS, RECENT_ERRORS, lambda e: e.kind)
        self.deadlocks: BoundedLog[Deadlock] = BoundedLog(FIRST_ERRORS, RECENT_ERRORS, lambda d: "deadlock")
        self.events: deque[Event] = deque(maxlen=EVENTS)
        self.served = 0
        self.refused = 0
        self.left = 0
        self.waits = Tally(RECENT_WAITS)
        """How long each customer waited in the queue before a desk called them."""
        self.bytes_copied = 0
        self.messages_sent = 0
        self.recovered_clerks = 0
        self.steps_run = 0
        self.message_log: deque[Message] = deque(maxlen=MESSAGES)
        """Recent messages, oldest first, for the message timeline."""
        self.mailbox_depths: deque[tuple[int, tuple[int, ...]]] = deque(maxlen=MESSAGES)
        """``(tick, depth of each clerk's mailbox)`` at the end of recent ticks in message mode."""
        self.clerk_outages: deque[tuple[int, int, int]] = deque(maxlen=MESSAGES)
        """``(clerk, killed at, restarted at)`` of recent kills."""
        self._restarted: set[int] = set()
        """Clerks the branch restarted itself, whose backend has yet to report the restart."""
        self._trail: deque[tuple[int, int, str, str, int, int | None]] = deque(maxlen=TRAIL)
        """``(tick, desk, line, access, account, value)`` of recent steps in the order they ran: the interleaving."""
        self.ticket_serving: dict[str, int] = {}
        """How many holders each ticket has served: "now serving #N"."""
        self.actions: list[tuple[int, str, str]] = []
        """Player actions stamped with their tick, for replays."""
        self.over = False
        self.audit_actual: int | None = None
        self._seq = 0
        self._rng = random.Random(f"scheduler:{seed}")
        self.max_ticks = day.max_ticks or (
            (self.customers[-1].arrival if self.customers else 0) + 60 * max(1, day.customers) + 500
        )
        self.backend.open(
            BackendSetup(
                balances=tuple(self.ledger), desks=day.cashiers, clerks=total_clerks,
                clerk_of=tuple(self.clerk_of), mode=self.mode, closed=self.closed, locks=self.tickets,
            )
        )

    def _hire(self, local: int) -> None:
        """Give the accounts to ``local`` clerks here (and the second branch's own)."""
        day = self.day
        total = local + day.remote_clerks
        if day.remote_clerks:
            # The second branch's clerks keep their accounts whatever happens here.
            remote = [a % (day.clerks + day.remote_clerks) >= day.clerks for a in range(day.accounts)]
            here = [a for a in range(day.accounts) if not remote[a]]
            away = [a for a in range(day.accounts) if remote[a]]
            owner = [0] * day.accounts
            for i, a in enumerate(here):
                owner[a] = i % local
            for i, a in enumerate(away):
                owner[a] = local + i % day.remote_clerks
            self.clerk_of = owner
        else:
            self.clerk_of = [a % total for a in range(day.accounts)]
        self.clerk_count = local
        self.clerks = [
            Clerk(
                i, clerk_name(i), [a for a in range(day.accounts) if self.clerk_of[a] == i],
                latency=day.remote_latency if i >= local else 0,
            )
            for i in range(total)
        ]

    # ------------------------------------------------------------------ time
    def run(self, kill_clerk_every: int = 0) -> None:
        """Run the day to its end with the seeded scheduler."""
        while not self.over:
            if kill_clerk_every and self.mode == "message" and self.tick and self.tick % kill_clerk_every == 0:
                self.kill_clerk((self.tick // kill_clerk_every) % len(self.clerks))
            self.step_tick()

    def step_tick(self, order: list[int] | None = None) -> None:
        """Advance one tick.

        Args:
            order: the actors that move this tick, in order (desks are
                ``0..cashiers-1``, clerks follow). ``None`` lets the seeded
                scheduler shuffle every actor that can move.
        """
        if self.over:
            return
        tick = self.tick
        self._arrivals(tick)
        self._restart_clerks(tick)
        self._apply_pending()
        if not self.changing:
            for desk in self.desks[: self.open_desks]:
                if desk.customer is None and self.queue:
                    self._call(desk, self.queue.popleft())
        if order is None:
            order = self.movable()
            self._rng.shuffle(order)
        desks = len(self.desks)
        self.staff_ticks.count_desks(self.desks, self.open_desks)
        if self.mode == "message":
            self.staff_ticks.clerks += len(self.clerks)
        for actor in order:
            if actor < desks:
                desk = self.desks[actor]
                if desk.customer is not None:
                    self._desk_step(desk)
            else:
                self._clerk_step(self.clerks[actor - desks])
        if any(d.waiting_for for d in self.desks):
            self._detect_deadlock()
        self._note_recoveries()
        if self.mode == "message":
            self.mailbox_depths.append((tick, tuple(len(c.mailbox) for c in self.clerks)))
        self.tick = tick + 1
        if self._day_done() or self.tick >= self.max_ticks:
            self._close_day()

    def movable(self) -> list[int]:
        """Return the actors that can move this tick (busy desks, clerks with mail)."""
        actors = [d.index for d in self.desks if d.customer is not None]
        base = len(self.desks)
        for clerk in self.clerks:
            if not clerk.down and clerk.mailbox and clerk.mailbox[0].arrives <= self.tick:
                actors.append(base + clerk.index)
        return actors

    def actor_name(self, actor: int) -> str:
        """Return the name of desk or clerk ``actor``."""
        if actor < len(self.desks):
            return self.desks[actor].name
        return self.clerks[actor - len(self.desks)].name

    def _arrivals(self, tick: int) -> None:
        customers = self.customers
        while self._next_arrival < len(customers) and customers[self._next_arrival].arrival <= tick:
            customer = customers[self._next_arrival]
            self._next_arrival += 1
            self.queue.append(customer)
            self.events.append(Event(tick, "arrived", f"#{customer.id}", customer.describe()))
        # The longest-waiting customers stand at the front; a customer sent
        # back by a deadlock was promised service and does not leave.
        while self.queue:
            head = self.queue[0]
            if tick - head.arrival <= head.patience or head.retried:
                break
            self.queue.popleft()
            self.left += 1
            head.label = ""  # gone: a long day must not keep every customer's words
            head.left_at = tick
            self.events.append(Event(tick, "left", f"#{head.id}", f"left after {tick - head.arrival} ticks"))

    def _call(self, desk: Desk, customer: Customer) -> None:
        desk.customer = customer
        desk.pc = 0
        desk.regs = {}
        desk.sources = {}
        desk.waiting_for = ""
        desk.reply = None
        desk.outcome = "ok"
        desk.started = self.tick
        if self.code is not None:
            mine = self.code.desks[desk.index]
            desk.program = list(mine.steps)
            customer.label = f"{desk.name}'s code: {mine.does}"
        elif self.mode == "shared":
            desk.program = compile_shared(customer, self.active_layout, self.closed, self.rates_slot)
        else:
            desk.program = compile_message(customer, self.clerk_of)
        if not customer.retried:
            self.waits.append(self.tick - customer.arrival)
            customer.called = self.tick
        self.events.append(Event(self.tick, "called", desk.name, f"#{customer.id} {customer.describe()}"))

    # ---------------------------------------------------------------- desks
    def _desk_step(self, desk: Desk) -> None:
        step = desk.program[desk.pc]
        next_pc = DESK_STEPS[step.op](self, desk, step)
        if next_pc is None:
            return  # waiting: the step runs again next time
        self.steps_run += 1
        if step.op not in OWN_TRAIL:
            self._trail.append((self.tick, desk.index, step.text, "", -1, None))
        self.events.append(Event(self.tick, "step", desk.name, step.text))
        desk.pc = next_pc
        if next_pc >= len(desk.program):
            self._finish(desk)

    # The interpreter: one handler per opcode (``DESK_STEPS`` below). Each
    # returns the line to run next, or ``None`` when the desk must wait.
    def _step_read(self, desk: Desk, step: Step) -> int | None:
        if step.account < 0:
            value = RATE_BOARD  # message mode: every desk has its own copy of read-only data
            self._trail.append((self.tick, desk.index, step.text, "", -1, None))
        else:
            value = self.backend.read(desk.index, step.account)
            self.ledger[step.account] = value
            desk.sources[step.register] = (step.account, value, self._version[step.account], self.tick)
            # What was read, for the timelines.
            self._trail.append((self.tick, desk.index, f"{step.text} = {money(value)}", "read", step.account, value))
        desk.regs[step.register] = value
        return desk.pc + 1

    def _step_add(self, desk: Desk, step: Step) -> int | None:
        desk.regs[step.register] += step.amount
        return desk.pc + 1

    def _step_check(self, desk: Desk, step: Step) -> int | None:
        if desk.regs[step.register] < step.amount:
            desk.outcome = "refused"
            return step.target
        return desk.pc + 1

    def _step_closed(self, desk: Desk, step: Step) -> int | None:
        if step.account in self.closed:
            desk.outcome = "refused"
            return step.target
        return desk.pc + 1

    def _step_jump(self, desk: Desk, step: Step) -> int | None:
        return step.target

    def _step_take(self, desk: Desk, step: Step) -> int | None:
        return desk.pc + 1 if self._take(desk, step.ticket) else None

    def _step_give(self, desk: Desk, step: Step) -> int | None:
        # A refusal runs the returns below it: on the desks' own code (a check
        # before the ticket was taken) those give back only what the desk holds.
        if desk.outcome == "ok" or self.holders.holds(desk.index, step.ticket):
            self._give(desk, step.ticket)
        return desk.pc + 1

    def _step_send(self, desk: Desk, step: Step) -> int | None:
        self._send(desk, step)
        return desk.pc + 1

    def _step_await(self, desk: Desk, step: Step) -> int | None:
        reply = desk.reply
        if reply is None or desk.reply_at > self.tick:
            if desk.waiting_for != "reply":
                desk.waiting_for = "reply"
                self.events.append(Event(self.tick, "waiting", desk.name, "waiting for a reply"))
            return None
        desk.waiting_for = ""
        desk.reply = None
        if not reply.ok:
            desk.outcome = "refused"
            return step.target
        if desk.program[desk.pc - 1].message[0] == "refund":
            desk.outcome = "refused"
        return desk.pc + 1

    def _step_write(self, desk: Desk, step: Step) -> int | None:
        # On the trail first (with what it writes), so that an error's timeline ends with the write that did it.
        account = step.account
        value = desk.regs[step.register]
        self._trail.append((self.tick, desk.index, f"{step.text} = {money(value)}", "write", account, value))
        source = desk.sources.get(step.register)
        before = self.ledger[account]
        expected = before + (value - source[1]) if source is not None else value
        if source is not None and source[0] == account and source[2] != self._version[account] and expected != value:
            # A write based on a stale read: someone wrote since this desk
            # read, and this write wipes out what they wrote.
            other = self._last_writer[account]
            names = (desk.name,) + ((self.desks[other].name,) if other >= 0 and other != desk.index else ())
            self._error(
                "lost_update", account, expected, value, names,
                f"{desk.name} read {account_name(account)} = {money(source[1])} at tick {source[3]}; "
                f"{names[-1]} wrote {money(before)} since; {desk.name} wrote {money(value)} over it: "
                f"{money(abs(expected - value))} {'lost' if expected > value else 'created'}",
                other=other,
            )
        if value < 0 and value < before:  # a deposit into an overdrawn account is no new overdraft
            self._error(
                "overdraft", account, before, value, (desk.name,),
                f"{desk.name} wrote {account_name(account)} = {money(value)}: the balance went below zero "
                "because the check and the withdrawal were not done as one",
                other=self._last_writer[account],
            )
        self.backend.write(desk.index, account, value)
        self.ledger[account] = value
        self._version[account] += 1
        self._last_writer[account] = desk.index
        self._last_write_span[account] = (desk.started, self.tick)
        return desk.pc + 1

    def _error(
        self, kind: ErrorKind, account: int, expected: int, actual: int, cashiers: tuple[str, ...],
        explanation: str, other: int,
    ) -> None:
        # The story is two transactions: the one writing now, and the one
        # that last wrote this account; nothing else either cashier did.
        culprit = next(d for d in self.desks if d.name == cashiers[0])
        spans = {culprit.index: (culprit.started, self.tick)}
        if other >= 0 and other != culprit.index:
            spans[other] = self._last_write_span[account]
        # The trail is in tick order: read it back from the newest entry to the story's first tick, no further.
        first = min(start for start, _ in spans.values())
        story = []
        for entry in reversed(self._trail):
            if entry[0] < first:
                break
            if entry[1] in spans and spans[entry[1]][0] <= entry[0] <= spans[entry[1]][1]:
                story.append(entry)
        steps = [self._trail_step(entry) for entry in reversed(story)]
        error = IntegrityError(kind, self.tick, account_name(account), expected, actual, cashiers, explanation,
                               cap_steps(steps, ERROR_STEPS))
        self.errors.append(error)
        self.error_counts[kind] = self.error_counts.get(kind, 0) + 1
        if kind == "lost_update":
            self.money_wrong += actual - expected
        self.events.append(Event(self.tick, "integrity", desk_names(cashiers), f"{kind.replace('_', ' ')}: {explanation}"))

    def _take(self, desk: Desk, ticket: str) -> bool:
        lock = self.holders.number[ticket]
        if not self.backend.try_take(desk.index, lock):
            if desk.waiting_for != ticket:
                desk.waiting_for = ticket
                holders = sorted(self.holders.sets[lock])
                held_by = f" (held by {desk_names(tuple(self.desks[h].name for h in holders))})" if holders else ""
                self.events.append(Event(self.tick, "waiting", desk.name, f"waiting for {ticket_text(ticket)}{held_by}"))
            self._trail.append((self.tick, desk.index, f"… waiting for {ticket_text(ticket)}", "", -1, None))
            return False
        desk.waiting_for = ""
        self.holders.take(lock, desk.index)
        self.ticket_serving[ticket] = self.ticket_serving.get(ticket, 0) + 1
        return True

    def _give(self, desk: Desk, ticket: str) -> None:
        lock = self.holders.number[ticket]
        self.backend.give_back(desk.index, lock)
        self.holders.give(lock, desk.index)

    def _send(self, desk: Desk, step: Step) -> None:
        self._seq += 1
        op, account, amount = step.message
        clerk = self.clerks[self.clerk_of[account]]
        size = self.backend.send(clerk.index, self._seq, step.message)
        message = Message(self._seq, desk.index, op, account, amount, self.tick + clerk.latency, size,
                          sent=self.tick, clerk=clerk.index)
        clerk.mailbox.append(message)
        self.message_log.append(message)
        self.bytes_copied += size
        self.messages_sent += 1
        self.events.append(Event(self.tick, "sent", desk.name, f"{step.text} ({size} bytes copied)"))

    def _finish(self, desk: Desk) -> None:
        customer = desk.customer
        assert customer is not None
        if desk.outcome == "ok" and self.code is not None:
            self.expected_total += self.code.desks[desk.index].change
        elif desk.outcome == "ok":
            if customer.kind == "deposit":
                self.expected_total += customer.amount
            elif customer.kind == "withdraw":
                self.expected_total -= customer.amount
        else:
            self.refused += 1
        self.served += 1
        desk.served += 1
        customer.finished = self.tick
        desk.customer = None
        desk.program = []
        desk.pc = 0
        desk.waiting_for = ""
        self.events.append(Event(self.tick, "served", desk.name, f"#{customer.id} {customer.describe()}: {desk.outcome}"))
        customer.label = ""  # served: a long day must not keep every customer's words

    # --------------------------------------------------------------- clerks
    def _clerk_step(self, clerk: Clerk) -> None:
        if clerk.down or not clerk.mailbox or clerk.mailbox[0].arrives > self.tick:
            return
        message = clerk.mailbox.popleft()
        self.staff_ticks.clerks_busy += 1
        reply = self.backend.handle(clerk.index)
        if reply.seq != message.seq:
            raise RuntimeError(f"clerk {clerk.name} answered #{reply.seq}, expected #{message.seq}")
        clerk.handled += 1
        self.ledger[message.account] = reply.balance
        self.bytes_copied += reply.size
        desk = self.desks[message.desk]
        desk.reply = reply
        desk.reply_at = self.tick + clerk.latency
        message.handled, message.replied, message.ok = self.tick, desk.reply_at, reply.ok
        message.latency_ms = reply.wall_ms
        self.steps_run += 1
        verdict = "done" if reply.ok else "refused"
        self.events.append(
            Event(self.tick, "handled", clerk.name, f"{message.describe()}: {verdict}, balance {reply.balance}")
        )

    def kill_clerk(self, index: int | None = None) -> str:
        """Kill a clerk for real (message mode); the backend restarts it.

        Args:
            index: which clerk; ``None`` picks the one with the fullest mailbox.

        Returns:
            What happened, for a notice; ``""`` if nothing was done.
        """
        if self.mode != "message" or self.over or not self.clerks:
            return ""
        if index is None:
            up = [i for i, c in enumerate(self.clerks) if not c.down] or [0]
            index = max(up, key=lambda i: (len(self.clerks[i].mailbox), -i))
        if not 0 <= index < len(self.clerks):
            return ""
        clerk = self.clerks[index]
        if clerk.down:
            return f"Clerk {clerk.name} is already down; the branch restarts it at tick {clerk.down_until}."
        self.backend.kill_clerk(index)
        clerk.down = True
        clerk.down_until = self.tick + RESTART_TICKS
        self.clerk_outages.append((index, self.tick, clerk.down_until))
        self.actions.append((self.tick, "kill_clerk", str(index)))
        self.events.append(Event(self.tick, "clerk_killed", clerk.name, f"clerk {clerk.name} was killed"))
        return (f"Clerk {clerk.name} was killed; its mailbox fills until the branch restarts it "
                f"at tick {clerk.down_until}.")

    def _restart_clerks(self, tick: int) -> None:
        # The branch decides when a killed clerk comes back (the same tick on
        # every backend); the backend starts the new process on its next use.
        for clerk in self.clerks:
            if clerk.down and clerk.down_until <= tick:
                clerk.down = False
                clerk.restarts += 1
                self.recovered_clerks += 1
                self._restarted.add(clerk.index)
                for message in clerk.mailbox:
                    message.resent = True
                self.events.append(
                    Event(tick, "clerk_recovered", clerk.name,
                          f"clerk {clerk.name} restarted with the last acknowledged balances; "
                          f"{len(clerk.mailbox)} unacknowledged message(s) sent again")
                )

    def _note_recoveries(self) -> None:
        for index in self.backend.recovered():
            if index in self._restarted:  # counted when the branch restarted it
                self._restarted.discard(index)
                continue
            clerk = self.clerks[index]
            clerk.down = False
            clerk.restarts += 1
            self.recovered_clerks += 1
            self.events.append(
                Event(self.tick, "clerk_recovered", clerk.name,
                      f"clerk {clerk.name} restarted with the last acknowledged balances; unacknowledged messages sent again")
            )

    # ------------------------------------------------------------ deadlocks
    def _detect_deadlock(self) -> None:
        # Who waits for whom: a desk waiting for a ticket waits for its holders.
        waiting = [d for d in self.desks if d.waiting_for and d.waiting_for != "reply"]
        if len(waiting) < 2:
            return  # a cycle needs two desks (nobody waits for a ticket it holds)
        edges = {d.index: tuple(sorted(self.holders.of(d.waiting_for))) for d in waiting}
        if not any(holder in edges for holders in edges.values() for holder in holders):
            return  # every holder is free to move: the common case, without a graph search
        loop = cycle(edges)
        if loop:
            self._break_deadlock(loop)

    def _break_deadlock(self, cycle: list[int]) -> None:
        desks = [self.desks[i] for i in cycle]
        entries = tuple((d.name, ", ".join(d.held), d.waiting_for) for d in desks)
        # Like a database: the youngest transaction is the victim.
        victim = max(desks, key=lambda d: (d.started, d.index))
        record = Deadlock(self.tick, entries, victim.name)
        self.deadlocks.append(record)
        self.events.append(Event(self.tick, "deadlock", desk_names(tuple(d.name for d in desks)), record.describe()))
        for ticket in list(victim.held):
            self._give(victim, ticket)
        customer = victim.customer
        assert customer is not None
        customer.retried += 1
        self.queue.appendleft(customer)
        victim.customer = None
        victim.program = []
        victim.pc = 0
        victim.waiting_for = ""
        self._trail.append((self.tick, victim.index, "✗ deadlock victim: tickets returned", "", -1, None))
        self.events.append(Event(self.tick, "victim", victim.name, f"gave back its tickets; #{customer.id} returns to the front of the queue"))

    # ---------------------------------------------------------- the player
    def place_ticket(self, resource: str) -> None:
        """Put a ticket on ``vault``, ``rates`` or an account name."""
        self._set_ticket(resource, True)

    def remove_ticket(self, resource: str) -> None:
        """Take the ticket off ``vault``, ``rates`` or an account name."""
        self._set_ticket(resource, False)

    def toggle_ticket(self, resource: str) -> bool:
        """Flip the ticket on ``resource``; return whether it now has one."""
        has = self.has_ticket(resource)
        self._set_ticket(resource, not has)
        return not has

    @property
    def ticket_holder(self) -> dict[str, int]:
        """Ticket name → the desk holding it, for every ticket held (the lowest desk of a semaphore's holders)."""
        return {lock.name: min(held) for lock, held in zip(self.tickets, self.holders.sets) if held}

    def has_ticket(self, resource: str) -> bool:
        """Whether ``resource`` carries a ticket now."""
        if resource == VAULT:
            return self.layout.vault
        if resource == RATES:
            return self.layout.rates
        return account_index(resource) in self.layout.accounts

    def _set_ticket(self, resource: str, on: bool) -> None:
        if self.code is not None:
            return  # the tickets are in the desks' own code
        layout = self.layout
        if resource == VAULT:
            layout = replace_layout(layout, vault=on)
        elif resource == RATES:
            layout = replace_layout(layout, rates=on)
        else:
            index = account_index(resource) if resource.isalpha() and resource.isupper() and len(resource) <= 2 else -1
            if not 0 <= index < self.day.accounts:
                raise ValueError(f"no account {resource!r}")
            accounts = layout.accounts | {index} if on else layout.accounts - {index}
            layout = replace_layout(layout, accounts=frozenset(accounts))
        self.actions.append((self.tick, "ticket_on" if on else "ticket_off", resource))
        verb = "placed on" if on else "removed from"
        self._choose_layout(layout, f"ticket {verb} {resource}")

    def set_scope(self, scope: str) -> None:
        """Set the ticket scope: ``write`` or ``check``."""
        if scope not in ("write", "check"):
            raise ValueError(scope)
        if self.code is not None:
            return  # the tickets are in the desks' own code
        self.actions.append((self.tick, "scope", scope))
        self._choose_layout(replace_layout(self.layout, scope=scope),
                            f"ticket scope: around the {scope if scope == 'write' else 'check and the write'}")

    def set_order(self, order: str) -> None:
        """Set the rule for taking several tickets: ``any`` or ``account``."""
        if order not in ("any", "account"):
            raise ValueError(order)
        if self.code is not None:
            return  # the tickets are in the desks' own code
        self.actions.append((self.tick, "order", order))
        self._choose_layout(replace_layout(self.layout, order=order), f"lock order: {order}")

    def _asked(self) -> None:
        if self.tick <= self.day.watch_ticks:
            self._asked_in_watch = True

    def _choose_layout(self, layout: TicketLayout, what: str) -> None:
        self._asked()
        self.layout = layout
        old = self.desks_on_old_tickets()
        when = f" (for new customers once {old} desk{'s' * (old != 1)} finish on the old tickets)" if old else ""
        self.events.append(Event(self.tick, "ticket", "", what + when))
        self._apply_pending()

    def desks_on_old_tickets(self) -> int:
        """Return how many desks still serve under the old tickets while a change waits."""
        if self.layout == self.active_layout or self.mode != "shared":
            return 0
        return sum(1 for d in self.desks if d.busy)

    def change_tickets_at_once(self, layout: TicketLayout) -> None:
        """Put ``layout`` in force now, even under desks mid-transaction.

        The hazard the game otherwise prevents: desks that took the old
        tickets and desks that take the new ones can hold two different
        tickets for one drawer. For challenges that show exactly that.
        """
        self.layout = self.active_layout = layout
        self.actions.append((self.tick, "tickets_at_once", layout_code(layout)))
        self.events.append(Event(self.tick, "ticket", "", "tickets changed at once, under busy desks"))

    def set_desks(self, count: int) -> str:
        """Open ``count`` desks (the day's own number at most); a closing desk finishes its customer.

        Returns:
            Why it cannot happen, or ``""``.
        """
        if not self.day.open_desks:
            return "The number of open desks is fixed today."
        if not 1 <= count <= len(self.desks):
            return f"Between 1 and {len(self.desks)} desks can be open."
        self.open_desks = count
        self._asked()
        self.actions.append((self.tick, "desks", str(count)))
        self.events.append(Event(self.tick, "desks", "", f"{count} desks open"))
        self._note_change()
        return ""

    def set_clerks(self, count: int) -> str:
        """Ask for ``count`` back-office clerks; the accounts are shared out again once the desks are free.

        Returns:
            Why it cannot happen, or ``""``.
        """
        if not self.day.max_clerks:
            return "The number of clerks is fixed today."
        if not 1 <= count <= min(self.day.max_clerks, self.day.accounts):
            return f"Between 1 and {min(self.day.max_clerks, self.day.accounts)} clerks can work here."
        self.pending_clerks = 0 if count == self.clerk_count else count
        self._asked()
        self.actions.append((self.tick, "clerks", str(count)))
        self.events.append(Event(self.tick, "clerks", "", f"{count} clerks once the desks are free"))
        self._apply_pending()
        return ""

    def switch_mode(self) -> str:
        """Ask to switch shared ↔ message mode; it happens once the desks are free.

        Returns:
            Why it cannot happen, or ``""``.
        """
        target: Mode = "message" if (self.pending_mode or self.mode) == "shared" else "shared"
        if target == "shared" and not self.day.shared_available:
            tried = f" Its clerk tried the branch's block by name: {self.network_note}" if self.network_note else ""
            return "Shared state cannot reach the second branch: it is on another machine. Only messages can." + tried
        if target == "message" and not self.day.message_available:
            return "There is no back office yet: today every cashier works on the shared ledger."
        self.pending_mode = "" if target == self.mode else target
        self._asked()
        self.actions.append((self.tick, "mode", target))
        self.events.append(Event(self.tick, "mode", "", f"switching to {target} mode once the desks are free"))
        self._apply_pending()  # at once, if nobody is in the middle of a transaction
        return ""

    @property
    def changing(self) -> bool:
        """Whether a change waits for the desks: no new customer is called meanwhile."""
        return bool(self.pending_mode or self.pending_clerks or (self.mode == "shared" and self._new_layout()))

    def _new_layout(self) -> bool:
        """Whether the player's layout is not yet the one in force (asked every tick: mostly the very same object)."""
        return self.layout is not self.active_layout and self.layout != self.active_layout

    def _apply_pending(self) -> None:
        if not (self.pending_clerks or self.pending_mode or self._new_layout()):
            return  # nothing waits for the desks (most ticks)
        idle = not any(d.busy for d in self.desks)
        quiet = idle and not any(c.mailbox for c in self.clerks)
        changed = False
        if self._new_layout() and (idle or self.mode != "shared"):
            # Nobody holds an old ticket any more: the new layout can start.
            self.active_layout = self.layout
            changed = True
            self.events.append(Event(self.tick, "ticket", "", "new tickets in force"))
        if self.pending_clerks and quiet:
            message = self.mode == "message"
            if message:
                self.backend.set_mode("shared")  # every clerk hands its accounts back
            self._hire(self.pending_clerks)
            self.backend.set_owners(len(self.clerks), tuple(self.clerk_of))
            if message:
                self.backend.set_mode("message")
            self.pending_clerks = 0
            changed = True
            self.events.append(Event(self.tick, "clerks", "", f"{self.clerk_count} clerks own the accounts"))
        if self.pending_mode and quiet:
            self.backend.set_mode(self.pending_mode)
            self.mode = self.pending_mode
            self.pending_mode = ""
            self.ledger = self.backend.balances()
            self.active_layout = self.layout
            changed = True
            self.events.append(Event(self.tick, "mode", "", f"{self.mode} mode"))
        if changed:
            self._note_change()

    def _note_change(self) -> None:
        """A change of the player's took effect: within the watch phase, the day is judged from here."""
        asked, self._asked_in_watch = self._asked_in_watch, False
        if (self.tick > self.day.watch_ticks and not asked) or self.tick == self.judged_from:
            return
        self.judged_from = self.tick
        self._judged_base = (dict(self.error_counts), self.deadlocks.total, self.money_wrong)
        self._judged_staff = dataclasses.replace(self.staff_ticks)
        if self.queue:
            # The watch phase does not count: the line it built goes home with
            # apologies, and the judged day starts with the player's fix and an empty line.
            self.sent_home += len(self.queue)
            self.events.append(Event(self.tick, "watch_over", "", f"the watch phase is over: {len(self.queue)} waiting customers sent home with apologies; the day counts from now"))
            self.queue.clear()

    def settings(self) -> dict[str, object]:
        """Return the player's settings now, for the results and replays."""
        layout = self.layout
        out: dict[str, object] = {"mode": self.pending_mode or self.mode}
        if out["mode"] == "shared":
            out["tickets"] = layout_code(layout)
            out["scope"] = layout.scope
            out["order"] = layout.order
        if self.day.open_desks:
            out["desks"] = self.open_desks
        if self.day.max_clerks and out["mode"] == "message":
            out["clerks"] = self.pending_clerks or self.clerk_count
        return out

    # --------------------------------------------------------------- ending
    def _day_done(self) -> bool:
        return (
            self._next_arrival >= len(self.customers)
            and not self.queue
            and not any(d.busy for d in self.desks)
            and not any(c.mailbox for c in self.clerks)
        )

    def _close_day(self) -> None:
        balances = self.backend.balances()
        self._note_recoveries()
        self.ledger = balances
        self.audit_actual = sum(balances[: self.day.accounts])
        if self.audit_actual != self.expected_total:
            gap = self.audit_actual - self.expected_total
            self.error_counts["audit"] = self.error_counts.get("audit", 0) + 1
            self.errors.append(
                IntegrityError(
                    "audit", self.tick, "vault", self.expected_total, self.audit_actual, (),
                    f"closing audit: the vault holds {self.audit_actual} but deposits and withdrawals say "
                    f"{self.expected_total} ({gap:+d})",
                )
            )
            self.events.append(Event(self.tick, "integrity", "", f"audit: {gap:+d} unaccounted for"))
        self.over = True
        self.events.append(Event(self.tick, "day_over", "", f"day over: {self.served} served, {self.left} left"))

    def trail(self, desk: int | None = None) -> list[TrailStep]:
        """Return recent steps in the order they ran, of one desk or all."""
        return [self._trail_step(entry) for entry in self._trail if desk is None or entry[1] == desk]

    def _trail_step(self, entry: tuple[int, int, str, str, int, int | None]) -> TrailStep:
        tick, index, line, access, account, value = entry
        where = "" if account < 0 else RATES if account == self.rates_slot else account_name(account)
        return TrailStep(tick, self.desks[index].name, line, access, where, value)

    def drain_events(self) -> list[Event]:
        """Return the events since the last call, and forget them."""
        events = list(self.events)
        self.events.clear()
        return events

    @property
    def arrived(self) -> int:
        """Customers who have come through the door so far."""
        return self._next_arrival

    @property
    def network_note(self) -> str:
        """What a clerk across a network found when it tried the branch's shared memory (shown, never decided on)."""
        return self.backend.shared_block

    def close(self) -> None:
        """Release the backend (stop its workers)."""
        self.backend.close()

    def __enter__(self) -> Branch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


DeskStep = Callable[[Branch, Desk, Step], "int | None"]

DESK_STEPS: dict[int, DeskStep] = {
    READ: Branch._step_read, ADD: Branch._step_add, WRITE: Branch._step_write, CHECK: Branch._step_check,
    TAKE: Branch._step_take, GIVE: Branch._step_give, SEND: Branch._step_send, AWAIT: Branch._step_await,
    CLOSED: Branch._step_closed, JUMP: Branch._step_jump,
}
"""The interpreter of a desk's program: opcode → handler (``programs`` lists the opcodes)."""

OWN_TRAIL = frozenset({READ, WRITE})
"""Steps that put their own line on the trail (with the value read or written)."""


def account_index(name: str) -> int:
    """Return the index of account ``name`` (``A`` → 0, ``AA`` → 26)."""
    if len(name) == 1:
        return ord(name) - ord("A")
    return (ord(name[0]) - ord("A") + 1) * 26 + ord(name[1]) - ord("A")


def desk_names(names: tuple[str, ...]) -> str:
    """Return ``Ann & Ben``."""
    return " & ".join(names)


def layout_code(layout: TicketLayout) -> str:
    """Return the tickets of ``layout`` as ``--tickets`` takes them: ``vault``, ``A,C,rates``, ``none``."""
    names = ([VAULT] if layout.vault else []) + [account_name(a) for a in sorted(layout.accounts)]
    names += [RATES] if layout.rates else []
    return ",".join(names) or "none"


def replace_layout(layout: TicketLayout, **changes: object) -> TicketLayout:
    """Return ``layout`` with ``changes``."""
    return dataclasses.replace(layout, **changes)  # type: ignore[arg-type]
