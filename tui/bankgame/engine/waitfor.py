"""The wait-for graph of a stuck machine: who waits for whom, and why nobody moves.

A desk waiting for a lock waits for its holders; a desk waiting to receive
waits for every unfinished desk that could still send to that mailbox; a desk
asleep on a condition waits for every unfinished desk that could still
notify it. A cycle is a deadlock (of tickets, or of messages); a lock held by
a desk that has finished is a forgotten return; a sleeper nobody can wake is
a lost wake-up.
"""

from __future__ import annotations

from typing import NamedTuple

from .machine import ASLEEP, WOKEN, Machine, State
from .primitives import NOTIFY, RECEIVE, REPLY, SEND, SERVE, TAKE, TRY, WAIT

STUCK_KINDS = {
    "deadlock": "deadlock: a cycle of desks each waiting for a ticket the next one holds",
    "message_deadlock": "message deadlock: desks each waiting for a message only the next one would send",
    "forgotten_return": "a ticket held by a desk that has finished: nobody will ever give it back",
    "lost_wakeup": "a lost wake-up: asleep, and nobody is left to notify",
    "stuck": "stuck: every desk waits and nobody can move",
}


class Wait(NamedTuple):
    """One desk's wait: what for, and the desks that could end it."""

    desk: int
    what: str
    """``lock``, ``message`` or ``notify``."""
    on: str
    """The lock, mailbox or condition's name."""
    for_desks: tuple[int, ...]


def waits(machine: Machine, state: State) -> list[Wait]:
    """Return the wait of every unfinished desk that cannot move."""
    out = []
    t = machine.tables
    for desk in range(len(machine.desks)):
        if desk in machine.optional or machine.finished(state, desk) or machine.step(state, desk) is not None:
            continue
        line = machine.line(state, desk)
        assert line is not None
        if line.op in (TAKE, TRY):
            out.append(Wait(desk, "lock", t.locks[line.a].name, tuple(sorted(state.holders[line.a]))))
        elif line.op == WAIT and state.status[desk] == WOKEN:
            lock = [lk.name for lk in t.locks].index(t.conditions[line.a].lock)
            out.append(Wait(desk, "lock", t.locks[lock].name, tuple(sorted(state.holders[lock]))))
        elif line.op == WAIT and state.status[desk] == ASLEEP:
            out.append(Wait(desk, "notify", t.conditions[line.a].name, _could(machine, state, NOTIFY, line.a)))
        elif line.op == RECEIVE:
            out.append(Wait(desk, "message", t.mailboxes[line.a], _could(machine, state, SEND, line.a)))
        elif line.op == REPLY:  # the answer comes from whoever serves the mailbox the request went to
            box = t.mailboxes[machine.reply_box[desk]]
            out.append(Wait(desk, "message", box, _could(machine, state, SERVE, line.b)))
    return out


def _could(machine: Machine, state: State, op: int, target: int) -> tuple[int, ...]:
    """Desks not finished whose program has a line ``op`` on ``target``."""
    return tuple(
        d for d, program in enumerate(machine.programs)
        if not machine.finished(state, d) and any(i.op == op and i.a == target for i in program)
    )


def cycle(edges: dict[int, tuple[int, ...]]) -> list[int]:
    """Return a cycle of the wait-for graph (desks in order), or ``[]``."""
    colour: dict[int, int] = {}
    path: list[int] = []

    def visit(node: int) -> list[int]:
        colour[node] = 1
        path.append(node)
        for nxt in edges.get(node, ()):
            if colour.get(nxt) == 1:
                return path[path.index(nxt):]
            if nxt not in colour:
                found = visit(nxt)
                if found:
                    return found
        colour[node] = 2
        path.pop()
        return []

    for start in sorted(edges):
        if start not in colour:
            found = visit(start)
            if found:
                return found
    return []


def diagnose(machine: Machine, state: State) -> tuple[str, str]:
    """Return the kind of a stuck state (``STUCK_KINDS``) and a sentence naming who waits for what."""
    found = waits(machine, state)
    names = machine.names
    edges = {w.desk: w.for_desks for w in found}
    loop = cycle(edges)
    by_desk = {w.desk: w for w in found}
    if loop:
        kind = "message_deadlock" if any(by_desk[d].what != "lock" for d in loop) else "deadlock"
        parts = []
        for d in loop:
            w = by_desk[d]
            held = [t.name for i, t in enumerate(machine.tables.locks) if d in state.holders[i]]
            holds = f"holds {', '.join(held)}, " if held else ""
            parts.append(f"{names[d]} {holds}waits for {_thing(w)}")
        return kind, " → ".join(parts)
    for w in found:
        if w.what == "lock" and w.for_desks and all(machine.finished(state, h) for h in w.for_desks):
            holder = " and ".join(names[h] for h in w.for_desks)
            return "forgotten_return", f"{names[w.desk]} waits for {w.on}, which {holder} finished without returning"
    for w in found:
        if w.what == "notify" and not w.for_desks:
            return "lost_wakeup", f"{names[w.desk]} sleeps waiting for {w.on}, and nobody is left to notify"
    text = "; ".join(f"{names[w.desk]} waits for {_thing(w)}" for w in found)
    return "stuck", text or "nobody can move"


def _thing(w: Wait) -> str:
    if w.what == "lock":
        return w.on
    if w.what == "message":
        return f"a message in {w.on}"
    return f"a notification ({w.on})"
