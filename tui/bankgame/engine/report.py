"""The end of a day: the numbers, the score and the stars."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from .branch import Branch, StaffTicks
from .events import Deadlock, IntegrityError
from .levels import Goal, Mode
from .names import money


@dataclass(frozen=True, slots=True)
class Report:
    """What a day came to."""

    level: str
    seed: int
    mode: Mode
    ticks: int
    served: int
    refused: int
    left: int
    wait_mean: float
    wait_max: int
    errors: tuple[IntegrityError, ...]
    """The integrity errors the day kept: its first ones and its latest (``error_counts`` counts them all)."""
    deadlocks: tuple[Deadlock, ...]
    """The deadlocks the day kept (``deadlock_count`` counts them all)."""
    error_counts: tuple[tuple[str, int], ...]
    """Every integrity error of the day, counted by kind."""
    deadlock_count: int
    expected_total: int
    actual_total: int
    bytes_copied: int
    messages: int
    recovered_clerks: int
    score: int
    stars: int
    goals: tuple[tuple[str, bool], ...]
    judged_from: int = 0
    """The tick the goals are judged from (the player's fix, within the watch phase)."""
    judged: dict[str, float] = dataclasses.field(default_factory=dict)
    """Each goal metric over the judged part of the day."""
    settings: dict[str, object] = dataclasses.field(default_factory=dict)
    """The player's settings at the end of the day (``Branch.settings``)."""
    watch_ticks: int = 0
    """The level's watch phase; a change asked for later does not restart the judging."""
    changed_late: bool = False
    """Whether the player changed a setting after the watch phase."""
    remote: dict[str, float | str] | None = None
    """A clerk across the network: ``{messages, mean_latency_ms}``, measured on the socket (wall time)."""

    def metric(self, name: str) -> float:
        """Return the value a goal of metric ``name`` is judged on."""
        return self.judged[name] if name in self.judged else metrics(self)[name]

    def as_dict(self) -> dict[str, object]:
        """Return the report as the ``--json`` object, in a fixed key order."""
        return {
            "level": self.level,
            "seed": self.seed,
            "mode": self.mode,
            "ticks": self.ticks,
            "served": self.served,
            "refused": self.refused,
            "left": self.left,
            "wait": {"mean": self.wait_mean, "max": self.wait_max},
            "integrity_errors": [e.as_dict() for e in self.errors],
            "integrity_error_counts": dict(self.error_counts),
            "deadlocks": [d.as_dict() for d in self.deadlocks],
            "deadlock_count": self.deadlock_count,
            "audit": {"expected_total": self.expected_total, "actual_total": self.actual_total},
            "messages": {"sent": self.messages, "bytes_copied": self.bytes_copied},
            "recovered_clerks": self.recovered_clerks,
            "score": self.score,
            "stars": self.stars,
            "goals": [{"goal": text, "met": met} for text, met in self.goals],
            "judged_from": self.judged_from,
            "settings": self.settings,
        } | ({"remote": self.remote} if self.remote is not None else {})

    def to_json(self) -> str:
        """Return the report as one JSON object."""
        return json.dumps(self.as_dict(), ensure_ascii=False)

    def to_text(self) -> str:
        """Return a short report a person reads."""
        lines = [
            f"{self.level} · seed {self.seed} · {self.mode} mode · {self.ticks} ticks",
            f"served {self.served} ({self.refused} refused) · left unhappy {self.left} · "
            f"wait mean {self.wait_mean:.1f} max {self.wait_max} ticks",
            f"audit: expected {money(self.expected_total)}, counted {money(self.actual_total)}"
            + ("  ✓ exact" if self.expected_total == self.actual_total else
               f"  ✗ {money(self.actual_total - self.expected_total, sign=True)}"),
        ]
        if self.mode == "message" or self.messages:
            lines.append(f"messages: {self.messages} sent, {self.bytes_copied} bytes copied"
                         + (f", {self.recovered_clerks} clerk(s) recovered" if self.recovered_clerks else ""))
        if self.remote is not None:
            lines.append(f"remote clerk: {self.remote['messages']} messages over TCP, "
                         f"mean round trip {self.remote['mean_latency_ms']:.3f} ms (measured)"
                         + (f", {self.remote['reconnects']} reconnection(s)" if self.remote.get("reconnects") else "")
                         + (f", {self.remote['resent']} sent again" if self.remote.get("resent") else ""))
            if self.remote.get("shared_memory"):
                lines.append(f"shared memory from the remote clerk: {self.remote['shared_memory']}")
        counts = dict(self.error_counts)
        if counts:
            lines.append("integrity errors: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()))
            lines.append(f"  first: tick {self.errors[0].tick}: {self.errors[0].explanation}")
        else:
            lines.append("integrity errors: none")
        if self.deadlocks:
            lines.append(f"deadlocks: {self.deadlock_count}; first at tick {self.deadlocks[0].tick}: {self.deadlocks[0].describe()}")
        if self.settings:
            lines.append("settings: " + settings_text(self.settings))
        if self.judged_from:
            lines.append(f"goals judged from tick {self.judged_from}, when your change took effect")
        for text, met in self.goals:
            lines.append(f"  {'★' if met else '☆'} {text}")
        lines.append(f"score {self.score} · stars {'★' * self.stars}{'☆' * (3 - self.stars) if self.goals else ''}".rstrip())
        return "\n".join(lines)


def metrics(report: Report) -> dict[str, float]:
    """Return every metric a goal can name."""
    counts = dict(report.error_counts)
    return {
        "served": report.served,
        "left": report.left,
        "errors": sum(counts.values()),
        "lost_updates": counts.get("lost_update", 0),
        "overdrafts": counts.get("overdraft", 0),
        "deadlocks": report.deadlock_count,
        "mean_wait": report.wait_mean,
        "max_wait": report.wait_max,
        "ticks": report.ticks,
        "audit_gap": abs(report.actual_total - report.expected_total),
        "score": report.score,
        "recovered_clerks": report.recovered_clerks,
        "desk_use": report.judged.get("desk_use", 100.0),
        "clerk_use": report.judged.get("clerk_use", 100.0),
    }


def judged_metrics(branch: Branch) -> dict[str, float]:
    """Return every goal metric over the judged part of the day: from ``branch.judged_from`` on.

    Customers count if they came in from then on; errors and deadlocks if
    they happened from then on; the audit counts only money that went wrong
    from then on.
    """
    start = branch.judged_from
    judged = [c for c in branch.customers if c.arrival >= start]
    waits = [c.called - c.arrival for c in judged if c.called >= 0]
    base_errors, base_deadlocks, base_wrong = branch._judged_base
    counts = {k: n - base_errors.get(k, 0) for k, n in branch.error_counts.items()}
    actual = branch.audit_actual if branch.audit_actual is not None else sum(branch.ledger[: branch.day.accounts])
    gap = abs(actual - branch.expected_total - base_wrong) if branch.over else abs(branch.money_wrong - base_wrong)
    errors = sum(n for k, n in counts.items() if k != "audit") + (1 if gap else 0)
    left = sum(1 for c in judged if c.left_at >= 0)
    served = sum(1 for c in judged if c.finished >= 0)
    deadlocks = branch.deadlocks.total - base_deadlocks
    mean = round(sum(waits) / len(waits), 2) if waits else 0.0
    return {
        "served": served,
        "left": left,
        "errors": errors,
        "lost_updates": counts.get("lost_update", 0),
        "overdrafts": counts.get("overdraft", 0),
        "deadlocks": deadlocks,
        "mean_wait": mean,
        "max_wait": max(waits, default=0),
        "ticks": branch.tick,
        "audit_gap": gap,
        "score": score_of(served, left, errors, deadlocks, mean),
        "recovered_clerks": branch.recovered_clerks,
        **staff_use(branch.staff_ticks.since(branch._judged_staff)),
    }


def staff_use(ticks: StaffTicks) -> dict[str, float]:
    """Return the share of their time (percent) the open desks served a customer and the clerks handled a message.

    Staff costs by the tick whether busy or not: a desk or a clerk more than
    the work needs brings its share down. Before anyone was counted, 100.
    """
    def share(busy: int, total: int) -> float:
        return round(100 * busy / total, 1) if total else 100.0

    return {"desk_use": share(ticks.desks_busy, ticks.desks), "clerk_use": share(ticks.clerks_busy, ticks.clerks)}


def settings_text(settings: dict[str, object]) -> str:
    """Return the player's settings in one line: ``shared · tickets A,B · scope check+write · any order``."""
    parts = [f"{settings.get('mode', 'shared')} mode"]
    if "tickets" in settings:
        tickets = str(settings["tickets"])
        parts.append("no tickets" if tickets == "none" else f"tickets {tickets.replace('vault', 'whole vault').replace('rates', 'rate board')}")
        if tickets != "none":
            parts.append("scope " + ("check+write" if settings.get("scope") == "check" else "write only"))
            parts.append("account order" if settings.get("order") == "account" else "any order")
    if "desks" in settings:
        parts.append(f"{settings['desks']} desks open")
    if "clerks" in settings:
        parts.append(f"{settings['clerks']} clerks")
    return " · ".join(parts)


def score_of(served: int, left: int, errors: int, deadlocks: int, wait_mean: float) -> int:
    """Return a day's score: service counts, errors and waiting cost."""
    return max(0, served * 10 - left * 5 - errors * 50 - deadlocks * 20 - round(wait_mean))


def stars_of(goals: tuple[Goal, ...], values: dict[str, float]) -> tuple[int, tuple[tuple[str, bool], ...]]:
    """Return the stars earned (goals met in order) and each goal's verdict."""
    verdicts = tuple((goal.text, goal.met(values[goal.metric])) for goal in goals)
    stars = 0
    for _, met in verdicts:
        if not met:
            break
        stars += 1
    return stars, verdicts


def make_report(branch: Branch, level: str = "sandbox", goals: tuple[Goal, ...] = ()) -> Report:
    """Return the report of ``branch`` (a day that is over, or the day so far)."""
    wait_mean = branch.waits.mean()
    actual = branch.audit_actual if branch.audit_actual is not None else sum(branch.ledger[: branch.day.accounts])
    score = score_of(branch.served, branch.left, branch.errors.total, branch.deadlocks.total, wait_mean)
    draft = Report(
        level=level, seed=branch.seed, mode=branch.mode, ticks=branch.tick, served=branch.served,
        refused=branch.refused, left=branch.left, wait_mean=wait_mean, wait_max=branch.waits.max,
        errors=tuple(branch.errors), deadlocks=tuple(branch.deadlocks),
        error_counts=tuple(branch.errors.counts.items()), deadlock_count=branch.deadlocks.total,
        expected_total=branch.expected_total, actual_total=actual, bytes_copied=branch.bytes_copied,
        messages=branch.messages_sent, recovered_clerks=branch.recovered_clerks,
        score=score, stars=0, goals=(), remote=branch.backend.remote_stats(),
    )
    judged = judged_metrics(branch)
    stars, verdicts = stars_of(goals, judged)
    return dataclasses.replace(draft, stars=stars, goals=verdicts, judged_from=branch.judged_from,
                               judged=judged, settings=branch.settings(), watch_ticks=branch.day.watch_ticks,
                               changed_late=any(t > branch.day.watch_ticks for t, kind, _ in branch.actions
                                                if kind != "kill_clerk"))


