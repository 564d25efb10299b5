"""The command line: the game, and the headless commands.

Each command imports what it needs inside its function (start-up time): the
parser and ``--version`` never wait for Textual, multiprocessing or the levels.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import __version__
from .constants import BackendName, Start

if TYPE_CHECKING:
    from .engine import Branch, Level

MAX_LAB_PROCESSES = 64
"""The most processes ``bankgame lab`` starts: each is a real process with its own memory."""
INTERRUPTED = 130
"""Exit status after Ctrl+C (128 + SIGINT), as shells report it."""

DAY_OPTIONS = ("mode", "tickets", "ticket_scope", "lock_order", "cashiers", "accounts", "customers")


def _add_day_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--level", default="sandbox", metavar="ID", help="level id (default: sandbox)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed for arrivals and the scheduler (default: the level's)")
    parser.add_argument("--mode", choices=("shared", "message"), help="shared state with tickets, or message passing")
    parser.add_argument("--tickets", metavar="WHERE",
                        help="where tickets (mutexes) are placed: none, vault, accounts, or a list such as A,C,rates")
    parser.add_argument("--ticket-scope", choices=("write", "check"), help="ticket around the write only, or the check and the write")
    parser.add_argument("--lock-order", choices=("any", "account"), help="order for taking several tickets")
    parser.add_argument("--cashiers", type=int, metavar="N", help="number of desks")
    parser.add_argument("--accounts", type=int, metavar="N", help="number of accounts")
    parser.add_argument("--customers", type=int, metavar="N", help="customers in the day")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``bankgame``."""
    parser = argparse.ArgumentParser(
        prog="bankgame",
        description="Run a bank branch; learn shared state, mutexes and message passing.",
    )
    parser.add_argument("--version", action="version", version=f"bankgame {__version__}")
    parser.add_argument("--level", metavar="ID", help="open a campaign level straight away")
    parser.add_argument("--seed", type=int, metavar="N", help="seed for the level")
    parser.add_argument("--tutorial", action="store_true", help="start the guided tutorial")
    _add_teacher_options(parser)
    _add_network_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    simulate = commands.add_parser("simulate", help="play a day headless and print its report")
    _add_day_options(simulate)
    simulate.add_argument("--backend", choices=("inline", "process"), default="inline",
                          help="inline (in this process) or process (real worker processes)")
    simulate.add_argument("--kill-clerk-every", type=int, default=0, metavar="N",
                          help="message mode: kill a real clerk every N ticks (it is recovered)")
    simulate.add_argument("--json", action="store_true", help="print one JSON object")
    _add_simulate_teacher_options(simulate)
    _add_action_option(simulate)
    _add_network_options(simulate)
    simulate.set_defaults(usage_parser=simulate)  # errors show the subcommand's usage

    web = commands.add_parser("web", help="serve the game to a web browser, one game per tab (needs bankgame[web])")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    web.add_argument("--port", type=int, default=8000, metavar="N", help="TCP port (default: 8000)")
    web.add_argument("--max-games", type=int, default=None, metavar="N",
                     help="games at once, 1 to 64 (default: 8; at most 3 from one address)")
    web.set_defaults(usage_parser=web)

    lab = commands.add_parser("lab", help="race real processes: shared memory with and without a lock, and messages")
    lab.add_argument("--processes", type=int, metavar="N",
                     help=f"worker processes racing, 1 to {MAX_LAB_PROCESSES} (default: one per core, at least 2)")
    lab.add_argument("--ops", type=int, default=200_000, metavar="N", help="deposits in all, each way (default: 200000)")
    lab.add_argument("--json", action="store_true", help="print one JSON object")
    lab.set_defaults(usage_parser=lab)

    clerk = commands.add_parser("clerk", help="serve the second branch's accounts over TCP, for --remote")
    clerk.add_argument("--listen", default="127.0.0.1:7040", metavar="HOST:PORT",
                       help="address to listen on (default: 127.0.0.1:7040, this machine only)")
    clerk.add_argument("--authkey-file", metavar="FILE",
                       help="the key a branch must prove it holds (default: kept with the saved progress)")
    clerk.set_defaults(usage_parser=clerk)

    _add_check_command(commands)
    _add_export_parser(commands)

    sandbox = commands.add_parser("sandbox", help="open your own branch straight away, with the day options")
    _add_day_options(sandbox)
    sandbox.add_argument("--backend", choices=("inline", "process"), default="process",
                         help="process (real worker processes, the default) or inline (one process)")
    sandbox.set_defaults(usage_parser=sandbox)
    _add_replay_command(commands)
    return parser


