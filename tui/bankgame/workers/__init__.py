"""Real concurrency: the backends that execute what the engine decides.

``inline`` runs in this process (fast, for tests); ``process`` runs real
cashier processes on a shared-memory ledger and real clerk processes for
messages (see ``bankgame.workers.process``). The Lab is ``bankgame.workers.lab``.
"""

from __future__ import annotations

from ..engine import Backend, InlineBackend
from .helpers import start_process_helpers, stop_processes

BACKENDS = ("inline", "process")

__all__ = ["BACKENDS", "make_backend", "start_process_helpers", "stop_processes"]


def make_backend(name: str) -> Backend:
    """Return a new backend called ``name`` (``inline`` or ``process``)."""
    if name == "inline":
        return InlineBackend()
    if name == "process":
        from .process import ProcessBackend

        return ProcessBackend()
    raise ValueError(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
