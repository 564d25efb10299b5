"""UI tests: deterministic apps (inline backend, fixed seeds, no animation, colour on)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def ui_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Colour on, animations off (each test's own home: tests/conftest.py)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
