"""UI tests: deterministic apps (inline backend, fixed seeds, no animation, colour on)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def ui_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep saves out of the player's folder, colour on, animations off."""
    monkeypatch.setenv("BANKGAME_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
