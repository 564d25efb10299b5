"""Tutorial tests never touch the player's saved progress."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(autouse=True)
def bankgame_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``BANKGAME_HOME`` at a fresh temporary folder; no NO_COLOR in snapshots."""
    home = tmp_path / "home"
    monkeypatch.setenv("BANKGAME_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home
