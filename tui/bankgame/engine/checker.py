"""The checker: every order of the desks' steps, tried.

``check(machine)`` explores the distinct states the desks can reach under
every order of their steps, breadth-first, with two savings:

- **state caching**: two orders that reach the same state are explored once
  from there;
- **a partial-order reduction**: a step that touches only its desk's own
  registers (``r = r + $50``, a refusal, a ``go to``) commutes with every
  other desk's step, so it is taken at once and not tried in every position.
  (The usual cycle proviso: if that step leads to a state already seen, the
  state is expanded in full.)

It answers one of:

- ``broken``: an integrity error is reachable; ``kind`` says which and
  ``shortest`` is the shortest schedule that causes it (breadth-first, then cut
  to the steps the damage depends on);
- ``deadlocked``: a state where nobody can move before every desk has finished
  (``kind``: a ticket cycle, a message cycle, a forgotten return, a lost
  wake-up);
- ``livelocked``: a cycle of states that changes nothing in the ledger while
  every unfinished desk keeps moving;
- ``starved``: a cycle in which one desk never moves while every other
  unfinished desk does, and it is shut out at some point of every turn (it is
  not merely ignored by the scheduler);
- ``safe``: none of these, with the number of orders tried.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from .integrity import KINDS, Broken
from .machine import Machine, State
from .waitfor import STUCK_KINDS, diagnose

MAX_STATES = 200_000
"""Beyond this many distinct states a check gives up (``TooLarge``)."""

VERDICTS = ("broken", "deadlocked", "livelocked", "starved", "safe")


class TooLarge(RuntimeError):
    """More distinct states than the checker explores."""


Verdict = Literal["safe", "broken", "deadlocked", "livelocked", "starved"]
"""What the checker found: no order goes wrong, or what the worst order does."""


@dataclass(frozen=True)
class CheckReport:
    """The checker's answer about one machine."""

    verdict: Verdict
    kind: str
    """The integrity error (``integrity.KINDS``), the kind of stuck state (``waitfor.STUCK_KINDS``),
    ``livelock``, ``starvation``, or ``""`` when safe."""
    text: str
    states: int
    orders: int | None
    """Complete orders explored (an order ends at its end, its first error, or stuck). Orders that
    differ only in when a desk ran a step of its own arithmetic (which nobody else can see) count
    once: the reduction runs such a step at once. ``None`` when the desks can loop for ever, so that
    orders have no end."""
    bad_orders: int
    """Orders among them that end broken or stuck."""
    shortest: tuple[int, ...]
    """The shortest schedule (desk indices) reaching the verdict; for ``safe``, the shortest complete order."""
    names: tuple[str, ...]
    loop_from: int = -1
    """For a livelock or a starvation: where, in ``shortest``, the loop starts (the state repeats at the end)."""
    starved: int = -1

    @property
    def shortest_names(self) -> list[str]:
        """The shortest schedule as the desks' names."""
        return [self.names[d] for d in self.shortest]

    @property
    def par(self) -> int:
        """Steps in the checker's shortest schedule: the puzzle's par."""
        return len(self.shortest)

    def summary(self) -> str:
        """Return the verdict in one plain sentence."""
        orders = f"{self.orders:,}" if self.orders is not None else "endless"
        if self.verdict == "safe":
            return (f"Nothing can break this: every one of the {orders} possible orders of the steps "
                    f"({self.states:,} distinct states) ends with every cent where it should be.")
        if self.verdict == "broken":
            return f"Broken: {KINDS.get(self.kind, self.kind)} in {self.par} steps. {self.text}"
        if self.verdict == "deadlocked":
            return f"Deadlocked in {self.par} steps: {self.text}"
        if self.verdict == "livelocked":
            return f"Livelocked: {self.text}"
        return f"Starved: {self.text}"

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON fields of ``bankgame check``."""
        return {
            "verdict": self.verdict, "kind": self.kind, "text": self.text, "states": self.states,
            "orders": self.orders, "bad_orders": self.bad_orders, "shortest": self.shortest_names,
            "par": self.par, "loop_from": self.loop_from,
            "starved": self.names[self.starved] if self.starved >= 0 else None,
        }


@dataclass
class Graph:
    """The explored state graph."""

    states: list[State] = field(default_factory=list)
    ids: dict[State, int] = field(default_factory=dict)
    parent: list[tuple[int, int]] = field(default_factory=list)
    dist: list[int] = field(default_factory=list)
    edges: list[list[tuple[int, int, bool]]] = field(default_factory=list)
    """Per state: ``(desk, next state or -1 for a broken step, progress)``."""
    errors: list[tuple[int, int, Broken]] = field(default_factory=list)
    """``(state, desk, error)`` of each step that breaks something, in breadth-first order."""
    ends: list[int] = field(default_factory=list)
    audits: list[tuple[int, Broken]] = field(default_factory=list)
    stuck: list[int] = field(default_factory=list)

    def add(self, state: State, parent: int, desk: int) -> int:
        index = len(self.states)
        self.states.append(state)
        self.ids[state] = index
        self.parent.append((parent, desk))
        self.dist.append(self.dist[parent] + 1 if parent >= 0 else 0)
        self.edges.append([])
        return index

    def path(self, index: int) -> list[int]:
        """Return the desks' steps from the start to state ``index``."""
        steps = []
        while index > 0:
            index, desk = self.parent[index]
            steps.append(desk)
        return steps[::-1]


