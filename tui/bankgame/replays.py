"""Replay files: a day at the branch saved as a small TOML file, to play again or send.

A file holds what makes a day: the level (a built-in id, or a level file and
the digest of its text), the seed, the day options, the player's actions
stamped with their tick (``Branch.actions``, the form ``engine.replay``
plays), and the version of the game that saved it. A day plays the same only
on the version that saved it, so a file from another version is refused, as
is a file that was damaged: both name the file and the reason.

Example::

    format = 1
    version = "0.1.0"
    level = "rush-hour"
    seed = 4
    actions = [
      [0, "ticket_on", "A"],
    ]

    [options]
    cashiers = 3
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .constants import BackendName
from .day import day_backend, load_custom_level
from .engine import Branch, DayConfig, Level, LevelError, load_level, make_day
from .engine.replay import ACTION_KINDS, action_problem
from .engine.replay import replay as play_actions
from .engine.rewind import Action

FORMAT = 1
KEYS = {"format", "version", "level", "level_file", "level_digest", "seed", "tick", "backend", "options", "actions"}


class ReplayError(ValueError):
    """A replay file that cannot be played: names the file, the key (or line) and the reason."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}" if key else f"{file}: {reason}")
        self.file = file
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class Replay:
    """A saved day.

    ``level`` is a built-in level id, or ``""`` when the day is a level file's
    (``level_file``, whose text had the digest ``level_digest``).
    """

    seed: int
    level: str = ""
    level_file: str = ""
    level_digest: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    version: str = __version__
    tick: int = 0
    """The tick the day was at when it was saved (the file plays the whole day)."""
    backend: str = "inline"
    """The backend that played it, ``+tcp`` when a clerk was across the network (all give the same day)."""


def digest(path: Path) -> str:
    """Return the SHA-256 of a level file's bytes (a replay refuses a level file that changed)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_replay(branch: Branch, level: Level, level_file: str | Path | None = None,
                actions: list[Action] | None = None) -> Replay:
    """Return the replay of ``branch`` (a day over, or the day so far).

    The options saved are whatever of the branch's day differs from its
    level's (the command line's, the sandbox's, a tutorial chapter's alike).

    Args:
        branch: the day.
        level: its level.
        level_file: the file the level came from, when it is not a built-in one.
        actions: the actions to save (a screen's whole recording); the branch's when ``None``.
    """
    path = Path(level_file).resolve() if level_file else None
    options = {f.name: _plain(getattr(branch.day, f.name)) for f in dataclasses.fields(DayConfig)
               if getattr(branch.day, f.name) != getattr(level.day, f.name)}
    return Replay(
        seed=branch.seed,
        level="" if path else level.id,
        level_file=str(path) if path else "",
        level_digest=digest(path) if path else "",
        options=options,
        actions=tuple(actions if actions is not None else branch.actions),
        tick=branch.tick,
        backend=branch.backend.name,
    )


# ---------------------------------------------------------------- writing
def replay_text(replay: Replay) -> str:
    """Return the replay as the text of its file (TOML a person can read)."""
    lines = [
        "# A day at the bankgame branch. Play it again: bankgame replay THIS_FILE",
        "# (on screen, paused at tick 0), or print its report: bankgame replay THIS_FILE --json",
        f"format = {FORMAT}",
        f"version = {_toml(replay.version)}",
    ]
    if replay.level_file:
        lines += [f"level_file = {_toml(replay.level_file)}", f"level_digest = {_toml(replay.level_digest)}"]
    else:
        lines.append(f"level = {_toml(replay.level)}")
    lines += [
        f"seed = {replay.seed}",
        f"tick = {replay.tick}  # where the day was when it was saved; the file plays the whole day",
        f"backend = {_toml(replay.backend)}",
        "# The player's actions: [tick, what, on what], each done just before that tick runs.",
        "actions = [",
        *(f"  [{tick}, {_toml(kind)}, {_toml(argument)}]," for tick, kind, argument in replay.actions),
        "]",
        "",
        "# Day options that override the level's (as on the command line).",
        "[options]",
        *(f"{key} = {_toml(value)}" for key, value in replay.options.items()),
    ]
    return "\n".join(lines) + "\n"


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are all TOML's too
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} in a replay")


def write_replay(path: Path | str, replay: Replay) -> Path:
    """Write ``replay`` to ``path`` (its folder is made); return the path.

    Raises:
        OSError: the file cannot be written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(replay_text(replay), encoding="utf-8")
    return path


# ---------------------------------------------------------------- reading
def read_replay(path: Path | str) -> Replay:
    """Read and check a replay file.

    Raises:
        ReplayError: naming the file, the key or line, and the reason.
    """
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ReplayError(name, "", f"cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ReplayError(name, "", "is not a text file") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ReplayError(name, "", f"damaged, not valid TOML: {error}") from None
    for key in data:
        if key not in KEYS:
            raise ReplayError(name, f"key '{key}'", "unknown key: is this a replay file?")
    if data.get("format") != FORMAT:
        raise ReplayError(name, "key 'format'", f"must be {FORMAT}: is this a replay file?")
    version = data.get("version")
    if not isinstance(version, str):
        raise ReplayError(name, "key 'version'", "missing: the game version that saved the day")
    if version != __version__:
        raise ReplayError(name, "key 'version'", f"saved by bankgame {version}; this is bankgame {__version__}, "
                          "and a day plays the same only on the version that saved it")
    level, level_file = data.get("level", ""), data.get("level_file", "")
    if not isinstance(level, str) or not isinstance(level_file, str) or bool(level) == bool(level_file):
        raise ReplayError(name, "key 'level'", "give a level id (level) or a level file (level_file), one of the two")
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ReplayError(name, "key 'seed'", "missing or not a whole number")
    options = data.get("options", {})
    if not isinstance(options, dict):
        raise ReplayError(name, "key 'options'", "must be a table")
    actions = data.get("actions", [])
    if not isinstance(actions, list):
        raise ReplayError(name, "key 'actions'", "must be a list of [tick, what, on what]")
    stamped: list[Action] = []
    for index, entry in enumerate(actions):
        stamped.append(_action(entry, name, index))
    if any(a[0] > b[0] for a, b in itertools.pairwise(stamped)):
        raise ReplayError(name, "key 'actions'", "the actions are not in the order of their ticks")
    tick, backend = data.get("tick", 0), data.get("backend", "inline")
    if isinstance(tick, bool) or not isinstance(tick, int) or tick < 0:
        raise ReplayError(name, "key 'tick'", "must be a whole number, 0 or more")
    # A day whose clerk is across the network says so: ``process+tcp`` (Second Branch on real processes).
    if not isinstance(backend, str) or backend.removesuffix("+tcp") not in ("inline", "process"):
        raise ReplayError(name, "key 'backend'", "must be inline or process (with +tcp for a clerk across the network)")
    replay = Replay(seed=seed, level=level, level_file=level_file, level_digest=str(data.get("level_digest", "")),
                    options=options, actions=tuple(stamped), version=version, tick=tick, backend=backend)
    replay_day(replay, name)  # the level, the options and the actions' arguments are checked now
    return replay


def _action(entry: Any, name: str, index: int) -> Action:
    where = f"key 'actions[{index}]'"
    if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], int) and not isinstance(entry[0], bool)
            and isinstance(entry[1], str) and isinstance(entry[2], str)):
        raise ReplayError(name, where, "must be [tick, what, on what], e.g. [12, \"ticket_on\", \"A\"]")
    tick, kind, argument = entry
    if tick < 0:
        raise ReplayError(name, where, "the tick must be 0 or more")
    if kind not in ACTION_KINDS:
        raise ReplayError(name, where, f"unknown action {kind!r} (known: {', '.join(ACTION_KINDS)})")
    return (tick, kind, argument)


