"""The title's first frame waits only for what the title shows.

The engine, the campaign, the opening of a day and the worker processes'
modules are imported where they are first used, after the first frame: the
title's start-up does not pay for them (benchmarks/bench_ui.py measures the
time; this test says which modules, so a new top-level import that pulls one
of them in fails here, named).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

FIRST_FRAME = """
import json
import sys

from textual.app import App

from bankgame.app import BankApp

_display = App._display
seen = []


def first_frame(self, screen, renderable):
    # The first whole screen handed to the driver: what the player sees first.
    _display(self, screen, renderable)
    if renderable is not None and not self._batch_count and not seen:
        seen.append(1)
        print(json.dumps({"screen": type(screen).__name__, "modules": sorted(sys.modules)}), flush=True)
        self.exit()


App._display = first_frame
BankApp(backend="inline").run(headless=True, size=(120, 36))
"""

NOT_BEFORE_THE_TITLE = (
    "bankgame.engine",
    "bankgame.campaign",
    "bankgame.day",
    "bankgame.workers",
    "bankgame.screens.branch",
    "bankgame.screens.level_select",
    "multiprocessing",
    "tomllib",
)
"""Modules the title's first frame must not wait for (each imports more under it)."""


def test_the_title_is_drawn_before_the_engine_and_the_workers_are_imported(tmp_path) -> None:
    env = dict(os.environ, BANKGAME_HOME=str(tmp_path), TEXTUAL_ANIMATIONS="none")
    result = subprocess.run([sys.executable, "-c", FIRST_FRAME], capture_output=True, text=True, env=env,
                            timeout=120, check=True)
    shown = json.loads(result.stdout.splitlines()[0])
    assert shown["screen"] == "TitleScreen"
    modules = set(shown["modules"])
    assert "bankgame.screens.title" in modules  # the frame seen is the title's, drawn by this package
    assert [name for name in NOT_BEFORE_THE_TITLE if name in modules] == []
