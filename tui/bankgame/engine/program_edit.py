"""Editing a fix-it's programs: move a line, insert from the palette, delete, undo.

Every edit is checked before it is made, so the programs are always lines of
the game: an edit that would leave a line that does not parse (a ``while``
with no read above it, a register used before it is set) is refused with the
reason, and so is deleting a fixed line or moving one past another fixed line.
A program that can never finish (a ticket taken and never given back) is
legal: the checker says what goes wrong.

A line that jumps (``go to 4``) keeps pointing at the same line while lines
around it move; a jump inserted from the palette points where its number says
once it is in place.

Usage::

    editor = Editor(fix)
    editor.insert(0, 0, "take ticket A")     # "" when done, else the reason it is refused
    editor.move(0, 0, +1); editor.delete(0, 1); editor.undo()
    editor.programs                          # every desk's lines now
"""

from __future__ import annotations

from dataclasses import dataclass

from .fixits import FixIt, Programs, jump_target, retarget
from .primitives import (
    ACK,
    ADD,
    ADD_REG,
    APPLY,
    CHECK,
    CLOSED,
    IS_KIND,
    JUMP,
    READ,
    RECEIVE,
    SEEN,
    SEND,
    TRY,
    WAIT,
    WRITE,
    Instr,
    ProgramError,
    parse_program,
)

END = -1
"""A jump past the last line."""


@dataclass(frozen=True, slots=True)
class Line:
    """A line of an edited program: its text, who it is, and the line it jumps to (by who)."""

    text: str
    uid: int
    target: int | None = None
    """The uid of the line it jumps to (``END``: past the last), ``None`` if it does not jump."""


def render(lines: list[Line] | tuple[Line, ...]) -> tuple[str, ...]:
    """The lines' texts, each jump numbered for where its target is now."""
    where = {line.uid: i for i, line in enumerate(lines)}
    out = []
    for line in lines:
        if line.target is None:
            out.append(line.text)
        else:
            out.append(retarget(line.text, len(lines) if line.target == END else where[line.target]))
    return tuple(out)


def link(texts: tuple[str, ...] | list[str], first_uid: int = 0) -> list[Line]:
    """Lines with uids from ``first_uid``, each jump tied to the line its number points at."""
    lines = []
    for i, text in enumerate(texts):
        target = jump_target(text)
        tied = None if target is None else (END if target >= len(texts) else first_uid + target)
        lines.append(Line(text, first_uid + i, tied))
    return lines


