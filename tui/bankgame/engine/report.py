"""The end of a day: the numbers, the score and the stars."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from .branch import Branch
from .levels import Goal
from .names import money


@dataclass(frozen=True, slots=True)
class Report:
    """What a day came to."""

    level: str
    seed: int
    mode: str
    ticks: int
    served: int
    refused: int
    left: int
    wait_mean: float
    wait_max: int
    errors: tuple
    deadlocks: tuple
    expected_total: int
    actual_total: int
    bytes_copied: int
    messages: int
    recovered_clerks: int
    score: int
    stars: int
    goals: tuple[tuple[str, bool], ...]
    remote: dict | None = None
    """A clerk across the network: ``{messages, mean_latency_ms}``, measured on the socket (wall time)."""

    def metric(self, name: str) -> float:
        """Return the value a goal of metric ``name`` is judged on."""
        return metrics(self)[name]

    def as_dict(self) -> dict:
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
            "deadlocks": [d.as_dict() for d in self.deadlocks],
            "audit": {"expected_total": self.expected_total, "actual_total": self.actual_total},
            "messages": {"sent": self.messages, "bytes_copied": self.bytes_copied},
            "recovered_clerks": self.recovered_clerks,
            "score": self.score,
            "stars": self.stars,
            "goals": [{"goal": text, "met": met} for text, met in self.goals],
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
        counts: dict[str, int] = {}
        for error in self.errors:
            counts[error.kind] = counts.get(error.kind, 0) + 1
        if counts:
            lines.append("integrity errors: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()))
            lines.append(f"  first: tick {self.errors[0].tick}: {self.errors[0].explanation}")
        else:
            lines.append("integrity errors: none")
        if self.deadlocks:
            lines.append(f"deadlocks: {len(self.deadlocks)}; first at tick {self.deadlocks[0].tick}: {self.deadlocks[0].describe()}")
        for text, met in self.goals:
            lines.append(f"  {'★' if met else '☆'} {text}")
        lines.append(f"score {self.score} · stars {'★' * self.stars}{'☆' * (3 - self.stars) if self.goals else ''}".rstrip())
        return "\n".join(lines)


def metrics(report: Report) -> dict[str, float]:
    """Return every metric a goal can name."""
    kinds = [e.kind for e in report.errors]
    return {
        "served": report.served,
        "left": report.left,
        "errors": len(kinds),
        "lost_updates": kinds.count("lost_update"),
        "overdrafts": kinds.count("overdraft"),
        "deadlocks": len(report.deadlocks),
        "mean_wait": report.wait_mean,
        "max_wait": report.wait_max,
        "ticks": report.ticks,
        "audit_gap": abs(report.actual_total - report.expected_total),
        "score": report.score,
        "recovered_clerks": report.recovered_clerks,
    }


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
    waits = branch.waits
    wait_mean = round(sum(waits) / len(waits), 2) if waits else 0.0
    actual = branch.audit_actual if branch.audit_actual is not None else sum(branch.ledger[: branch.day.accounts])
    score = score_of(branch.served, branch.left, len(branch.errors), len(branch.deadlocks), wait_mean)
    draft = Report(
        level=level, seed=branch.seed, mode=branch.mode, ticks=branch.tick, served=branch.served,
        refused=branch.refused, left=branch.left, wait_mean=wait_mean, wait_max=max(waits, default=0),
        errors=tuple(branch.errors), deadlocks=tuple(branch.deadlocks),
        expected_total=branch.expected_total, actual_total=actual, bytes_copied=branch.bytes_copied,
        messages=branch.messages_sent, recovered_clerks=branch.recovered_clerks,
        score=score, stars=0, goals=(), remote=_remote_stats(branch),
    )
    stars, verdicts = stars_of(goals, metrics(draft))
    return dataclasses.replace(draft, stars=stars, goals=verdicts)



def _remote_stats(branch: Branch) -> dict | None:
    # Only a backend with clerks across a network measures this (wall time, so never in a replay's numbers).
    stats = getattr(branch.backend, "remote_stats", None)
    return stats() if stats is not None else None
