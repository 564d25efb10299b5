"""Real concurrency: the backends that execute what the engine decides."""

from __future__ import annotations

from ..engine import Backend, InlineBackend

BACKENDS = ("inline", "process")


def make_backend(name: str) -> Backend:
    """Return a new backend called ``name`` (``inline`` or ``process``)."""
    if name == "inline":
        return InlineBackend()
    if name == "process":
        raise NotImplementedError("the process backend is not built yet")
    raise ValueError(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
