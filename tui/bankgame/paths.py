"""Where the game's data files live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path


def assets_dir() -> Path:
    """Return the folder holding levels, tutorial scripts and styles.

    A wheel carries the top-level ``assets/`` inside the package; an editable
    install runs from the checkout, where ``assets/`` sits two levels up.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "assets"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "assets"
