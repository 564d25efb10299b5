"""The checker agrees with plain enumeration of every interleaving, on random tiny programs."""

from __future__ import annotations

from bankgame.engine.checker import check, replay
from bankgame.engine.machine import DeskSpec, Machine, State
from bankgame.engine.primitives import LOCAL_OPS, ConditionSpec, LockSpec, Tables
from hypothesis import given, settings
from hypothesis import strategies as st

TABLES_LOCK = ("ticket A", "ticket B")


def _blocks(draw: st.DrawFn, desk: int) -> tuple[list[str], int]:
    """A desk's program made of a few blocks of the primitives, and its change to A."""
    lines: list[str] = []
    change = 0
    for n in range(draw(st.integers(1, 2))):
        reg = f"r{n}"
        lock = draw(st.sampled_from(["", "ticket A", "ticket B", "vault key"]))
        kind = draw(st.sampled_from(["deposit", "withdraw", "take", "send", "receive", "notify", "wait", "try"]))
        take = [f"take {lock}"] if lock else []
        give = [f"return {lock}"] if lock else []
        if kind == "deposit":
            lines += take + [f"{reg} = read A", f"{reg} = {reg} + $10", f"write A = {reg}"] + give
            change += 10
        elif kind == "withdraw":
            lines += take + [f"{reg} = read A", f"if {reg} < $15: refuse", f"{reg} = {reg} - $15", f"write A = {reg}"] + give
        elif kind == "take":
            lines += [f"take {lock or 'ticket A'}"]  # and never give it back
        elif kind == "send":
            lines += [f"send $5 to box{draw(st.integers(0, 1))}"]
        elif kind == "receive":
            lines += [f"{reg} = receive from box{draw(st.integers(0, 1))}"]
        elif kind == "notify":
            lines += ["take ticket A", "notify everyone waiting for funds", "return ticket A"]
        elif kind == "wait":
            lines += ["take ticket A", f"{reg} = read A", f"if {reg} < $15: wait for funds", "return ticket A"]
        else:
            lines += ["take ticket A", "try ticket B, else give back ticket A and retry", "return ticket B", "return ticket A"]
    return lines, change


@st.composite
def machines(draw: st.DrawFn) -> Machine:
    desks = []
    for d in range(draw(st.integers(2, 3))):
        lines, _ = _blocks(draw, d)
        desks.append(DeskSpec(f"D{d}", tuple(lines)))
    # Withdrawals are refused or not depending on the order; the audit is checked only as
    # "same outcomes", so the effects are left empty and only the ledgers are compared.
    tables = Tables(
        locks=(LockSpec("ticket A"), LockSpec("ticket B"), LockSpec("vault key", 2)),
        conditions=(ConditionSpec("funds", "ticket A"),), accounts=("A",), mailboxes=("box0", "box1"),
        desks=tuple(d.name for d in desks),
    )
    opening = draw(st.sampled_from([0, 1000, 2000]))
    machine = Machine(tables, tuple(desks), (opening,))
    total = sum(len(p) for p in machine.programs)
    if total > 11 or any(i.op == 10 for p in machine.programs for i in p):  # keep plain enumeration small; no retries (loops)
        machine = Machine(tables, tuple(desks[:2]), (opening,))
    return machine


def enumerate_orders(machine: Machine, limit: int = 200_000) -> list[tuple[str, int, object]]:
    """Every maximal order, without caching anything: ``(end, steps, detail)``."""
    out: list[tuple[str, int, object]] = []

    def go(state: State, depth: int) -> None:
        assert len(out) < limit
        moved = False
        for desk in range(len(machine.desks)):
            outcome = machine.step(state, desk)
            if outcome is None:
                continue
            moved = True
            if outcome.broken is not None:
                out.append(("broken", depth + 1, outcome.broken.kind))
            else:
                go(outcome.state, depth + 1)
        if not moved:
            if machine.done(state):
                audit = machine.closing_audit(state)
                out.append(("broken", depth, "audit") if audit else ("end", depth, state.ledger))
            else:
                out.append(("stuck", depth, None))

    go(machine.initial(), 0)
    return out


def loops(machine: Machine) -> bool:
    return any(i.op == 10 or (i.op == 9 and i.target <= pc) for p in machine.programs for pc, i in enumerate(p))


@settings(max_examples=150, deadline=None)
@given(machines())
def test_the_checker_agrees_with_every_interleaving(machine: Machine) -> None:
    if loops(machine):
        return
    orders = enumerate_orders(machine)
    report = check(machine)
    broken = [o for o in orders if o[0] == "broken"]
    stuck = [o for o in orders if o[0] == "stuck"]
    ends = [o for o in orders if o[0] == "end"]
    if broken:
        assert report.verdict == "broken"
        assert report.par == min(o[1] for o in broken)
        result = replay(machine, report.shortest)
        assert result is not None and result[1] is not None and result[1].kind == report.kind
    elif stuck:
        assert report.verdict == "deadlocked"
        assert report.par == min(o[1] for o in stuck)
        state = result_state(machine, report.shortest)
        assert not machine.enabled(state) and not machine.done(state)
    else:
        assert report.verdict == "safe"
        assert report.par == min(o[1] for o in ends)
    # The reduction keeps every outcome: the same final ledgers, the same kinds of error.
    graph_ends = {o[2] for o in ends}
    assert {tuple(report_end) for report_end in _checker_ends(machine)} == graph_ends
    assert report.orders is not None and report.orders <= len(orders)
    if not any(i.op in LOCAL_OPS for p in machine.programs for i in p):
        assert report.orders == len(orders)  # nothing to reduce: every order is counted
        assert report.bad_orders == len(broken) + len(stuck)


def result_state(machine: Machine, schedule: tuple[int, ...]) -> State:
    state = machine.initial()
    for desk in schedule:
        outcome = machine.step(state, desk)
        assert outcome is not None
        state = outcome.state
    return state


def _checker_ends(machine: Machine) -> set[tuple[int, ...]]:
    from bankgame.engine.checker import explore

    graph = explore(machine)
    return {graph.states[i].ledger for i in graph.ends}


def test_a_machine_too_large_to_check_says_so() -> None:
    import pytest
    from bankgame.engine.checker import TooLarge

    lines = tuple(["r = read A", "write A = r"] * 6)
    tables = Tables(accounts=("A",), desks=("Ann", "Ben", "Cat"))
    machine = Machine(tables, tuple(DeskSpec(n, lines) for n in ("Ann", "Ben", "Cat")), (100,))
    with pytest.raises(TooLarge, match="more than 50 distinct states"):
        check(machine, max_states=50)
