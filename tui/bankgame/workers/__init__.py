"""Real concurrency: the backends that execute what the engine decides, and the Lab.

``inline`` runs in this process (fast, for tests); ``process`` runs real
cashier processes on a shared-memory ledger and real clerk processes for
messages (``bankgame.workers.process``). The Lab races real processes
free-running (``bankgame.workers.lab``).

For a Textual app:

1. ``start_process_helpers(log_path)`` before ``App.run()``, so that the first
   day opens at once; from then on every helper ``multiprocessing`` starts
   (either one again, if it dies mid-game) writes to the log, never to the
   terminal, and starts even beside Textual's captured stderr;
2. ``Branch(day, seed, backend=make_backend("process"))`` and, after
   ``App.run()`` returns (quit, exception, SIGTERM/SIGHUP turned into
   ``app.exit``), ``branch.close()``: terminate → join(2) → kill;
3. the Lab screen runs ``run_lab(processes, ops, progress=..., cancel=...)``
   in a thread worker and posts the progress as messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine import InlineBackend
from .helpers import exit_on_signals, start_process_helpers, stop_processes

if TYPE_CHECKING:
    from .process import ProcessBackend

BACKENDS = ("inline", "process")

__all__ = [
    "BACKENDS", "LabCancelled", "LabResult", "LabRun", "ProcessBackend", "exit_on_signals", "make_backend",
    "run_lab", "start_process_helpers", "stop_processes",
]

_LAZY = {
    "ProcessBackend": "process", "run_lab": "lab", "LabResult": "lab", "LabRun": "lab", "LabCancelled": "lab",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_backend(name: str) -> InlineBackend | ProcessBackend:
    """Return a new backend called ``name`` (``inline`` or ``process``)."""
    if name == "inline":
        return InlineBackend()
    if name == "process":
        from .process import ProcessBackend

        return ProcessBackend()
    raise ValueError(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
