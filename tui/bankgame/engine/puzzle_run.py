"""One attempt at a puzzle: the player's picks, undo, the verdict, graded hints, stars.

States are values, so undo is a pop. A puzzle is won when the player's
schedule reaches the puzzle's verdict:

- ``broken``: a step causes an integrity error;
- ``deadlocked``: nobody can move and someone has not finished;
- ``livelocked``: the schedule comes back to a state it was in, with no
  change to the ledger in between and every unfinished desk having moved:
  that loop can go on for ever, and the checker proves no progress is forced;
- ``starved``: it comes back to a state while one unfinished desk never moved,
  every other one did, and it was shut out at some point of the loop;
- ``safe``: every desk runs to its end, and nothing broke (the checker says
  how many orders it tried).

Hints come after a failed attempt (a run that ended without the win, went
far past par, or was started again): first
where to look, then the step, then the checker's shortest schedule, played a
step at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .checker import CheckReport
from .integrity import KINDS, Broken
from .machine import ASLEEP, WOKEN, Machine, State
from .names import dollars, money
from .puzzles import Puzzle
from .waitfor import diagnose, waits


@dataclass(frozen=True, slots=True)
class Verdict:
    """Where an attempt stands."""

    won: bool
    over: bool
    steps: int
    text: str
    under_par: bool = False


class PuzzleRun:
    """The player's attempt at ``puzzle``.

    Args:
        puzzle: the puzzle.
        real: makes the real processes that carry out each step beside the model
            (``bankgame.workers.puzzles.PuzzleProcesses``: ``step(state, desk)``,
            ``close()``); an undo replays on fresh ones. ``None``: the model alone.
    """

    def __init__(self, puzzle: Puzzle, real: Callable[[], Any] | None = None) -> None:
        self.puzzle = puzzle
        self._make_real = real
        self.real = real() if real is not None else None
        self.machine: Machine = puzzle.machine
        self.states: list[State] = [self.machine.initial()]
        self.picks: list[int] = []
        self.progress: list[bool] = []
        self.broken: Broken | None = None
        self.failed = 0
        """Attempts that ended without the win."""
        self.hints = 0
        """Hints used (0..3)."""
        self.guide: list[int] = []
        """The checker's schedule, once the third hint plays it."""
        self.won_steps = 0

    @property
    def report(self) -> CheckReport:
        """The checker's report on this puzzle."""
        return self.puzzle.report()

    @property
    def state(self) -> State:
        """The state now."""
        return self.states[-1]

    # ------------------------------------------------------------- moves
    def movable(self) -> list[int]:
        """The desks the player can pick now (none once the attempt is decided)."""
        if self.broken is not None or self._win_now():
            return []
        return self.machine.enabled(self.state)

    def next_line(self, desk: int) -> int:
        """The line (0-based) ``desk`` runs next; its program's length once finished."""
        return self.state.pcs[desk]

    def pick(self, desk: int) -> None:
        """Let ``desk`` take its next step.

        Raises:
            ValueError: it cannot move now.
        """
        if desk not in self.movable():
            raise ValueError(f"{self.machine.names[desk] if 0 <= desk < len(self.machine.names) else desk} cannot move now")
        outcome = self.machine.step(self.state, desk)
        assert outcome is not None
        if self.real is not None:
            self.real.step(self.state, desk)  # the same step on the real processes; raises if they differ
        self.states.append(outcome.state)
        self.picks.append(desk)
        self.progress.append(outcome.progress)
        self.broken = outcome.broken
        if self.broken is None and self.machine.done(self.state) and not self.machine.enabled(self.state):
            self.broken = self.machine.closing_audit(self.state)
        verdict = self.verdict()
        if verdict.over and not verdict.won:
            self.failed += 1
        elif not verdict.won and len(self.picks) == self.far_enough:
            self.failed += 1  # desks that can go on for ever: well past par is a failed attempt too
        if verdict.won and not self.won_steps:
            self.won_steps = len(self.picks)

    def undo(self) -> bool:
        """Take back the last pick; return whether there was one."""
        if not self.picks:
            return False
        self.states.pop()
        self.picks.pop()
        self.progress.pop()
        self.broken = None
        self._replay_real()
        return True

    def _replay_real(self) -> None:
        """Real processes cannot step back: replay the picks on fresh ones."""
        if self.real is None or self._make_real is None:
            return
        self.real.close()
        self.real = self._make_real()
        for state, desk in zip(self.states, self.picks):
            self.real.step(state, desk)

    def close(self) -> None:
        """Stop the real processes, if any."""
        if self.real is not None:
            self.real.close()
            self.real = None

    @property
    def far_enough(self) -> int:
        """Steps after which an attempt that has not won counts as failed (the hints open)."""
        return max(3 * self.puzzle.par, self.puzzle.par + 12)

    def reset(self) -> None:
        """Start again from the beginning (hints used stay used); giving up an attempt counts as failing it."""
        if self.picks and not self.verdict().won and not self.verdict().over and len(self.picks) < self.far_enough:
            self.failed += 1
        del self.states[1:]
        self.picks.clear()
        self.progress.clear()
        self.broken = None
        self._replay_real()

    # ----------------------------------------------------------- verdict
    def _loop(self) -> tuple[int, int] | None:
        """``(start, starved desk or -1)`` if the schedule just closed a winning loop."""
        win = self.puzzle.win
        if win not in ("livelocked", "starved") or not self.picks:
            return None
        now = self.state
        for start in range(len(self.states) - 2, -1, -1):
            if self.states[start] != now:
                continue
            segment = self.picks[start:]
            unfinished = [d for d in range(len(self.machine.desks))
                          if d not in self.machine.optional and not self.machine.finished(now, d)]
            if win == "livelocked":
                if not any(self.progress[start:]) and unfinished and all(d in segment for d in unfinished):
                    return start, -1
            else:
                for d in unfinished:
                    others = [o for o in unfinished if o != d]
                    if d not in segment and others and all(o in segment for o in others) and any(self.machine.step(s, d) is None for s in self.states[start:]):
                        return start, d
            return None  # only the latest return counts
        return None

    def _win_now(self) -> bool:
        win = self.puzzle.win
        state = self.state
        if win == "broken":
            return self.broken is not None
        if win == "deadlocked":
            return not self.machine.enabled(state) and not self.machine.done(state)
        if win == "safe":
            return self.broken is None and self.machine.done(state) and not self.machine.enabled(state)
        return self._loop() is not None

    def verdict(self) -> Verdict:
        """Whether the attempt is won, over, and what to tell the player."""
        steps = len(self.picks)
        par = self.puzzle.par
        under = steps <= par
        state = self.state
        names = self.machine.names
        win = self.puzzle.win
        if self.broken is not None:
            kind = KINDS.get(self.broken.kind, self.broken.kind)
            if win == "broken":
                return Verdict(True, True, steps, f"Broken in {_steps(steps)} (par {par}): {kind}. {self.broken.text}.", under)
            return Verdict(False, True, steps, f"Broken: {self.broken.text}")
        if win == "broken" or win == "deadlocked":
            stuck = not self.machine.enabled(state) and not self.machine.done(state)
            if stuck:
                _, text = diagnose(self.machine, state)
                if win == "deadlocked":
                    return Verdict(True, True, steps, f"Deadlocked in {_steps(steps)} (par {par}): {text}.", under)
                return Verdict(False, True, steps, f"Stuck: {text}. Undo (u) and try another order.")
        if win in ("livelocked", "starved"):
            loop = self._loop()
            if loop is not None:
                start, desk = loop
                length = steps - start
                if desk >= 0:
                    text = (f"Starved in {_steps(steps)} (par {par}): {names[desk]} never moved in a loop of "
                            f"{_steps(length)} that can go on for ever, though the ticket was free at times.")
                else:
                    text = (f"Livelocked in {_steps(steps)} (par {par}): a loop of {_steps(length)} that comes back "
                            "to the same state with nothing done. The checker confirms: "
                            + self.report.summary().removeprefix("Livelocked: "))
                return Verdict(True, True, steps, text, under)
        if self.machine.done(state) and not self.machine.enabled(state):
            if win == "safe":
                return Verdict(True, True, steps, "Every desk finished and nothing broke. " + self.report.summary(), under)
            return Verdict(False, True, steps, "Everyone finished and nothing went wrong this time. Undo (u) and "
                           "look for another order" + (": hints are open (h)." if self.hints < 3 else "."))
        if not self.machine.enabled(state):
            return Verdict(False, True, steps, "Nobody can move. Undo (u) and try another order.")
        return Verdict(False, False, steps, f"{_steps(steps)} so far: pick who moves next (1, 2, …), or undo (u).")

    # ------------------------------------------------------------- hints
    def can_hint(self) -> bool:
        """Hints open after a failed attempt, three at most."""
        return self.failed > 0 and self.hints < 3 and self.puzzle.win != "safe"

    def hint(self) -> str:
        """Use the next hint and return it ("" when there is none to give yet)."""
        if self.puzzle.win == "safe":
            return "No hint needed: nothing can break this one. Run every desk to its end."
        if not self.can_hint():
            return "" if self.hints < 3 else self.hint_text(3)
        self.hints += 1
        if self.hints == 3:
            self.reset()
            self.guide = list(self.report.shortest)
        return self.hint_text(self.hints)

    def hint_text(self, level: int) -> str:
        """The text of hint ``level`` (1: where to look, 2: the step, 3: the schedule)."""
        report = self.report
        if level == 1:
            return self.puzzle.hint
        lines = self.described(report.shortest)
        if level == 2:
            if report.verdict == "deadlocked":
                last = {}
                for desk, number, text in lines:
                    last[desk] = (number, text)
                parts = [f"{d} gets as far as line {n} ({t})" for d, (n, t) in last.items()]
                return "The jam: " + "; ".join(parts) + ". Then nobody can move."
            if report.loop_from >= 0:
                desk, number, text = lines[report.loop_from]
                return f"The loop starts with {desk}'s line {number}: {text}."
            desk, number, text = lines[-1]
            return f"The step that does the damage: {desk}'s line {number}, {text}, as the last of {len(lines)} steps."
        order = ", ".join(report.shortest_names)
        return f"The checker's shortest order ({report.par} steps): {order}. Space plays it a step at a time."

    def described(self, schedule: tuple[int, ...] | list[int]) -> list[tuple[str, int, str]]:
        """``(desk, line number, line)`` of each step of ``schedule`` from the start."""
        state = self.machine.initial()
        out = []
        for desk in schedule:
            line = self.machine.line(state, desk)
            out.append((self.machine.names[desk], state.pcs[desk] + 1, line.text if line else ""))
            outcome = self.machine.step(state, desk)
            if outcome is None:
                break
            state = outcome.state
        return out

    def guided(self) -> int:
        """The desk the checker's schedule moves next (after hint 3), or -1."""
        if not self.guide or self.picks != self.guide[: len(self.picks)] or len(self.picks) >= len(self.guide):
            return -1
        return self.guide[len(self.picks)]

    # ----------------------------------------------------- what to draw
    def ran(self, desk: int) -> set[int]:
        """The lines (0-based) ``desk`` has run in this attempt."""
        return {self.states[i].pcs[desk] for i, d in enumerate(self.picks) if d == desk}

    def steps_of(self, desk: int) -> int:
        """How many steps ``desk`` has taken."""
        return sum(1 for d in self.picks if d == desk)

    def desk_status(self, desk: int) -> str:
        """What ``desk`` is doing, in a few words with a symbol (never colour alone)."""
        m, state = self.machine, self.state
        held = [lock.name for i, lock in enumerate(m.tables.locks) if desk in state.holders[i]]
        holds = f" · holds {', '.join(held)}" if held else ""
        if m.finished(state, desk):
            return "✓ finished" + holds
        line = m.line(state, desk)
        assert line is not None
        if state.status[desk] == ASLEEP:
            return f"☾ asleep until notified ({m.tables.conditions[line.a].name})" + holds
        if state.status[desk] == WOKEN and m.step(state, desk) is None:
            return "◷ woken, waiting for its ticket back" + holds
        if m.step(state, desk) is None:
            for wait in waits(m, state):
                if wait.desk == desk:
                    by = " and ".join(m.names[d] for d in wait.for_desks if wait.what == "lock")
                    what = wait.on if wait.what == "lock" else f"a message in {wait.on}"
                    return f"◷ waiting for {what}" + (f" (held by {by})" if by else "") + holds
            if desk in m.optional:
                return "· nothing to do yet" + holds
            return "◷ waiting" + holds
        return "▶ can move" + holds

    def registers(self, desk: int) -> list[str]:
        """What ``desk`` holds in its own registers: ``r = $150`` (``stale`` once its account changed since)."""
        m, state = self.machine, self.state
        shown = []
        for name, register in zip(m.registers[desk], state.regs[desk]):
            if register is None:
                continue
            value, source, _read, stale, seq, kind = register
            if seq >= 0:
                shown.append(f"{name} = #{seq + 1} {kind + ' ' if kind else ''}{dollars(value)}")
                continue
            note = f" (stale: {m.tables.accounts[source]} changed)" if stale and source >= 0 else ""
            shown.append(f"{name} = {dollars(value) if value >= 0 else '-' + dollars(-value)}{note}")
        return shown

    def board(self) -> list[str]:
        """The ledger, the locks, the conditions and the mailboxes, a line each."""
        m, state = self.machine, self.state
        names = m.names
        lines = []
        expected = m.expected(state)
        over = m.done(state) and not m.enabled(state)
        for i, account in enumerate(m.tables.accounts):
            if account == "rates":
                lines.append(f"rate board  {money(state.ledger[i])}  (read-only)")
            elif over:
                lines.append(f"{account}  {money(state.ledger[i])}   should hold {money(expected[i])}")
            else:
                lines.append(f"{account}  {money(state.ledger[i])}   opened with {money(m.opening[i])}")
        for i, lock in enumerate(m.tables.locks):
            holders = ", ".join(names[d] for d in sorted(state.holders[i])) or "free"
            keys = f" ({lock.permits} keys)" if lock.semaphore else ""
            lines.append(f"{lock.name}{keys}: {holders}")
        for i, condition in enumerate(m.tables.conditions):
            asleep = [names[d] for d in range(len(names)) if state.status[d] == ASLEEP
                      and (line := m.line(state, d)) is not None and line.a == i]
            lines.append(f"waiting for {condition.name}: {', '.join(asleep) or 'nobody'}")
        for i, box in enumerate(m.tables.mailboxes):
            mail = ", ".join(f"#{seq + 1} {kind + ' ' if kind else ''}{dollars(amount)}" for seq, amount, kind in state.boxes[i])
            lines.append(f"✉ {box}: {mail or 'empty'}")
        return lines

    def order_lines(self) -> list[str]:
        """The steps so far, as the lines run: ``Ann: r = read A``."""
        return [f"{desk}: {text}" for desk, _, text in self.described(self.picks)]

    # ------------------------------------------------------------- stars
    def stars(self) -> int:
        """Stars of this attempt: won, in par or fewer steps, with no hint."""
        verdict = self.verdict()
        if not verdict.won:
            return 0
        return 1 + int(verdict.under_par) + int(self.hints == 0)


def _steps(n: int) -> str:
    return "1 step" if n == 1 else f"{n} steps"