def explore(machine: Machine, max_states: int = MAX_STATES) -> Graph:
    """Return every distinct state reachable from the start (with the reduction).

    Raises:
        TooLarge: more than ``max_states`` states.
    """
    graph = Graph()
    graph.add(machine.initial(), -1, -1)
    desks = range(len(machine.desks))
    queue = deque([0])
    step, is_local, ids = machine.step, machine.is_local, graph.ids
    while queue:
        index = queue.popleft()
        state = graph.states[index]
        out = graph.edges[index]
        choice: tuple[int, ...] | range = desks
        for desk in desks:
            if is_local(state, desk):
                outcome = step(state, desk)
                if outcome is not None and outcome.state not in ids:
                    choice = (desk,)  # independent of everything: no need to try it in every position
                break
        for desk in choice:
            outcome = step(state, desk)
            if outcome is None:
                continue
            if outcome.broken is not None:
                graph.errors.append((index, desk, outcome.broken))
                out.append((desk, -1, outcome.progress))
                continue
            target = ids.get(outcome.state)
            if target is None:
                if len(graph.states) >= max_states:
                    raise TooLarge(f"more than {max_states:,} distinct states")
                target = graph.add(outcome.state, index, desk)
                queue.append(target)
            out.append((desk, target, outcome.progress))
        if not out:
            if machine.done(state):
                broken = machine.closing_audit(state)
                if broken is not None:
                    graph.audits.append((index, broken))
                else:
                    graph.ends.append(index)
            else:
                graph.stuck.append(index)
    return graph


def check(machine: Machine, max_states: int = MAX_STATES) -> CheckReport:
    """Explore ``machine`` and return the verdict (see the module's docstring).

    Raises:
        TooLarge: more than ``max_states`` states.
    """
    graph = explore(machine, max_states)
    orders, bad = _count_orders(graph)
    base: dict[str, Any] = {"states": len(graph.states), "orders": orders, "bad_orders": bad, "names": machine.names}
    broken = _shortest_broken(machine, graph)
    if broken is not None:
        schedule, error = broken
        return CheckReport("broken", error.kind, error.text, shortest=tuple(schedule), **base)
    if graph.stuck:
        first = min(graph.stuck, key=lambda i: graph.dist[i])
        kind, text = diagnose(machine, graph.states[first])
        return CheckReport("deadlocked", kind, text, shortest=tuple(graph.path(first)), **base)
    loop = _livelock(machine, graph)
    if loop is not None:
        schedule, start = loop
        return CheckReport("livelocked", "livelock", _loop_text(machine, schedule, start),
                           shortest=tuple(schedule), loop_from=start, **base)
    starving = _starvation(machine, graph)
    if starving is not None:
        schedule, start, desk = starving
        name = machine.names[desk]
        text = (f"{name} never gets a turn: the others go round and round, and each time {name} could go "
                f"the ticket is given to someone else. ({_loop_text(machine, schedule, start)})")
        return CheckReport("starved", "starvation", text, shortest=tuple(schedule), loop_from=start, starved=desk, **base)
    first_end = min(graph.ends, key=lambda i: graph.dist[i]) if graph.ends else 0
    return CheckReport("safe", "", "", shortest=tuple(graph.path(first_end)), **base)