class Editor:
    """The player's edits to every desk's program of ``fix``.

    Args:
        fix: the fix-it puzzle.
        programs: where to start (a saved best program); the shipped programs by default.
    """

    def __init__(self, fix: FixIt, programs: Programs | None = None) -> None:
        self.fix = fix
        self._next = 0
        self.desks: list[list[Line]] = []
        for lines in programs or fix.shipped:
            self.desks.append(link(lines, self._next))
            self._next += len(lines)
        self.history: list[list[list[Line]]] = []

    @property
    def programs(self) -> Programs:
        """Every desk's lines now."""
        return tuple(render(d) for d in self.desks)

    def lines(self, desk: int) -> tuple[str, ...]:
        """``desk``'s lines now."""
        return render(self.desks[desk])

    def is_fixed(self, desk: int, index: int) -> bool:
        """Whether line ``index`` of ``desk`` is fixed (cannot be deleted or moved past another fixed line)."""
        return self.fix.is_fixed(desk, self.desks[desk][index].text)

    @property
    def edits(self) -> int:
        """Edits made (and not undone)."""
        return len(self.history)

    # ------------------------------------------------------------- edits
    def move(self, desk: int, index: int, delta: int) -> str:
        """Move line ``index`` of ``desk`` up (``delta`` -1) or down (+1); return "" or why not."""
        lines = self.desks[desk]
        other = index + delta
        if delta not in (-1, 1) or not 0 <= index < len(lines):
            return "there is no such line"
        if not 0 <= other < len(lines):
            return "it is already the " + ("first" if delta < 0 else "last") + " line"
        if self.is_fixed(desk, index) and self.is_fixed(desk, other):
            return "the customer's lines keep their order: move the other lines around them"
        new = list(lines)
        new[index], new[other] = new[other], new[index]
        return self._apply(desk, new)

    def insert(self, desk: int, index: int, text: str) -> str:
        """Insert palette line ``text`` before line ``index`` of ``desk`` (``len``: at the end); "" or why not."""
        if text not in self.fix.palettes[desk]:
            return f"{text!r} is not in this desk's palette"
        lines = self.desks[desk]
        if not 0 <= index <= len(lines):
            return "there is no such place"
        new = list(lines)
        line = Line(text, self._next)
        new.insert(index, line)
        target = jump_target(text)
        if target is not None:
            # The number means a line of the program as it is once the line is in.
            tied = END if target >= len(new) else new[target].uid
            new[index] = Line(text, line.uid, tied)
        self._next += 1
        return self._apply(desk, new)

    def delete(self, desk: int, index: int) -> str:
        """Delete line ``index`` of ``desk``; "" or why not."""
        lines = self.desks[desk]
        if not 0 <= index < len(lines):
            return "there is no such line"
        if self.is_fixed(desk, index):
            return "this is the customer's own line: it cannot be deleted"
        gone = lines[index].uid
        new = [line for line in lines if line.uid != gone]
        # A jump to the deleted line now goes to the line that took its place.
        after = lines[index + 1].uid if index + 1 < len(lines) else END
        new = [Line(x.text, x.uid, after if x.target == gone else x.target) for x in new]
        return self._apply(desk, new)

    def undo(self) -> bool:
        """Take back the last edit; return whether there was one."""
        if not self.history:
            return False
        self.desks = self.history.pop()
        return True

    def reset(self) -> None:
        """Back to the shipped programs (an edit, so undo brings the player's back)."""
        self.history.append([list(d) for d in self.desks])
        self.desks = []
        for lines in self.fix.shipped:
            self.desks.append(link(lines, self._next))
            self._next += len(lines)

    def _apply(self, desk: int, new: list[Line]) -> str:
        problem = legal(self.fix, desk, render(new))
        if problem:
            return problem
        self.history.append([list(d) for d in self.desks])
        self.desks[desk] = new
        return ""


def legal(fix: FixIt, desk: int, lines: tuple[str, ...] | list[str]) -> str:
    """Return "" if ``lines`` are a program ``desk`` can run, else why not (in words, with the line)."""
    registers: list[str] = []
    try:
        program = parse_program(list(lines), fix.puzzle.machine.tables, registers)
    except ProgramError as error:
        return f"line {error.line} would not be a line of the game: {error.reason}"
    return unset_use(program, registers)


ASSIGNS = frozenset({READ, RECEIVE})
BRANCHES = frozenset({CHECK, CLOSED, IS_KIND, SEEN, TRY})


def unset_use(program: list[Instr], registers: list[str]) -> str:
    """Return "" unless some way through ``program`` (a refusal, a jump) uses a register nothing has set.

    The parser reads lines top to bottom; a refusal jumps, so a line below it can
    be reached with a register never read: that program is not one the desks can run.
    """
    end = len(program)
    known: list[frozenset[int] | None] = [None] * (end + 1)
    known[0] = frozenset()
    work = [0]
    while work:
        pc = work.pop()
        mine = known[pc]
        assert mine is not None
        if pc >= end:
            continue
        ins = program[pc]
        for reg in _uses(ins):
            if reg not in mine:
                return (f"line {pc + 1} ({ins.text}) would use {registers[reg]} on a way through the program "
                        "that never sets it (a refusal or a jump above skips the line that does)")
        after = mine | {ins.reg} if ins.op in ASSIGNS else mine
        nexts = [] if ins.op == JUMP else [pc + 1]
        if ins.op in BRANCHES or ins.op == JUMP or (ins.op == WAIT and ins.kind == "while"):
            nexts.append(ins.target)
        for nxt in nexts:
            if not 0 <= nxt <= end:
                continue
            old = known[nxt]
            new = after if old is None else old & after
            if new != old:
                known[nxt] = new
                work.append(nxt)
    return ""


def _uses(ins: Instr) -> list[int]:
    if ins.op in (ADD, WRITE, APPLY, CHECK, WAIT, IS_KIND, SEEN, ACK) or (ins.op == SEND and ins.reg >= 0):
        return [ins.reg]
    if ins.op == ADD_REG:
        return [ins.reg, ins.reg2]
    return []