def replay_day(replay: Replay, name: str = "<replay>") -> tuple[Level, DayConfig, str]:
    """Return the level of a replay, its day and the level file it came from (``""`` for a built-in level).

    Raises:
        ReplayError: the level is unknown, its file is missing, changed or not valid, an
            option or an action's argument does not fit the day.
    """
    if replay.level_file:
        path = Path(replay.level_file)
        if not path.is_file():
            beside = Path(name).parent / path.name  # sent together: the level file next to the replay
            if not beside.is_file():
                raise ReplayError(name, "key 'level_file'", f"{replay.level_file} is not there (nor {beside})")
            path = beside
        if replay.level_digest and digest(path) != replay.level_digest:
            raise ReplayError(name, "key 'level_file'", f"{path} changed since the day was saved: it would not be the same day")
        try:
            level = load_custom_level(path)
        except LevelError as error:
            raise ReplayError(name, "key 'level_file'", str(error)) from None
        source = str(path)
    else:
        try:
            level = load_level(replay.level)
        except KeyError:
            raise ReplayError(name, "key 'level'", f"there is no level {replay.level!r}") from None
        source = ""
    try:
        day = make_day(replay.options, name, prefix="options.", base=level.day)
    except LevelError as error:
        raise ReplayError(name, f"key '{error.key}'", error.reason) from None
    for index, (_, kind, argument) in enumerate(replay.actions):
        reason = action_problem(day, kind, argument)
        if reason:
            raise ReplayError(name, f"key 'actions[{index}]'", reason)
    return level, day, source


def play_replay(replay: Replay, backend: BackendName = "inline", name: str = "<replay>") -> tuple[Level, Branch]:
    """Play the whole day of ``replay`` headless on ``backend``; return its level and the finished branch."""
    level, day, _ = replay_day(replay, name)
    return level, play_actions(day, replay.seed, list(replay.actions), day_backend(day, backend))
