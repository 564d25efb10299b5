"""A puzzle's schedule run on real processes: one worker per desk, real primitives.

Built from the same descriptions as the model (``bankgame.engine.machine``):

- the ledger is a real ``multiprocessing.shared_memory`` block (one int64 per
  account, then a clerk's durable record of the messages it applied, then a
  word per condition saying who sleeps on it);
- each lock is a real ``multiprocessing`` ``Lock`` (one permit) or
  ``BoundedSemaphore`` (more: "the vault has two keys"), taken without
  blocking inside the desk's process;
- a condition is built the way CPython builds ``threading.Condition``: a
  sleeper sets its bit and gives its lock back; a notifier releases a real
  semaphore for each sleeper; the woken desk takes that semaphore and its lock;
- each mailbox is a real pipe: a message is a real copy; a receive reads it;
- a restart kills the clerk's process for real and starts a new one, handed
  the messages it had not acknowledged (the delivery layer keeps them).

Each desk's registers live in its own process: the read, the sum and the
write of a lost update happen there. The driver takes the model's schedule
step by step, tells the desk what to do, and checks that what really
happened (a value read, a lock taken or not, a message received, who woke)
is what the model says; ``run_schedule`` returns both ledgers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.shared_memory import SharedMemory
from typing import Any

from ..engine.machine import ASLEEP, WOKEN, Machine, Outcome, State
from ..engine.primitives import (
    ACK,
    ADD,
    ADD_REG,
    APPLY,
    CHECK,
    CLOSED,
    GIVE,
    IS_KIND,
    JUMP,
    NOTIFY,
    READ,
    RECEIVE,
    RESTART,
    SEEN,
    SEND,
    TAKE,
    TRY,
    WAIT,
    WRITE,
)
from .helpers import CONTEXT, ensure_process_helpers, make_locks, stop_processes, worker_setup
from .leftovers import int64s, new_block


class Mismatch(RuntimeError):
    """The real processes did something other than what the model says."""


def desk_main(conn: Connection, block: str, layout: tuple[int, int, int], locks: list[Any], waiters: list[list[Any]],
              readers: list[Connection], writers: list[Connection], redelivered: list[tuple[int, tuple]],
              log_path: str | None) -> None:
    """One desk: do each step the driver names, on the real primitives, and answer what happened."""
    worker_setup(log_path)
    _, applied_at, sleepers_at = layout
    memory = SharedMemory(name=block)
    view = int64s(memory)
    regs: dict[int, tuple[int, int, str]] = {}
    pending = list(redelivered)
    conn.send("ready")
    try:
        while True:
            try:
                command = conn.recv()
            except EOFError:
                break
            op, args = command[0], command[1:]
            reply: Any = None
            if op == "take":
                reply = locks[args[0]].acquire(False)
            elif op == "give":
                locks[args[0]].release()
            elif op == "try":
                lock, other, holds_other = args
                reply = locks[lock].acquire(False)
                if not reply and holds_other:
                    locks[other].release()
            elif op == "read":
                slot, reg = args
                regs[reg] = (view[slot], -1, "")
                reply = regs[reg][0]
            elif op == "add":
                reg, amount = args
                value, seq, kind = regs[reg]
                regs[reg] = (value + amount, seq, kind)
                reply = regs[reg][0]
            elif op == "add_reg":
                reg, other = args
                value, seq, kind = regs[reg]
                regs[reg] = (value + regs.get(other, (0, -1, ""))[0], seq, kind)
                reply = regs[reg][0]
            elif op == "write":
                slot, reg = args
                view[slot] = regs[reg][0]
                reply = view[slot]
            elif op == "check":
                reg, amount = args
                reply = regs[reg][0] < amount
            elif op == "wait":
                reg, amount, lock, condition, desk = args
                if regs[reg][0] >= amount:
                    reply = "go on"
                else:
                    view[sleepers_at + condition] |= 1 << desk
                    locks[lock].release()
                    reply = "asleep"
            elif op == "wake":
                condition, desk, lock = args
                reply = (waiters[condition][desk].acquire(False), locks[lock].acquire(False))
            elif op == "notify":
                condition, desks = args
                mask = view[sleepers_at + condition]
                view[sleepers_at + condition] = 0
                woken = [d for d in range(desks) if mask >> d & 1]
                for d in woken:
                    waiters[condition][d].release()
                reply = woken
            elif op == "send":
                box, seq, amount, reg, kind = args
                message = (seq, amount if reg < 0 else regs[reg][0], kind)
                writers[box].send(message)  # a real copy, pickled through the pipe
                reply = message
            elif op == "receive":
                box, reg = args
                index = next((i for i, (b, _) in enumerate(pending) if b == box), -1)
                if index >= 0:
                    message = pending.pop(index)[1]  # delivered again after a restart
                elif readers[box].poll(10):
                    message = readers[box].recv()
                else:  # pragma: no cover - the model said there was mail
                    message = None
                if message is not None:
                    seq, amount, kind = message
                    regs[reg] = (amount, seq, kind)
                reply = message
            elif op == "is_kind":
                reg, kind = args
                reply = regs[reg][2] == kind
            elif op == "seen":
                reply = view[applied_at + regs[args[0]][1]] == 1
            elif op == "apply":
                slot, reg = args
                amount, seq, _ = regs[reg]
                view[slot] += amount
                view[applied_at + seq] = 1  # recorded with the balance: a restart cannot lose it
                reply = view[slot]
            elif op == "ack":
                reply = regs[args[0]][1]
            conn.send(reply)
    finally:
        view.release()
        memory.close()


@dataclass
class RealRun:
    """A schedule run on real processes, beside the model's run of it."""

    model: State
    real_ledger: list[int]
    steps: int
    restarts: int
    pids: list[int] = field(default_factory=list)
    block: str = ""


