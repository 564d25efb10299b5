"""Campaign tests never touch the player's saved progress."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def bankgame_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ``BANKGAME_HOME`` at a fresh temporary folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("BANKGAME_HOME", str(home))
    return home
