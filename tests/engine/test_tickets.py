"""The branch's tickets: described once, held in one record, run by one table of handlers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bankgame.engine import Branch, make_day, programs
from bankgame.engine.backend import BackendSetup, InlineBackend
from bankgame.engine.branch import DESK_STEPS
from bankgame.engine.primitives import LockSpec, branch_tickets


class Recording(InlineBackend):
    """The in-process backend, keeping what the branch asked for."""

    def open(self, setup: BackendSetup) -> None:
        self.setup = setup
        super().open(setup)


def test_every_opcode_of_a_desk_program_has_its_handler() -> None:
    opcodes = {value for name, value in vars(programs).items() if name.isupper() and isinstance(value, int)}
    assert opcodes == set(DESK_STEPS)


def test_the_tickets_are_described_once_and_the_backend_builds_from_them() -> None:
    backend = Recording()
    branch = Branch(make_day({"accounts": 3, "customers": 5}), backend=backend)
    assert branch.tickets == branch_tickets(3) == backend.setup.locks
    assert [lock.name for lock in branch.tickets] == ["vault", "A", "B", "C", "rates"]
    assert all(lock == LockSpec(lock.name, 1) for lock in branch.tickets)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    tickets=st.sampled_from(("accounts", "vault", "A,B", "A,rates")),
    order=st.sampled_from(("any", "account")),
    scope=st.sampled_from(("write", "check")),
)
def test_who_holds_what_has_one_record_that_the_backend_agrees_with(seed: int, tickets: str, order: str, scope: str) -> None:
    day = make_day({
        "cashiers": 4, "accounts": 3, "customers": 40, "arrival_gap": 0.5, "patience": 1_000, "transfer": 2.0,
        "quote": 1.0, "tickets": tickets, "lock_order": order, "ticket_scope": scope,
    })
    backend = InlineBackend()
    branch = Branch(day, seed=seed, backend=backend)
    while not branch.over:
        branch.step_tick()
        sets = branch.holders.sets
        for lock, held in zip(branch.tickets, sets):
            assert len(held) <= lock.permits
        # The backend's locks count exactly the permits the record says are taken.
        assert [lock.permits - len(held) for lock, held in zip(branch.tickets, sets)] == backend._permits
        for desk in branch.desks:
            assert set(desk.held) == {branch.tickets[i].name for i in branch.holders.held_by(desk.index)}
            assert not desk.waiting_for or desk.waiting_for == "reply" or desk.waiting_for not in desk.held
        assert branch.ticket_holder == {branch.tickets[i].name: min(h) for i, h in enumerate(sets) if h}
    if not any(desk.busy for desk in branch.desks):
        assert not any(branch.holders.sets)  # every ticket given back once every desk is free


def test_the_program_lines_shared_between_customers_are_never_changed_by_a_program() -> None:
    """Take, return, read and write lines are made once and shared by every program that has them:
    compiling any program must leave them as made (only a program's own check lines get a jump)."""
    from bankgame.engine.customers import Workload, generate_customers

    workload = Workload(customers=200, accounts=3, deposit=1, withdraw=1, transfer=1, quote=1)
    shared: dict[int, tuple[programs.Step, tuple[object, ...]]] = {}  # the step kept, so its id stays its own
    lines = 0
    for scope in ("write", "check"):
        for accounts in (frozenset(), frozenset({0, 1, 2})):
            layout = programs.TicketLayout(vault=not accounts, accounts=accounts, rates=True, scope=scope)
            for customer in generate_customers(workload, seed=3):
                for step in programs.compile_shared(customer, layout, frozenset({2}), 3):
                    if step.op in (programs.TAKE, programs.GIVE, programs.READ, programs.WRITE):
                        lines += 1
                        made = (step.op, step.text, step.ticket, step.account, step.register, step.amount, step.target)
                        assert shared.setdefault(id(step), (step, made))[1] == made, step
    assert all(made[-1] == -1 for _, made in shared.values())
    assert len(shared) < lines / 4, f"{len(shared)} distinct objects for {lines} lines: they are not shared"