class PuzzleProcesses:
    """Real processes for every desk of ``machine`` and the primitives they share.

    Args:
        machine: the puzzle's machine (its tables say which locks, conditions and mailboxes).
        log_path: where the workers write; by default the helpers' log.
    """

    def __init__(self, machine: Machine, log_path: str | None = None) -> None:
        self.machine = machine
        self.log_path = log_path or ensure_process_helpers()
        t = machine.tables
        seqs = sum(1 for program in machine.programs for i in program if i.op == SEND)
        accounts = len(t.accounts)
        self.layout = (accounts, accounts, accounts + seqs)
        self.block = new_block(8 * (accounts + seqs + len(t.conditions)))  # named after the game, swept if left
        assert self.block.buf is not None
        self.view = int64s(self.block)
        for slot, value in enumerate(machine.opening):
            self.view[slot] = value
        for slot in range(accounts, accounts + seqs + len(t.conditions)):
            self.view[slot] = 0
        self.locks = make_locks(t.locks)
        desks = len(machine.desks)
        self.waiters = [[CONTEXT.Semaphore(0) for _ in range(desks)] for _ in t.conditions]
        pipes = [CONTEXT.Pipe(duplex=False) for _ in t.mailboxes]
        self.readers = [r for r, _ in pipes]
        self.writers = [w for _, w in pipes]
        self.lock_of = [[lock.name for lock in t.locks].index(c.lock) for c in t.conditions]
        self.processes: list[Any] = [None] * desks
        self.conns: list[Any] = [None] * desks
        self.unacked: list[list[tuple[int, tuple]]] = [[] for _ in range(desks)]
        """Per desk, what it received and has not acknowledged: the delivery layer's copies."""
        self.restarts = 0
        self.pids: list[int] = []
        try:
            for desk in range(desks):
                if machine.desks[desk].role != "fault":  # a power cut is the driver's own doing
                    self._start(desk, [])
        except BaseException:
            self.close()
            raise

    def _start(self, desk: int, redelivered: list[tuple[int, tuple]]) -> None:
        parent, child = CONTEXT.Pipe()
        process = CONTEXT.Process(
            target=desk_main,
            args=(child, self.block.name, self.layout, self.locks, self.waiters, self.readers, self.writers,
                  redelivered, self.log_path),
            name=f"bankgame-puzzle-{self.machine.names[desk]}", daemon=True,
        )
        process.start()
        child.close()
        self.processes[desk], self.conns[desk] = process, parent
        self.pids.append(process.pid or -1)
        if not (wait([parent, process.sentinel], timeout=30) and parent.recv() == "ready"):
            raise Mismatch(f"the process of {self.machine.names[desk]} did not start (see the workers' log)")

    def _ask(self, desk: int, *command: Any) -> Any:
        conn = self.conns[desk]
        conn.send(command)
        return conn.recv()

    def close(self) -> None:
        """Stop every desk (terminate → join → kill), free the block."""
        stop_processes([p for p in self.processes if p is not None])
        for conn in self.conns:
            if conn is not None:
                conn.close()
        for end in self.readers + self.writers:
            end.close()
        self.processes = []
        self.view.release()
        self.block.close()
        try:
            self.block.unlink()
        except FileNotFoundError:  # pragma: no cover - already gone
            pass

    def __enter__(self) -> PuzzleProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ledger(self) -> list[int]:
        """The accounts as they really are in the shared block."""
        return [self.view[slot] for slot in range(len(self.machine.tables.accounts))]

    # ---------------------------------------------------------------- steps
    def step(self, state: State, desk: int) -> Outcome:
        """Carry out ``desk``'s next step for real; raise ``Mismatch`` if it differs from the model."""
        m = self.machine
        outcome = m.step(state, desk)
        if outcome is None:
            raise Mismatch(f"{m.names[desk]} cannot move in the model")
        instr = m.line(state, desk)
        assert instr is not None
        after = outcome.state
        pc = state.pcs[desk]
        op = instr.op

        def reg_after() -> int:
            register = after.regs[desk][instr.reg]
            assert register is not None
            return register[0]

        def expect(real: Any, model: Any, what: str) -> None:
            if real != model:
                raise Mismatch(f"{m.names[desk]} line {pc + 1} ({instr.text}): {what}: real {real!r}, model {model!r}")

        if op == TAKE:
            expect(self._ask(desk, "take", instr.a), True, "lock taken")
        elif op == GIVE:
            if desk in state.holders[instr.a]:
                self._ask(desk, "give", instr.a)
        elif op == TRY:
            real = self._ask(desk, "try", instr.a, instr.b, desk in state.holders[instr.b])
            expect(real, after.pcs[desk] == pc + 1, "the other ticket taken")
        elif op == READ:
            expect(self._ask(desk, "read", instr.a, instr.reg), reg_after(), "value read")
        elif op == ADD:
            expect(self._ask(desk, "add", instr.reg, instr.amount), reg_after(), "sum")
        elif op == ADD_REG:
            expect(self._ask(desk, "add_reg", instr.reg, instr.reg2), reg_after(), "sum")
        elif op == WRITE:
            expect(self._ask(desk, "write", instr.a, instr.reg), after.ledger[instr.a], "value written")
        elif op == CHECK:
            expect(self._ask(desk, "check", instr.reg, instr.amount), after.pcs[desk] == instr.target, "refused")
        elif op == WAIT:
            lock = self.lock_of[instr.a]
            if state.status[desk] == WOKEN:
                expect(self._ask(desk, "wake", instr.a, desk, lock), (True, True), "woken and its lock back")
            else:
                real = self._ask(desk, "wait", instr.reg, instr.amount, lock, instr.a, desk)
                expect(real, "asleep" if after.status[desk] == ASLEEP else "go on", "asleep")
        elif op == NOTIFY:
            woken = [d for d in range(len(m.desks)) if state.status[d] == ASLEEP and after.status[d] == WOKEN]
            expect(self._ask(desk, "notify", instr.a, len(m.desks)), woken, "desks woken")
        elif op == SEND:
            message = after.boxes[instr.a][-1]
            real = self._ask(desk, "send", instr.a, message[0], instr.amount, instr.reg, instr.kind)
            expect(tuple(real), message, "message sent")
        elif op == RECEIVE:
            message = state.boxes[instr.a][0]
            real = self._ask(desk, "receive", instr.a, instr.reg)
            expect(tuple(real) if real is not None else None, message, "message received")
            self.unacked[desk].append((instr.a, message))
        elif op == IS_KIND:
            expect(self._ask(desk, "is_kind", instr.reg, instr.kind), after.pcs[desk] == instr.target, "kind")
        elif op == SEEN:
            expect(self._ask(desk, "seen", instr.reg), after.pcs[desk] == instr.target, "already applied")
        elif op == APPLY:
            expect(self._ask(desk, "apply", instr.a, instr.reg), after.ledger[instr.a], "balance")
        elif op == ACK:
            seq = self._ask(desk, "ack", instr.reg)
            self.unacked[desk] = [(b, msg) for b, msg in self.unacked[desk] if msg[0] != seq]
        elif op == RESTART:
            self._restart(instr.a)
        elif op not in (JUMP, CLOSED):  # pragma: no cover - a new opcode needs its real step here
            raise Mismatch(f"no real step for {instr.text!r}")
        return outcome

    def _restart(self, desk: int) -> None:
        """Kill ``desk``'s process for real and start a new one with its unacknowledged mail."""
        stop_processes([self.processes[desk]])
        self.conns[desk].close()
        redelivered, self.unacked[desk] = self.unacked[desk], []
        self._start(desk, redelivered)
        self.restarts += 1


def run_schedule(machine: Machine, schedule: list[int] | tuple[int, ...], log_path: str | None = None) -> RealRun:
    """Run ``schedule`` on real processes; return the model's final state and the real ledger.

    Raises:
        Mismatch: a real step did not do what the model says.
    """
    with PuzzleProcesses(machine, log_path) as real:
        state = machine.initial()
        for desk in schedule:
            state = real.step(state, desk).state
        return RealRun(model=state, real_ledger=real.ledger(), steps=len(schedule), restarts=real.restarts,
                       pids=list(real.pids), block=real.block.name)