# -------------------------------------------------------------- broken
def _shortest_broken(machine: Machine, graph: Graph) -> tuple[list[int], Broken] | None:
    best: tuple[int, list[int], Broken] | None = None
    if graph.errors:
        index, desk, error = graph.errors[0]  # breadth-first: the first found is the shortest
        best = (graph.dist[index] + 1, graph.path(index) + [desk], error)
    for index, error in graph.audits:
        if best is None or graph.dist[index] < best[0]:
            best = (graph.dist[index], graph.path(index), error)
    if best is None:
        return None
    _, schedule, error = best
    return cut(machine, schedule, error.kind), error


def replay(machine: Machine, schedule: list[int] | tuple[int, ...]) -> tuple[State, Broken | None] | None:
    """Run ``schedule``; return the state and the first error, or ``None`` if a step cannot run."""
    state = machine.initial()
    for number, desk in enumerate(schedule):
        outcome = machine.step(state, desk)
        if outcome is None:
            return None
        state = outcome.state
        if outcome.broken is not None:
            return (state, outcome.broken) if number == len(schedule) - 1 else None
    if machine.done(state) and not machine.enabled(state):
        return state, machine.closing_audit(state)
    return state, None


def cut(machine: Machine, schedule: list[int], kind: str) -> list[int]:
    """Return ``schedule`` without the steps the damage at its end does not depend on.

    A step is kept if it is the last, or a later kept step is the same desk's or
    touches what it touched (one of them writing). The cut schedule is replayed
    and kept only if it still ends in an error of ``kind``.
    """
    state = machine.initial()
    prints = []
    for desk in schedule:
        prints.append((desk, *machine.footprint(state, desk)))
        outcome = machine.step(state, desk)
        assert outcome is not None
        state = outcome.state
    keep = [False] * len(schedule)
    keep[-1] = True
    for i in range(len(schedule) - 2, -1, -1):
        desk, reads, writes = prints[i]
        for j in range(i + 1, len(schedule)):
            if keep[j]:
                other, r2, w2 = prints[j]
                if other == desk or writes & (r2 | w2) or reads & w2:
                    keep[i] = True
                    break
    shorter = [d for d, k in zip(schedule, keep) if k]
    if len(shorter) < len(schedule):
        result = replay(machine, shorter)
        if result is not None and result[1] is not None and result[1].kind == kind:
            return shorter
    return schedule


# -------------------------------------------------------------- orders
def _count_orders(graph: Graph) -> tuple[int | None, int]:
    """Count the complete orders (paths from the start to an end); ``None`` if a cycle makes them endless."""
    n = len(graph.states)
    paths = [0] * n
    bad = [0] * n
    colour = [0] * n
    stuck = set(graph.stuck) | {i for i, _ in graph.audits}
    stack = [(0, 0)]
    colour[0] = 1
    while stack:
        node, k = stack.pop()
        edges = graph.edges[node]
        if k < len(edges):
            stack.append((node, k + 1))
            target = edges[k][1]
            if target >= 0:
                if colour[target] == 1:
                    return None, len(graph.errors) + len(stuck)
                if colour[target] == 0:
                    colour[target] = 1
                    stack.append((target, 0))
            continue
        colour[node] = 2
        if not edges:
            paths[node] = 1
            bad[node] = 1 if node in stuck else 0
            continue
        for _, target, _ in edges:
            if target < 0:
                paths[node] += 1
                bad[node] += 1
            else:
                paths[node] += paths[target]
                bad[node] += bad[target]
    return paths[0], bad[0]


# ------------------------------------------------------ loops and cycles
def _sccs(n: int, succ: list[list[int]]) -> list[int]:
    """Return each node's strongly connected component (Tarjan, iterative)."""
    index = [0] * n
    low = [0] * n
    on = [False] * n
    comp = [-1] * n
    seen = [False] * n
    stack: list[int] = []
    counter = 1
    components = 0
    for root in range(n):
        if seen[root]:
            continue
        work = [(root, 0)]
        seen[root] = True
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on[root] = True
        while work:
            node, k = work[-1]
            if k < len(succ[node]):
                work[-1] = (node, k + 1)
                nxt = succ[node][k]
                if not seen[nxt]:
                    seen[nxt] = True
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on[nxt] = True
                    work.append((nxt, 0))
                elif on[nxt]:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    top = stack.pop()
                    on[top] = False
                    comp[top] = components
                    if top == node:
                        break
                components += 1
    return comp


