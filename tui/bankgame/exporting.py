"""``bankgame export``: a level's day or the branch on screen, written as a script.

The script itself comes from ``bankgame.engine.export`` (pure); this module
finds the day, writes the file and says where.
"""

from __future__ import annotations

from pathlib import Path

from .engine import Branch
from .engine.export import export_script, script_name, spec_of_branch
from .engine.puzzle_export import puzzle_script as export_puzzle
from .engine.puzzles import Puzzle


def branch_script(branch: Branch, title: str, source: str, operations: int = 0) -> str:
    """Return the script of ``branch``'s day, with its mode and tickets as they are now."""
    return export_script(spec_of_branch(branch, title, source, operations))


def write_script(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (its folder made if missing); return the absolute path.

    Raises:
        OSError: the file cannot be written.
    """
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path.resolve()


def export_folder() -> Path:
    """Return where the game writes the scripts it exports: ``exports/`` in the save folder."""
    from .store import data_folder

    return data_folder() / "exports"


def default_name(title: str) -> str:
    """Return the file name of a script of ``title``."""
    return script_name(title)


def puzzle_script(puzzle: Puzzle, rounds: int = 0) -> str:
    """Return the script of a Puzzle Book puzzle: its desks as real processes, the OS picking the order."""
    source = f"bankgame export --puzzle {puzzle.id}" + (f" --rounds {rounds}" if rounds else "")
    return export_puzzle(puzzle, source, rounds)