def _add_teacher_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--level-file", metavar="FILE", help="play your own level file (see docs/levels.md)")
    parser.add_argument("--unlock-all", action="store_true", help="open every campaign level (for a class)")


def _add_simulate_teacher_options(simulate: argparse.ArgumentParser) -> None:
    simulate.add_argument("--level-file", metavar="FILE", help="play your own level file instead of --level")
    simulate.add_argument("--save-replay", metavar="FILE", help="save the day as a replay file (bankgame replay FILE)")


def _add_replay_command(commands: Any) -> None:
    replay = commands.add_parser("replay", help="play a saved day again: on screen, or its report with --json")
    replay.add_argument("file", metavar="FILE", help="a replay file (saved with w, or simulate --save-replay)")
    replay.add_argument("--json", action="store_true", help="print the day's report as one JSON object, as simulate --json")
    replay.add_argument("--text", action="store_true", help="print the day's report as text, as simulate")
    replay.add_argument("--backend", choices=("inline", "process"), default=None,
                        help="inline or process (default: process on screen, inline for a report)")
    replay.set_defaults(usage_parser=replay)


def _add_export_parser(commands: Any) -> None:
    export = commands.add_parser(
        "export", help="write a day as a standalone Python script that races on real processes")
    _add_day_options(export)
    export.add_argument("-o", "--output", metavar="FILE", help="where to write the script (default: the level's name .py)")
    export.add_argument("--operations", type=int, default=0, metavar="N",
                        help="transactions each desk runs (default: 60000 shared, 10000 message)")
    export.add_argument("--puzzle", metavar="ID",
                        help="a Puzzle Book puzzle instead: its desks as real processes, the OS picking the order")
    export.add_argument("--rounds", type=int, default=0, metavar="N",
                        help="with --puzzle: rounds the script races by default (1 to 100000; default: 200)")
    export.set_defaults(usage_parser=export)


