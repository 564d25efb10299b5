"""Starting and stopping worker processes like a good citizen.

Every worker process of the game comes from one ``forkserver`` context (never
a bare ``fork`` beside Textual's threads). The forkserver and the resource
tracker are started with their standard output and error on a log file, so
that no child can ever paint over the terminal (see ``start_process_helpers``).
Either one can be killed mid-game: ``restart_dead_helpers`` notices and
starts it again the same way, and the backends rebuild their workers.

Nothing outlives the game: workers are daemons; each one runs a thread that
waits on its parent's sentinel and leaves the moment the parent is gone (even
after a SIGKILL); ``stop_processes`` terminates, joins and kills what is left.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import threading
import warnings
from collections.abc import Iterable, Iterator
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

from ..engine.primitives import LockSpec
from . import leftovers

CONTEXT: ForkServerContext = multiprocessing.get_context("forkserver")
"""The one start method every worker of the game uses."""

leftovers.use_game_names()  # before any lock exists: every semaphore of this process carries its pid

LOG_ENV = "BANKGAME_WORKER_LOG"
"""Overrides where the workers' output goes."""

PRELOAD = [
    "__main__", "bankgame.workers.cashiers", "bankgame.workers.clerks", "bankgame.workers.lab",
    "bankgame.workers.lab_python", "bankgame.workers.puzzles", "bankgame.workers.remote",
]
"""Imported once by the forkserver, so that each worker starts in milliseconds: every module
whose functions are worker processes' targets (a test keeps the list complete)."""

_helpers_log: str | None = None
_restart_lock = threading.RLock()
HELPERS = ("forkserver", "resource tracker")
_known: tuple[int | None, int | None] = (None, None)
"""The helpers' pids as last seen by ``restart_dead_helpers``."""

# The game notices a dead resource tracker and says so itself (``restart_dead_helpers``).
warnings.filterwarnings("ignore", message="resource_tracker: process died unexpectedly", category=UserWarning)


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
    """Start the resource tracker and the forkserver with their stdout and stderr on a log file.

    From here on, every helper ``multiprocessing`` starts for this game (these
    two, and either one again if it dies) is spawned by ``_spawn_to_log``:
    its standard output and error are the log, never the terminal, and it
    starts even inside a running Textual app, whose captured stderr has no
    file descriptor. Calling this again is harmless. The first call also writes the
    game's record (``leftovers``), before any of its names exists.

    Args:
        log_path: where the helpers and every worker write; the default is
            ``default_log_path()``.

    Returns:
        The log file's path.
    """
    global _helpers_log, _known
    from multiprocessing import forkserver, resource_tracker, util

    path = Path(log_path) if log_path is not None else default_log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644))
    except OSError:  # an unusable BANKGAME_HOME: the workers still run, their output is dropped
        path = Path(os.devnull)
    with _restart_lock:
        first = _helpers_log is None
        _helpers_log = str(path)
        if first:
            leftovers.record_game()
        util.spawnv_passfds = _spawn_to_log  # type: ignore[assignment]
        CONTEXT.set_forkserver_preload(PRELOAD)
        resource_tracker.ensure_running()
        forkserver.ensure_running()
        if first:
            _known = helper_pids()
    return _helpers_log


def make_locks(locks: tuple[LockSpec, ...]) -> list[Any]:
    """Return a real lock per description: a ``Lock`` for one permit, a ``BoundedSemaphore`` for more."""
    return [CONTEXT.Lock() if lock.permits == 1 else CONTEXT.BoundedSemaphore(lock.permits) for lock in locks]


def ensure_process_helpers() -> str:
    """Start the helpers (with the default log), or start again any that died; return the log path."""
    if _helpers_log is None:
        return start_process_helpers()
    restart_dead_helpers()
    return _helpers_log


def _spawn_to_log(path: str, args: list[str], passfds: Iterable[int]) -> int:
    """``multiprocessing.util.spawnv_passfds`` with the log as the child's stdout and stderr.

    The standard version leaves the child the parent's descriptors 0, 1 and
    2: the terminal, over which a helper's warnings would paint. The file
    descriptors passed on are kept (a captured stderr's ``-1`` and the
    standard ones, which are replaced, are dropped).
    """
    keep = sorted({fd for fd in map(int, passfds) if fd > 2})
    log = os.open(_helpers_log or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        child = subprocess.Popen(
            args, executable=path, pass_fds=keep, close_fds=True,
            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        )
    finally:
        os.close(log)
    child.returncode = 0  # multiprocessing waits for this pid itself; Popen must not reap it
    return child.pid


# ------------------------------------------------------ helpers that die
def _tracker_pid() -> int | None:
    from multiprocessing import resource_tracker

    return getattr(resource_tracker._resource_tracker, "_pid", None)


def _forkserver_pid() -> int | None:
    from multiprocessing import forkserver

    return getattr(forkserver._forkserver, "_forkserver_pid", None)


def _running(pid: int | None) -> bool:
    """Whether child ``pid`` still runs; it is not reaped if it is gone (multiprocessing does that)."""
    if pid is None:
        return False
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return True  # not this process's child: its own parent looks after it
    except (AttributeError, OSError):  # pragma: no cover - no waitid here
        return True


def helpers_alive() -> bool:
    """Whether the forkserver and the resource tracker both run (two system calls, nothing reaped)."""
    return _running(_tracker_pid()) and _running(_forkserver_pid())


def helper_pids() -> tuple[int | None, int | None]:
    """Return the process ids of the forkserver and the resource tracker now.

    A backend compares them with what it saw when it started its workers: a
    new forkserver (started by anyone, even by ``multiprocessing`` itself)
    means its workers' handles no longer tell the truth.
    """
    return _forkserver_pid(), _tracker_pid()


def restart_dead_helpers() -> list[str]:
    """Start again the helpers that died, safely, and return the names of those that are new.

    A new resource tracker knows nothing of the game's shared memory and
    semaphores: it is told of every one of them that still exists, so that
    it can free them if the game dies, and so that their normal release does
    not puzzle it (``KeyError: '/mp-…'``).
    """
    global _known
    if _helpers_log is None:
        return []
    from multiprocessing import forkserver, resource_tracker

    with _restart_lock:
        if not helpers_alive():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "process died unexpectedly": the game says so itself
                resource_tracker.ensure_running()
                forkserver.ensure_running()
        now = helper_pids()
        restarted = [name for name, pid, known in zip(HELPERS, now, _known) if pid != known]
        if now[1] != _known[1]:
            for name, kind in leftovers.registered_names():
                resource_tracker.register(name, kind)
        _known = now
    return restarted


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
    # Started ones only (``pid`` would raise for a closed one).
    processes = [p for p in processes if p is not None and p._popen is not None]  # type: ignore[attr-defined]
    for process in processes:
        if process.exitcode == 255:
            _kill_orphan(process.pid)
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


def _kill_orphan(pid: int | None) -> None:
    """SIGKILL a worker whose forkserver died: its handle says it is gone, but it may still run.

    Its pid is checked to be a worker still (forked from a forkserver, it
    keeps the forkserver's command line) and no longer this process's child.
    """
    if pid is None:
        return
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return
    parent = next((line.split()[1] for line in status.splitlines() if line.startswith("PPid:")), "")
    if b"multiprocessing.forkserver" in command and parent != str(os.getpid()):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


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
