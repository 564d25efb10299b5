"""Starting and stopping worker processes like a good citizen.

Every worker process of the game comes from one ``forkserver`` context (never
a bare ``fork`` beside Textual's threads). The forkserver and the resource
tracker are started once, before any Textual app runs, with their standard
output and error pointed at a log file, so that no child can ever paint over
the terminal (see ``start_process_helpers``).

Nothing outlives the game: workers are daemons; each one runs a thread that
waits on its parent's sentinel and leaves the moment the parent is gone (even
after a SIGKILL); ``stop_processes`` terminates, joins and kills what is left.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from multiprocessing.context import ForkServerContext
from pathlib import Path

CONTEXT: ForkServerContext = multiprocessing.get_context("forkserver")  # type: ignore[assignment]
"""The one start method every worker of the game uses."""

LOG_ENV = "BANKGAME_WORKER_LOG"
"""Overrides where the workers' output goes."""

PRELOAD = ["__main__", "bankgame.workers.cashiers", "bankgame.workers.clerks", "bankgame.workers.lab"]
"""Imported once by the forkserver, so that each worker starts in milliseconds."""

_helpers_log: str | None = None


def default_log_path() -> Path:
    """Return the file the workers write to (never the terminal).

    ``BANKGAME_WORKER_LOG`` wins; then ``$BANKGAME_HOME/workers.log``; then the
    platform's user log folder.
    """
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV])
    home = os.environ.get("BANKGAME_HOME")
    if home:
        return Path(home) / "workers.log"
    from platformdirs import user_log_path

    return user_log_path("bankgame") / "workers.log"


def start_process_helpers(log_path: str | os.PathLike[str] | None = None) -> str:
    """Start the resource tracker and the forkserver with fds 1 and 2 on a log file.

    Call it before ``App.run()``: a helper started inside a running Textual app
    fails with ``bad value(s) in fds_to_keep`` (Textual's stderr capture has no
    file descriptor). Calling it again is harmless.

    Args:
        log_path: where the helpers and every worker write; the default is
            ``default_log_path()``.

    Returns:
        The log file's path.
    """
    global _helpers_log
    from multiprocessing import forkserver, resource_tracker

    path = Path(log_path) if log_path is not None else default_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:  # an unusable BANKGAME_HOME: the workers still run, their output is dropped
        path = Path(os.devnull)
        log = os.open(path, os.O_WRONLY)
    CONTEXT.set_forkserver_preload(PRELOAD)
    saved = os.dup(1), os.dup(2)
    saved_stderr = sys.stderr
    os.dup2(log, 1)
    os.dup2(log, 2)
    # The helpers hand sys.stderr's descriptor to their child; a captured
    # stderr (fileno() == -1) would be refused, so lend them the real one.
    sys.stderr = sys.__stderr__ if _has_fileno(sys.__stderr__) else open(2, "w", closefd=False)
    try:
        resource_tracker.ensure_running()
        forkserver.ensure_running()
    finally:
        sys.stderr = saved_stderr
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, log):
            os.close(fd)
    _helpers_log = str(path)
    return _helpers_log


def ensure_process_helpers() -> str:
    """Start the helpers (with the default log) unless they already run; return the log path."""
    if _helpers_log is None:
        return start_process_helpers()
    return _helpers_log


def _has_fileno(stream: object) -> bool:
    try:
        return stream is not None and stream.fileno() >= 0  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


def worker_setup(log_path: str | None) -> None:
    """Prepare a worker process: quiet, interrupt-proof, and bound to its parent.

    Runs first in every worker. Output goes to the log file whatever the
    forkserver inherited; Ctrl+C is the parent's to handle (it then stops its
    workers); and a thread leaves the moment the parent's sentinel fires,
    which is the only reliable sign under forkserver (``os.getppid()`` names
    the forkserver, not the parent).
    """
    if log_path:
        try:
            log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError:
            log = os.open(os.devnull, os.O_WRONLY)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - only workers call this
        return
    sentinel = parent.sentinel

    def leave_with_parent() -> None:
        from multiprocessing.connection import wait

        wait([sentinel])
        os._exit(0)

    threading.Thread(target=leave_with_parent, name="parent-watch", daemon=True).start()


def stop_processes(processes: Iterable[multiprocessing.process.BaseProcess], grace: float = 2.0) -> None:
    """Terminate every process, join each for up to ``grace`` seconds, kill what is left."""
    processes = [p for p in processes if p is not None and p._popen is not None]  # started ones only
    for process in processes:
        if process.exitcode is None:
            with contextlib.suppress(OSError):
                process.terminate()
    for process in processes:
        process.join(grace)
        if process.exitcode is None:
            with contextlib.suppress(OSError):
                process.kill()
            process.join(grace)
    for process in processes:
        with contextlib.suppress(ValueError):
            process.close()


@contextlib.contextmanager
def exit_on_signals(*signums: int) -> Iterator[None]:
    """Turn SIGTERM and SIGHUP (or ``signums``) into ``SystemExit`` while inside.

    A headless command then unwinds normally (its ``with`` blocks stop their
    workers and free shared memory) instead of dying on the spot.
    """
    signums = signums or (signal.SIGTERM, signal.SIGHUP)
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, leave) for s in signums}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
