"""The engine is pure Python: importing it pulls in no UI and no processes."""

from __future__ import annotations

import json
import subprocess
import sys


def test_engine_imports_neither_textual_nor_multiprocessing() -> None:
    code = (
        "import json, sys; import bankgame.engine, bankgame.engine.report; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'multiprocessing', 'rich', 'concurrent', 'threading', 'socket', 'subprocess'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert not [m for m in loaded if m.split(".")[0] in ("textual", "multiprocessing", "rich")], loaded