def run_export(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Write the script of a level's day (with the day options)."""
    from pathlib import Path

    from .engine import Branch, load_level, make_day
    from .exporting import branch_script, default_name, write_script

    if args.puzzle is not None:
        return run_export_puzzle(args, parser)
    if args.rounds:
        parser.error("--rounds goes with --puzzle ID")
    if args.operations < 0:
        parser.error("--operations must be 1 or more (0: the default)")
    options = day_options(args)
    check_level_options(parser, args.level, options)
    level = load_level(args.level)
    day = make_day(options, name="options", prefix="--", base=level.day)
    branch = Branch(day, seed=level.seed if args.seed is None else args.seed)
    words = " ".join(f"--{key.replace('_', '-')} {value}" for key, value in options.items())
    source = f"bankgame export --level {level.id}" + (f" --seed {args.seed}" if args.seed is not None else "") + (
        f" {words}" if words else "")
    try:
        text = branch_script(branch, level.title, source, args.operations)
    finally:
        branch.close()
    path = Path(args.output) if args.output else Path(default_name(level.title))
    try:
        written = write_script(path, text)
    except OSError as error:
        parser.error(f"-o {path}: cannot write it ({error.strerror or error})")
    print(f"Wrote {written}: run it with  python {written}")
    return 0


def run_export_puzzle(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Write the script of a Puzzle Book puzzle: ``bankgame export --puzzle ID [--rounds N] [-o FILE]``."""
    from pathlib import Path

    from .engine.puzzles import load_book
    from .exporting import puzzle_script, write_script

    given = [f"--{key.replace('_', '-')}" for key, value in day_options(args).items() if value is not None]
    if args.level != "sandbox" or args.seed is not None or given or args.operations:
        parser.error(f"--puzzle takes no day options ({', '.join(given) or '--level/--seed/--operations'} given)")
    if not 0 <= args.rounds <= 100_000:
        parser.error("--rounds must be from 1 to 100000 (0: the default, 200)")
    book = load_book()
    if args.puzzle not in book.ids():
        parser.error(f"unknown puzzle {args.puzzle!r} (puzzles: {', '.join(book.ids())})")
    puzzle = book.puzzle(args.puzzle)
    path = Path(args.output) if args.output else Path(f"puzzle-{puzzle.id}.py")
    try:
        written = write_script(path, puzzle_script(puzzle, args.rounds))
    except OSError as error:
        parser.error(f"-o {path}: cannot write it ({error.strerror or error})")
    print(f"Wrote {written}: run it with  python {written}")
    print("The game's checker tried every order; the script lets the OS pick one each round.")
    return 0


def _add_network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--remote", metavar="HOST:PORT",
                        help="the second branch's clerk: a running `bankgame clerk` (default: one started on loopback)")
    parser.add_argument("--authkey-file", metavar="FILE",
                        help="the key shared with the remote clerk (default: kept with the saved progress)")


def check_network_options(parser: argparse.ArgumentParser, level: str | None, remote: str | None,
                          key_file: str | None) -> None:
    """Refuse, with exit status 2, a ``--remote`` that cannot serve ``level``: a bad address, a wrong key, nobody there."""
    if remote is None and key_file is None:
        return
    from .engine import load_level
    from .workers.remote_clerk import parse_address
    from .workers.wire import WireError, load_key

    if level is None or not load_level(level).day.remote_clerks:
        parser.error("--remote and --authkey-file: only a level with a second branch (second-branch) has a remote clerk")
    try:
        key = load_key(key_file)
    except WireError as error:
        parser.error(f"--authkey-file: {error}")
    if remote is None:
        return
    try:
        address = parse_address(remote)
    except ValueError as error:
        parser.error(f"--remote: {error}")
    from .workers.remote import RemoteClerk
    from .workers.wire import AuthError

    probe = RemoteClerk(address, key)
    try:
        probe.connect()
    except AuthError as error:
        parser.error(f"--remote {remote}: the clerk does not share our key ({error}); "
                     "give both sides the same --authkey-file")
    except (OSError, WireError) as error:
        parser.error(f"--remote {remote}: cannot reach a clerk there ({error})")
    finally:
        probe.close()


def _add_check_command(commands: Any) -> None:
    """``bankgame check``: the checker over every order of a puzzle or of a small day."""
    check = commands.add_parser(
        "check", help="try every order of a puzzle's (or a small day's) steps: broken, deadlocked, livelocked or safe")
    check.add_argument("--puzzle", metavar="ID", help="a Puzzle Book puzzle, or a Fix the Program puzzle")
    check.add_argument("--program", metavar="FILE",
                       help="with --puzzle: check these programs instead (one [Desk] section per desk)")
    _add_day_options(check)  # --level ID --customers N and the day options
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(usage_parser=check)


def run_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run the checker and print its report."""
    import json

    from .engine.checker import TooLarge, check
    from .engine.levels import LevelError

    target: dict[str, Any]
    if args.program is not None:
        return run_check_program(args, parser)
    if args.puzzle is not None:
        from .engine.puzzles import load_book

        book = load_book()
        if args.puzzle not in book.ids():
            parser.error(f"unknown puzzle {args.puzzle!r} (puzzles: {', '.join(book.ids())})")
        puzzle = book.puzzle(args.puzzle)
        machine, target = puzzle.machine, {"puzzle": puzzle.id, "title": puzzle.title}
    else:
        from .engine.day_check import day_machine
        from .engine.levels import level_ids, load_level

        if args.customers is None:
            parser.error("give --puzzle ID, or --level ID with --customers N (a small day)")
        if args.level not in level_ids():
            parser.error(f"unknown level {args.level!r} (levels: {', '.join(level_ids())})")
        try:
            machine = day_machine(args.level, args.customers, day_options(args), args.seed)
        except (LevelError, ValueError) as error:
            parser.error(str(error))
        seed = load_level(args.level).seed if args.seed is None else args.seed  # the customers come from it
        target = {"level": args.level, "seed": seed, "customers": args.customers}
    try:
        report = check(machine)
    except TooLarge as error:
        parser.error(f"too large to check: {error}; use fewer customers or cashiers")
    if args.json:
        print(json.dumps({**target, **report.as_dict()}))
        return 0
    name = target.get("title") or f"{target['level']} · seed {target['seed']}, {target['customers']} customers"
    print(f"{name}: {report.verdict}{f' ({report.kind})' if report.kind else ''}")
    print(report.summary())
    orders = f"{report.orders:,}" if report.orders is not None else "endless (the desks can loop)"
    print(f"states: {report.states:,} · orders: {orders} · orders that break or jam: {report.bad_orders:,}")
    if report.verdict != "safe":
        loop = f" (loop from step {report.loop_from + 1})" if report.loop_from >= 0 else ""
        print(f"shortest ({report.par} steps){loop}: {' → '.join(report.shortest_names)}")
    return 0


def run_check_program(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``bankgame check --puzzle ID --program FILE``: the checker on programs read from a file."""
    import json
    from dataclasses import replace

    from .engine.checker import TooLarge, check
    from .engine.fix_search import cost, smallest_fix, stars
    from .engine.fixits import load_fixits
    from .engine.machine import Machine
    from .engine.program_text import ProgramFileError, read_programs
    from .engine.puzzles import load_book

    if args.puzzle is None:
        parser.error("--program needs --puzzle ID: the puzzle whose desks the programs are for")
    fixits, book = load_fixits(), load_book()
    fix = book_puzzle = None
    if args.puzzle in fixits.ids():
        fix = fixits.fixit(args.puzzle)
        base = fix.puzzle.machine
        title = fix.title
    elif args.puzzle in book.ids():
        book_puzzle = book.puzzle(args.puzzle)
        base = book_puzzle.machine
        title = book_puzzle.title
    else:
        parser.error(f"unknown puzzle {args.puzzle!r} (fix-its: {', '.join(fixits.ids())}; "
                     f"the book: {', '.join(book.ids())})")
    try:
        with open(args.program, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        parser.error(f"--program {args.program}: cannot read it ({error.strerror or error})")
    except UnicodeDecodeError as error:
        parser.error(f"--program {args.program}: cannot read it ({error})")
    try:
        programs = read_programs(text, args.program, base, fix)
    except ProgramFileError as error:
        parser.error(str(error))
    machine = (fix.machine(programs) if fix is not None else
               Machine(base.tables, tuple(replace(d, lines=p) for d, p in zip(base.desks, programs)),
                       base.opening, base.closed))
    try:
        report = check(machine)
    except TooLarge as error:
        parser.error(f"too large to check: {error}")
    target: dict[str, Any] = {"puzzle": args.puzzle, "title": title, "program": args.program}
    if fix is not None:
        mine, par = cost(programs), smallest_fix(fix).cost
        target["fix"] = {"held": mine.held, "tickets": mine.tickets, "serialized": mine.serialized or None,
                         "par_held": par.held, "par_tickets": par.tickets,
                         "stars": stars(mine, par, report.verdict == "safe")}
    if args.json:
        print(json.dumps({**target, **report.as_dict()}))
        return 0
    print(f"{title} ({args.program}): {report.verdict}{f' ({report.kind})' if report.kind else ''}")
    print(report.summary())
    if report.verdict != "safe":
        loop = f" (loop from step {report.loop_from + 1})" if report.loop_from >= 0 else ""
        print(f"shortest ({report.par} steps){loop}: {' → '.join(report.shortest_names)}")
    if "fix" in target:
        f = target["fix"]
        print(f"ticket-held steps {f['held']} (par {f['par_held']}) · tickets {f['tickets']} (par {f['par_tickets']})"
              f" · stars {f['stars']}/3" + (f" · serialized on {f['serialized']}" if f["serialized"] else ""))
    return 0


def day_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the day options given on the command line."""
    given = vars(args)
    return {key: given[key] for key in DAY_OPTIONS if given.get(key) is not None}


def check_level_options(parser: argparse.ArgumentParser, level: str, options: dict[str, Any]) -> None:
    """Refuse, with usage and exit status 2, an unknown level or options its day cannot take."""
    from .engine import LevelError, level_ids, load_level, make_day

    if level not in level_ids():
        parser.error(f"unknown level {level!r} (levels: {', '.join(level_ids())})")
    try:
        day = make_day(options, name="options", prefix="--", base=load_level(level).day)
    except LevelError as error:
        parser.error(str(error))
    if options.get("mode") == "shared" and not day.shared_available:
        parser.error(f"options: key '--mode': {level} has no shared mode: its second branch is on another "
                     "machine, and only messages reach it")


ACTION_HELP = (
    "a player action stamped with its tick, repeatable: TICK:place:RESOURCE, TICK:remove:RESOURCE, "
    "TICK:scope:write|check, TICK:order:any|account, TICK:mode:shared|message, TICK:kill-clerk:N, "
    "TICK:desks:N, TICK:clerks:N"
)
ACTION_KINDS = {
    "place": "ticket_on", "remove": "ticket_off", "scope": "scope", "order": "order", "mode": "mode",
    "kill-clerk": "kill_clerk", "desks": "desks", "clerks": "clerks",
}


def _add_action_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--action", action="append", default=[], metavar="TICK:WHAT:ARG", help=ACTION_HELP)


def parse_action(text: str, day: Any) -> tuple[int, str, str]:
    """Return ``TICK:WHAT:ARG`` as an engine action ``(tick, kind, argument)`` for ``day``.

    Raises:
        ValueError: why the action cannot be done on this day.
    """
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError("must be TICK:WHAT:ARG")
    tick_text, what, argument = (p.strip() for p in parts)
    if not tick_text.isdigit():
        raise ValueError(f"the tick must be a whole number of 0 or more, not {tick_text!r}")
    if what not in ACTION_KINDS:
        raise ValueError(f"unknown action {what!r} (known: {', '.join(ACTION_KINDS)})")
    kind = ACTION_KINDS[what]
    from .engine.replay import action_problem

    reason = action_problem(day, kind, argument)
    if reason:
        raise ValueError(reason)
    return int(tick_text), kind, argument


def run_simulate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Play a day headless and print its report."""
    from .day import open_day
    from .engine import LevelError, level_ids, make_report

    if args.kill_clerk_every < 0:
        parser.error("--kill-clerk-every must be 0 or more")
    if args.level_file:
        level, branch = open_level_file_or_exit(parser, args.level_file, args.seed, day_options(args), args.backend)
    else:
        check_level_options(parser, args.level, day_options(args))
        check_network_options(parser, args.level, args.remote, args.authkey_file)
    try:
        if not args.level_file:
            level, branch = open_day(args.level, args.seed, day_options(args), args.backend, args.remote, args.authkey_file)
    except KeyError:
        parser.error(f"unknown level {args.level!r} (levels: {', '.join(level_ids())})")
    except LevelError as error:
        parser.error(str(error))
    from .engine.replay import ActionError, play_actions
    from .workers.remote import RemoteUnreachable
    from .workers.wire import WireError

    actions: dict[tuple[int, str, str], str] = {}
    for text in args.action:
        try:
            actions.setdefault(parse_action(text, branch.day), text)
        except ValueError as error:
            branch.close()
            parser.error(f"--action {text!r}: {error}")
    with branch:
        try:
            play_actions(branch, list(actions), kill_clerk_every=args.kill_clerk_every, strict=True)
        except ActionError as error:
            parser.error(f"--action {actions[error.action]!r}: {error.reason}")
        except (RemoteUnreachable, WireError) as error:  # WireError covers a key that stopped matching
            print(f"bankgame simulate: {error}", file=sys.stderr)
            return 1
        report = make_report(branch, level.id, level.goals)
        for notice in branch.backend.take_notices():  # a helper process that died, and what was done
            print(f"bankgame: {notice}", file=sys.stderr)
    if args.save_replay:
        save_replay_or_exit(parser, args.save_replay, branch, level, args.level_file)
    print(report.to_json() if args.json else report.to_text())
    return 0


def open_level_file_or_exit(parser: argparse.ArgumentParser, path: str, seed: int | None, options: dict[str, Any],
                            backend: BackendName) -> tuple[Level, Branch]:
    """Return ``(level, branch)`` of a level file; a bad file or option exits 2 naming file, key and reason."""
    from .day import load_custom_level, open_file_day
    from .engine import LevelError

    try:
        level = load_custom_level(path)
        if options.get("mode") == "shared" and not level.day.shared_available:
            parser.error(f"options: key '--mode': {level.id} has no shared mode: only messages reach its second branch")
        return open_file_day(path, seed, options, backend)
    except LevelError as error:
        parser.error(str(error))


def save_replay_or_exit(parser: argparse.ArgumentParser, path: str, branch: Any, level: Any,
                        level_file: str | None) -> None:
    """Write the day's replay file; a file that cannot be written exits 2 saying why."""
    from .replays import make_replay, write_replay

    try:
        write_replay(path, make_replay(branch, level, level_file))
    except OSError as error:
        parser.error(f"--save-replay: {path}: cannot be written: {error.strerror or error}")


def run_replay(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Play a replay file: its report (``--json``, ``--text``) or on screen, paused at tick 0."""
    from .engine import make_report
    from .replays import ReplayError, play_replay, read_replay

    try:
        replay = read_replay(args.file)
    except ReplayError as error:
        parser.error(str(error))
    if not (args.json or args.text):
        return run_game(parser, backend=args.backend or "process", replay=replay, replay_file=args.file)
    try:
        level, branch = play_replay(replay, args.backend or "inline", args.file)
    except ReplayError as error:
        parser.error(str(error))
    with branch:
        report = make_report(branch, level.id, level.goals)
    print(report.to_json() if args.json else report.to_text())
    return 0


def sweep_leftovers() -> str:
    """Remove what earlier games of this user left in shared memory; return what was done, or ``""``."""
    from .workers.leftovers import sweep

    try:
        return sweep()
    except Exception:  # noqa: BLE001 - an unreadable data folder is the store's to report
        return ""


@contextlib.contextmanager
def quiet_interrupt() -> Iterator[None]:
    """Let Ctrl+C end a headless command quietly: it unwinds (workers stopped, memory freed), no traceback.

    The first Ctrl+C raises ``KeyboardInterrupt``; any more are ignored, so
    that they cannot cut the clean-up short. The exception is swallowed here:
    the caller returns ``INTERRUPTED``.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    except KeyboardInterrupt:
        sys.stdout.flush()
    finally:
        signal.signal(signal.SIGINT, previous)


BROKEN_PIPE = 141
"""The exit status of a command whose output pipe was closed (128 + SIGPIPE, as a shell reports it)."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``bankgame`` command."""
    try:
        return _run(argv)
    except BrokenPipeError:
        # The reader went away (``bankgame simulate | head``): stop quietly, as Unix tools do.
        # What is still buffered for stdout must not raise again when Python flushes it at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    swept = sweep_leftovers()
    if swept and args.command is not None and args.command != "sandbox":
        print(f"bankgame: {swept}", file=sys.stderr)
    if args.command == "simulate":
        from .workers.helpers import exit_on_signals

        with quiet_interrupt(), exit_on_signals():  # SIGTERM/SIGHUP unwind, so the workers are stopped
            return run_simulate(args, args.usage_parser)
        return INTERRUPTED
    if args.command == "lab":
        if args.processes is not None and not 1 <= args.processes <= MAX_LAB_PROCESSES:
            args.usage_parser.error(f"--processes must be between 1 and {MAX_LAB_PROCESSES}, not {args.processes}")
        if args.ops < 1:
            args.usage_parser.error("--ops must be 1 or more")
        from .workers.helpers import exit_on_signals
        from .workers.lab_cli import lab_command

        with quiet_interrupt(), exit_on_signals():
            return lab_command(args.processes, args.ops, args.json)
        return INTERRUPTED
    if args.command == "check":
        return run_check(args, args.usage_parser)
    if args.command == "web":
        if not 0 < args.port < 65536:
            args.usage_parser.error("--port must be between 1 and 65535")
        if args.max_games is not None and not 1 <= args.max_games <= 64:
            args.usage_parser.error("--max-games must be between 1 and 64")
        from .web import host_problem, run_web

        if host_problem(args.host):
            args.usage_parser.error(host_problem(args.host))
        return run_web(args.host, args.port, args.max_games)
    if args.command == "clerk":
        from .workers.remote_clerk import clerk_command, parse_address
        from .workers.wire import WireError, load_key

        try:
            parse_address(args.listen)
            load_key(args.authkey_file)
        except (ValueError, WireError) as error:
            args.usage_parser.error(str(error))
        return clerk_command(args.listen, args.authkey_file)
    if args.command == "replay":
        from .workers.helpers import exit_on_signals

        with exit_on_signals():
            return run_replay(args, args.usage_parser)
    if args.command == "export":
        return run_export(args, args.usage_parser)
    if args.command == "sandbox":
        return run_game(args.usage_parser, level=args.level, seed=args.seed, options=day_options(args),
                        backend=args.backend, swept=swept)
    check_network_options(parser, args.level, args.remote, args.authkey_file)
    if args.level_file:
        open_level_file_or_exit(parser, args.level_file, args.seed, {}, "inline")[1].close()  # checked before the screen
    return run_game(parser, level=args.level, seed=args.seed, tutorial=args.tutorial,
                    level_file=args.level_file, unlock_all=args.unlock_all, swept=swept,
                    network={"remote": args.remote, "authkey_file": args.authkey_file})


def run_game(parser: argparse.ArgumentParser, level: str | None = None, seed: int | None = None,
             options: dict[str, Any] | None = None, backend: BackendName = "process", tutorial: bool = False,
             level_file: str | None = None, unlock_all: bool = False, replay: Any = None,
             replay_file: str = "", swept: str = "", network: dict[str, Any] | None = None) -> int:
    """Play the game in this terminal: the title, or a level or the sandbox straight away.

    ``swept`` says what an earlier game left behind and was removed (shown once, as a notice).
    """
    if level is not None:
        check_level_options(parser, level, options or {})
    from .app import BankApp
    from .day import in_process_notice
    from .workers import start_process_helpers

    notice = swept
    if backend == "process":
        try:
            start_process_helpers()  # before App.run(): no helper may start inside a running app
        except Exception as error:  # noqa: BLE001 - the app says so and plays in-process
            backend = "inline"
            notice = " ".join(filter(None, (swept, in_process_notice(error))))
    start: Start = "tutorial" if tutorial else ("level" if level is not None else "title")
    app = BankApp(start=start, level=level, seed=seed, options=options, backend=backend, handle_signals=True,
                  notice=notice, level_file=level_file, unlock_all=unlock_all, replay=replay, replay_file=replay_file)
    app.network = network or {}
    try:
        app.run()
    finally:
        app.close_branches()  # stop the day's worker processes
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
