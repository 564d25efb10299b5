"""The game's named resources: names that say whose they are, and a sweep at the next start.

Every named resource a game creates carries the game's process id:

- shared-memory blocks are ``psm_bankgame_<pid>_<hex>`` (``/dev/shm/psm_…``);
- named semaphores, which back every ``multiprocessing`` lock, queue and
  barrier, are ``/mp-bankgame-<pid>-<random>`` (``/dev/shm/sem.mp-…``);
- the one folder ``multiprocessing`` makes for the forkserver's socket
  (``/tmp/pymp-…``) has a random name: the record keeps it.

The game unlinks them itself when a day closes or the game exits, and the
resource tracker unlinks what it was told of when the game dies. When nothing
is left alive to do it (the whole process group SIGKILLed at once), the
record a game writes in the data folder (``games/<pid>``, before it creates
any name) lets the next start of ``bankgame`` find what that game left and
remove it. Only records of games that are no longer running are swept, so
two games of the same user never touch each other's names.

Why not unlink a semaphore right after creating it (as ``fork`` contexts
do)? Under ``forkserver`` a child rebuilds a pickled lock by *name*
(``sem_open``), so the name must exist whenever a worker starts, and this
game starts workers all day long: a cashier or clerk restarted, a pool
started at a mode switch, every worker rebuilt after a helper died.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import secrets
import shutil
import tempfile
from multiprocessing import util
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path

SHM_DIR = Path("/dev/shm")
"""Where Linux keeps POSIX shared memory and named semaphores (elsewhere: no listing, no sweep)."""
RECORDS = "games"
"""The folder, inside the data folder, of one record per running game."""

_record: Path | None = None
"""This game's record, once written."""


def block_prefix(pid: int | None = None) -> str:
    """Return the start of every shared-memory block name of game ``pid`` (default: this one)."""
    return f"psm_bankgame_{os.getpid() if pid is None else pid}_"


def semaphore_prefix(pid: int | None = None) -> str:
    """Return the start of every named semaphore of game ``pid``, as in ``/dev/shm`` (``sem.`` stripped)."""
    return f"mp-bankgame-{os.getpid() if pid is None else pid}-"


def new_block(size: int) -> SharedMemory:
    """Create a shared-memory block of ``size`` bytes named after this game."""
    while True:
        try:
            return SharedMemory(name=block_prefix() + secrets.token_hex(4), create=True, size=size)
        except FileExistsError:  # pragma: no cover - one name in four billion
            continue


def block_bytes(block: SharedMemory) -> memoryview:
    """Return ``block``'s bytes (refused once the block is closed)."""
    buffer = block.buf
    if buffer is None:  # only once the block is closed
        raise ValueError(f"shared-memory block {block.name} is closed")
    return buffer


def int64s(block: SharedMemory) -> memoryview:
    """Return ``block``'s bytes as int64 slots (the ledger, the stats)."""
    return block_bytes(block).cast("q")


def use_game_names() -> None:
    """Make every semaphore ``multiprocessing`` creates in this process carry this game's pid.

    ``multiprocessing`` names a semaphore ``<semprefix>-<random>``; the prefix
    is the process's own setting (``/mp`` by default). Queues and barriers
    make their semaphores inside ``multiprocessing``, so the prefix is the
    one place that names them all.
    """
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    config["semprefix"] = "/" + semaphore_prefix().rstrip("-")


def names_of(pid: int | None = None) -> list[Path]:
    """Return the ``/dev/shm`` entries of game ``pid`` (default: this one): its blocks and semaphores."""
    prefixes = (block_prefix(pid), "sem." + semaphore_prefix(pid))
    try:
        return sorted(entry for entry in SHM_DIR.iterdir() if entry.name.startswith(prefixes))
    except OSError:
        return []


def registered_names(pid: int | None = None) -> list[tuple[str, str]]:
    """Return this game's live names as the resource tracker knows them: ``(name, type)``."""
    out = []
    for entry in names_of(pid):
        if entry.name.startswith("sem."):
            out.append(("/" + entry.name[len("sem."):], "semaphore"))
        else:
            out.append(("/" + entry.name, "shared_memory"))
    return out


# ------------------------------------------------------------------ records
def _records(folder: Path | None = None) -> Path:
    if folder is None:
        from ..store import data_folder

        folder = data_folder()
    return folder / RECORDS


def _started(pid: int) -> str:
    """Return when process ``pid`` started (clock ticks since boot), or ``""`` if unknown or gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat[stat.rindex(")") + 2:].split()[19]


def _running(pid: int, started: str) -> bool:
    """Whether the game that wrote a record still runs (its pid, started at the same moment)."""
    if Path("/proc").is_dir():
        return _started(pid) == started and started != ""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def record_game(folder: Path | None = None) -> Path | None:
    """Write this game's record (its pid, start time and temporary folder) before it creates any name.

    The record is removed at exit once nothing of the game is left in
    ``/dev/shm``; otherwise the next start sweeps what is.

    Returns:
        The record's path, or ``None`` when the data folder cannot be written
        (the game plays on; only the sweep after a crash is lost).
    """
    global _record
    path = _records(folder) / str(os.getpid())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Made now rather than when the forkserver first needs it, so that the record can name it.
        path.write_text(f"{_started(os.getpid())}\n{util.get_temp_dir()}\n")
    except OSError:
        return None
    if _record is None:
        # After multiprocessing's own exit handlers (priority 0) have released the locks.
        util.Finalize(None, forget_game, exitpriority=-100)
    _record = path
    return path


def forget_game() -> None:
    """Remove this game's record if nothing of it is left in ``/dev/shm``."""
    if _record is None or names_of():
        return  # the next start removes what is left
    with contextlib.suppress(OSError):
        _record.unlink()


def sweep(folder: Path | None = None) -> str:
    """Remove what earlier games of this user left behind; return what was done, or ``""``.

    A record whose game still runs is left alone. The names of a game that
    is gone are unlinked, then its record is removed, so each leftover is
    reported once.
    """
    records = _records(folder)
    try:
        entries = list(records.iterdir())
    except OSError:
        return ""
    blocks = semaphores = folders = games = 0
    for record in entries:
        if not record.name.isdigit():
            continue
        pid = int(record.name)
        try:
            started, _, folder_line = record.read_text().partition("\n")
        except OSError:
            continue
        started = started.strip()
        if pid == os.getpid() or _running(pid, started):
            continue
        found = 0
        for entry in names_of(pid):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
                found += 1
                if entry.name.startswith("sem."):
                    semaphores += 1
                else:
                    blocks += 1
        if _remove_temp_folder(folder_line.strip()):
            found += 1
            folders += 1
        with contextlib.suppress(OSError):
            record.unlink()
        games += found > 0
    if not games:
        return ""
    counted = ((blocks, "shared-memory block"), (semaphores, "semaphore"), (folders, "temporary folder"))
    parts = [f"{n} {what}{'s' * (n != 1)}" for n, what in counted if n]
    things = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    return f"Removed {things} left behind by {games} earlier game{'s' * (games != 1)} that did not close properly."


def _remove_temp_folder(name: str) -> bool:
    """Remove an earlier game's ``multiprocessing`` folder, if it is one and is still there."""
    folder = Path(name)
    if not name or folder.parent != Path(tempfile.gettempdir()) or not folder.name.startswith("pymp-"):
        return False  # not what a record names: never remove anything else
    if not folder.is_dir():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()
