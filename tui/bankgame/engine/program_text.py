"""Programs as text: one ``[Desk]`` section per desk, each line exactly as the desk shows it.

::

    # my fix for fix-lost-update
    [Ann]
    take ticket A
    r = read A
    r = r + $50
    write A = r
    return ticket A
    [Ben]
    ...

Blank lines and lines starting with ``#`` are skipped. ``read_programs``
refuses anything unclear with a ``ProgramFileError`` naming the file, the line
number and the reason: an unknown desk, a desk twice or missing, a line that
is not a line of the game, and for a fix-it, a fixed line deleted or moved
or a line that is not in the desk's palette.
"""

from __future__ import annotations

from .fixits import FixIt, Programs, template
from .machine import Machine
from .primitives import ProgramError, parse_program
from .program_edit import unset_use


class ProgramFileError(ValueError):
    """A program file that cannot be used: the file, the line number (1-based, 0: the whole file), the reason."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {reason}")
        self.file = file
        self.line = line
        self.reason = reason


def write_programs(names: tuple[str, ...], programs: Programs, title: str = "") -> str:
    """The text of ``programs`` (one section per desk)."""
    out = [f"# {title}"] if title else []
    for name, lines in zip(names, programs):
        out.append(f"[{name}]")
        out.extend(lines)
    return "\n".join(out) + "\n"


def read_programs(text: str, file: str, machine: Machine, fix: FixIt | None = None) -> Programs:
    """Parse ``text`` into every desk's lines, for the desks of ``machine``.

    Args:
        text: the file's text.
        file: its name, for the errors.
        machine: the puzzle's machine (its desks and tables).
        fix: a fix-it puzzle: the lines must also be ones its editor can make.

    Raises:
        ProgramFileError: naming the file, the line and the reason.
    """
    names = machine.names
    sections: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = " ".join(raw.split())
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip()
            if name not in names:
                raise ProgramFileError(file, number, f"no desk called {name!r} (desks: {', '.join(names)})")
            if name in sections:
                raise ProgramFileError(file, number, f"desk {name!r} has a second section")
            sections[name] = []
            current = name
            continue
        if current is None:
            raise ProgramFileError(file, number, "a line before the first [Desk] section")
        sections[current].append((number, line))
    missing = [n for n in names if n not in sections]
    if missing:
        raise ProgramFileError(file, 0, f"no section for {', '.join(missing)} (one [Desk] section per desk)")
    programs = []
    for d, name in enumerate(names):
        numbered = sections[name]
        if not numbered:
            raise ProgramFileError(file, 0, f"desk {name!r} has no lines")
        lines = [line for _, line in numbered]
        registers: list[str] = []
        try:
            program = parse_program(lines, machine.tables, registers)
        except ProgramError as error:
            raise ProgramFileError(file, numbered[error.line - 1][0], f"{name}: {error.reason}") from None
        problem = unset_use(program, registers)
        if problem:
            raise ProgramFileError(file, numbered[0][0], f"{name}: {problem}")
        if fix is not None:
            _editable(fix, d, numbered, file)
        programs.append(tuple(lines))
    return tuple(programs)


def _editable(fix: FixIt, desk: int, numbered: list[tuple[int, str]], file: str) -> None:
    """Refuse lines the fix-it's editor could not make: not in the palette, or a fixed line gone or moved."""
    name = fix.names[desk]
    fixed = [template(line) for line in fix.fixed_lines(desk)]
    seen = []
    for number, line in numbered:
        if fix.is_fixed(desk, line):
            if template(line) not in fixed:
                raise ProgramFileError(file, number, f"{name}: {line!r} is neither one of the desk's own lines "
                                       "nor in its palette")
            seen.append((number, template(line)))
    for k, want in enumerate(fixed):
        if k >= len(seen):
            raise ProgramFileError(file, 0, f"{name}: the desk's own line {want!r} is missing (it cannot be deleted)")
        if seen[k][1] != want:
            raise ProgramFileError(file, seen[k][0], f"{name}: the desk's own lines keep their order; "
                                   f"expected {want!r} here")
