"""Settings shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Locally, every run explores new seeds and workloads. In CI the examples are
# derived from the test itself, so a run is reproducible and never flaky.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def bankgame_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give every test a save folder of its own (``BANKGAME_HOME``), never the player's.

    Tests run side by side in several processes (pytest-xdist): no two of
    them may share a save, a worker log or a record of running games.
    """
    home = tmp_path / "home"
    monkeypatch.setenv("BANKGAME_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def keys_handled_not_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pilot.press`` waits for the app to have handled each key, not for the process to look idle.

    Textual's own waits for the CPU to go quiet after every key (40 ms and more, far more beside
    another test process); ``pilot_keys.press`` sends the same event the driver sends and waits on
    the condition itself: every message the key set off has been handled.
    """
    from textual.pilot import Pilot

    from pilot_keys import press

    monkeypatch.setattr(Pilot, "press", press)
