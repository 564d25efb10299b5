"""Workers tests run real processes; their output goes to a log in a temporary home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _bankgame_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.getbasetemp() / "bankgame-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("BANKGAME_HOME", str(home))
    yield home
