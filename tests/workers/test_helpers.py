"""The process helpers start like a good citizen, even beside a captured stderr."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import io, sys

    class Capture(io.TextIOBase):  # what a running Textual app puts in sys.stderr
        def fileno(self):
            return -1

        def write(self, text):
            return len(text)

    sys.stderr = Capture()
    from bankgame.engine import BackendSetup
    from bankgame.workers import start_process_helpers
    from bankgame.workers.process import ProcessBackend

    start_process_helpers(sys.argv[1])
    with ProcessBackend() as backend:
        backend.open(BackendSetup(balances=(5, 137), desks=2, clerks=1, clerk_of=(0,)))
        backend.write(0, 0, 6)
        print(backend.read(1, 0))
    """
)


def test_helpers_start_when_stderr_is_captured_and_log_to_a_file(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "workers.log"
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(log)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "6\n"
    assert out.stderr == ""
    assert log.exists()


def test_the_forkserver_preloads_every_module_that_has_worker_processes() -> None:
    """A module left out still works, but each of its workers pays for the imports on start."""
    import bankgame.workers as workers
    from bankgame.workers.helpers import PRELOAD

    folder = Path(workers.__file__).parent
    starting = {f"bankgame.workers.{path.stem}" for path in folder.glob("*.py") if ".Process(" in path.read_text()}
    assert "bankgame.workers.puzzles" in starting
    assert starting <= set(PRELOAD), starting - set(PRELOAD)
