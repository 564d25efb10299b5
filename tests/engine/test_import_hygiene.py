"""The engine is pure Python: importing it pulls in no UI and no processes."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import bankgame.engine


def test_engine_imports_neither_textual_nor_multiprocessing() -> None:
    modules = ["bankgame.engine"] + [
        f"bankgame.engine.{info.name}" for info in pkgutil.iter_modules(bankgame.engine.__path__)
    ]
    assert "bankgame.engine.checker" in modules and "bankgame.engine.replay" in modules
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'multiprocessing', 'rich'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