def _unfinished(machine: Machine, state: State) -> frozenset[int]:
    return frozenset(d for d in range(len(machine.desks)) if d not in machine.optional and not machine.finished(state, d))


def _livelock(machine: Machine, graph: Graph) -> tuple[list[int], int] | None:
    """The shortest schedule into a cycle without progress in which every unfinished desk moves."""
    n = len(graph.states)
    succ = [[t for _, t, p in graph.edges[i] if t >= 0 and not p] for i in range(n)]
    comp = _sccs(n, succ)
    best: tuple[int, list[int], int] | None = None
    for start in range(n):
        inside = [(d, t) for d, t, p in graph.edges[start] if t >= 0 and not p and comp[t] == comp[start]]
        if not inside:
            continue
        need = _unfinished(machine, graph.states[start])
        if not need:
            continue
        loop = _shortest_loop(graph, comp, start, lambda d, t, p: not p, need)
        if loop is None:
            continue
        prefix = graph.path(start)
        total = len(prefix) + len(loop)
        if best is None or total < best[0]:
            best = (total, prefix + loop, len(prefix))
    return (best[1], best[2]) if best else None


def _shortest_loop(graph: Graph, comp: list[int], start: int, allowed: Any, need: frozenset[int],
                   blocked: Any = None) -> list[int] | None:
    """Breadth-first over (state, desks moved so far): the shortest way back to ``start`` moving every desk of ``need``.

    With ``blocked`` (a test on a state), the loop must also pass a state where it is true.
    """
    order = sorted(need)
    bits = {desk: 1 << i for i, desk in enumerate(order)}
    shut = 1 << len(order)
    full = (1 << len(order)) - 1 | (shut if blocked is not None else 0)
    begin = (start, shut if blocked is not None and blocked(start) else 0)
    parents: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {begin: None}
    queue = deque([begin])
    while queue:
        node = queue.popleft()
        state, mask = node
        for desk, target, progress in graph.edges[state]:
            if target < 0 or comp[target] != comp[start] or not allowed(desk, target, progress):
                continue
            nxt = (target, mask | bits.get(desk, 0) | (shut if blocked is not None and blocked(target) else 0))
            if nxt[0] == start and nxt[1] == full:
                steps = [desk]
                back = node
                while parents[back] is not None:
                    back, d = parents[back]  # type: ignore[misc]
                    steps.append(d)
                return steps[::-1]
            if nxt not in parents:
                parents[nxt] = (node, desk)
                queue.append(nxt)
    return None


def _starvation(machine: Machine, graph: Graph) -> tuple[list[int], int, int] | None:
    """The shortest schedule into a cycle one desk never moves in, shut out at some state of it."""
    n = len(graph.states)
    best: tuple[int, list[int], int, int] | None = None
    for desk in range(len(machine.desks)):
        if desk in machine.optional:
            continue
        succ = [[t for d, t, _ in graph.edges[i] if t >= 0 and d != desk] for i in range(n)]
        comp = _sccs(n, succ)

        def shut_out(i: int, desk: int = desk) -> bool:
            return machine.step(graph.states[i], desk) is None

        for start in range(n):
            state = graph.states[start]
            if machine.finished(state, desk):
                continue
            if not any(t >= 0 and d != desk and comp[t] == comp[start] for d, t, _ in graph.edges[start]):
                continue
            others = _unfinished(machine, state) - {desk}
            if not others:
                continue
            loop = _shortest_loop(graph, comp, start, lambda d, t, p, desk=desk: d != desk, others, shut_out)
            if loop is None:
                continue
            prefix = graph.path(start)
            total = len(prefix) + len(loop)
            if best is None or total < best[0]:
                best = (total, prefix + loop, len(prefix), desk)
    return (best[1], best[2], best[3]) if best else None


def _loop_text(machine: Machine, schedule: list[int], start: int) -> str:
    loop = schedule[start:]
    movers = sorted(set(loop), key=loop.index)
    who = " and ".join(machine.names[d] for d in movers)
    after = f"after {start} step{'s' if start != 1 else ''}, " if start else ""
    return (f"{after}{who} can go round a loop of {len(loop)} steps that comes back to the same "
            "state, changing nothing in the ledger, for ever")


__all__ = ["MAX_STATES", "STUCK_KINDS", "VERDICTS", "CheckReport", "Graph", "TooLarge", "check", "cut", "explore", "replay"]
