"""Tutorial tests: no NO_COLOR in snapshots, animations off (each test's own home: tests/conftest.py)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(autouse=True)
def colour_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
