"""``bankgame export``: a day, a challenge or the branch on screen, written as a script.

The script itself comes from ``bankgame.engine.export`` (pure); this module
finds the day, writes the file and says where.
"""

from __future__ import annotations

from pathlib import Path

from .engine import Branch, Level, load_level
from .engine.challenge import load_challenges, open_challenge
from .engine.export import export_script, script_name, spec_of_branch


def branch_script(branch: Branch, title: str, source: str, operations: int = 0) -> str:
    """Return the script of ``branch``'s day, with its mode and tickets as they are now."""
    return export_script(spec_of_branch(branch, title, source, operations))


def challenge_ids() -> dict[str, Level]:
    """Return every challenge id, with the level it belongs to."""
    level = load_level("break-the-bank")
    return {spec.id: level for spec in load_challenges(level)}


def challenge_script(challenge_id: str, operations: int = 0) -> tuple[str, str]:
    """Return ``(title, script)`` of a Break the Bank challenge: Ann and Ben, over and over.

    Raises:
        KeyError: no challenge has that id.
    """
    level = challenge_ids()[challenge_id]
    spec = next(s for s in load_challenges(level) if s.id == challenge_id)
    branch = open_challenge(spec)
    try:
        title = f"{level.title}: {spec.title}"
        return title, branch_script(branch, title, f"bankgame export --challenge {challenge_id}", operations)
    finally:
        branch.close()


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
