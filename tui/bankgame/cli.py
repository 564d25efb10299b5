"""The command line: the game, and the headless commands."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import __version__

DAY_OPTIONS = ("mode", "tickets", "ticket_scope", "lock_order", "cashiers", "accounts", "customers")


def _add_day_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--level", default="sandbox", metavar="ID", help="level id (default: sandbox)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed for arrivals and the scheduler (default: the level's)")
    parser.add_argument("--mode", choices=("shared", "message"), help="shared state with tickets, or message passing")
    parser.add_argument("--tickets", choices=("none", "vault", "accounts"), help="where tickets (mutexes) are placed")
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
    _add_network_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    simulate = commands.add_parser("simulate", help="play a day headless and print its report")
    _add_day_options(simulate)
    simulate.add_argument("--backend", choices=("inline", "process"), default="inline",
                          help="inline (in this process) or process (real worker processes)")
    simulate.add_argument("--kill-clerk-every", type=int, default=0, metavar="N",
                          help="message mode: kill a real clerk every N ticks (it is recovered)")
    simulate.add_argument("--json", action="store_true", help="print one JSON object")
    _add_network_options(simulate)
    simulate.set_defaults(usage_parser=simulate)  # errors show the subcommand's usage

    web = commands.add_parser("web", help="serve the game to a web browser, one game per tab (needs bankgame[web])")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    web.add_argument("--port", type=int, default=8000, metavar="N", help="TCP port (default: 8000)")
    web.set_defaults(usage_parser=web)

    lab = commands.add_parser("lab", help="race real processes: shared memory with and without a lock, and messages")
    lab.add_argument("--processes", type=int, metavar="N", help="worker processes racing (default: one per core, at least 2)")
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

    sandbox = commands.add_parser("sandbox", help="open your own branch straight away, with the day options")
    _add_day_options(sandbox)
    sandbox.add_argument("--backend", choices=("inline", "process"), default="process",
                         help="process (real worker processes, the default) or inline (one process)")
    sandbox.set_defaults(usage_parser=sandbox)
    return parser


def _add_network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--remote", metavar="HOST:PORT",
                        help="the second branch's clerk: a running `bankgame clerk` (default: one started on loopback)")
    parser.add_argument("--authkey-file", metavar="FILE",
                        help="the key shared with the remote clerk (default: kept with the saved progress)")


def check_network_options(parser: argparse.ArgumentParser, level: str | None, args: argparse.Namespace) -> None:
    """Refuse, with exit status 2, a ``--remote`` that cannot serve ``level``: a bad address, a wrong key, nobody there."""
    remote, key_file = getattr(args, "remote", None), getattr(args, "authkey_file", None)
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
    check.add_argument("--puzzle", metavar="ID", help="a Puzzle Book puzzle")
    _add_day_options(check)  # --level ID --customers N and the day options
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(usage_parser=check)


def run_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run the checker and print its report."""
    import json

    from .engine.checker import TooLarge, check
    from .engine.levels import LevelError

    target: dict[str, Any]
    if args.puzzle is not None:
        from .engine.puzzles import load_book

        book = load_book()
        if args.puzzle not in book.ids():
            parser.error(f"unknown puzzle {args.puzzle!r} (puzzles: {', '.join(book.ids())})")
        puzzle = book.puzzle(args.puzzle)
        machine, target = puzzle.machine, {"puzzle": puzzle.id, "title": puzzle.title}
    else:
        from .engine.day_check import day_machine
        from .engine.levels import level_ids

        if args.customers is None:
            parser.error("give --puzzle ID, or --level ID with --customers N (a small day)")
        if args.level not in level_ids():
            parser.error(f"unknown level {args.level!r} (levels: {', '.join(level_ids())})")
        try:
            machine = day_machine(args.level, args.customers, day_options(args), args.seed)
        except (LevelError, ValueError) as error:
            parser.error(str(error))
        target = {"level": args.level, "customers": args.customers}
    try:
        report = check(machine)
    except TooLarge as error:
        parser.error(f"too large to check: {error}; use fewer customers or cashiers")
    if args.json:
        print(json.dumps({**target, **report.as_dict()}))
        return 0
    name = target.get("title") or f"{target['level']}, {target['customers']} customers"
    print(f"{name}: {report.verdict}{f' ({report.kind})' if report.kind else ''}")
    print(report.summary())
    orders = f"{report.orders:,}" if report.orders is not None else "endless (the desks can loop)"
    print(f"states: {report.states:,} · orders: {orders} · orders that break or jam: {report.bad_orders:,}")
    if report.verdict != "safe":
        loop = f" (loop from step {report.loop_from + 1})" if report.loop_from >= 0 else ""
        print(f"shortest ({report.par} steps){loop}: {' → '.join(report.shortest_names)}")
    return 0


def day_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the day options given on the command line."""
    return {key: getattr(args, key) for key in DAY_OPTIONS if getattr(args, key, None) is not None}


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


def run_simulate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Play a day headless and print its report."""
    from .day import open_day
    from .engine import LevelError, level_ids, make_report

    if args.kill_clerk_every < 0:
        parser.error("--kill-clerk-every must be 0 or more")
    check_level_options(parser, args.level, day_options(args))
    check_network_options(parser, args.level, args)
    try:
        level, branch = open_day(args.level, args.seed, day_options(args), args.backend, args.remote, args.authkey_file)
    except KeyError:
        parser.error(f"unknown level {args.level!r} (levels: {', '.join(level_ids())})")
    except LevelError as error:
        parser.error(str(error))
    from .workers.remote import RemoteUnreachable
    from .workers.wire import WireError

    with branch:
        try:
            branch.run(kill_clerk_every=args.kill_clerk_every)
        except (RemoteUnreachable, WireError) as error:  # WireError covers a key that stopped matching
            print(f"bankgame simulate: {error}", file=sys.stderr)
            return 1
        report = make_report(branch, level.id, level.goals)
    print(report.to_json() if args.json else report.to_text())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``bankgame`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "simulate":
        from .workers.helpers import exit_on_signals

        with exit_on_signals():  # SIGTERM/SIGHUP unwind, so the workers are stopped
            return run_simulate(args, args.usage_parser)
    if args.command == "lab":
        if args.processes is not None and args.processes < 1 or args.ops < 1:
            args.usage_parser.error("--processes and --ops must be 1 or more")
        from .workers.helpers import exit_on_signals
        from .workers.lab_cli import lab_command

        with exit_on_signals():
            return lab_command(args.processes, args.ops, args.json)
    if args.command == "check":
        return run_check(args, args.usage_parser)
    if args.command == "web":
        if not 0 < args.port < 65536:
            args.usage_parser.error("--port must be between 1 and 65535")
        from .web import run_web

        return run_web(args.host, args.port)
    if args.command == "clerk":
        from .workers.remote_clerk import clerk_command, parse_address
        from .workers.wire import WireError, load_key

        try:
            parse_address(args.listen)
            load_key(args.authkey_file)
        except (ValueError, WireError) as error:
            args.usage_parser.error(str(error))
        return clerk_command(args.listen, args.authkey_file)
    if args.command == "sandbox":
        return run_game(args.usage_parser, level=args.level, seed=args.seed, options=day_options(args),
                        backend=args.backend)
    check_network_options(parser, args.level, args)
    return run_game(parser, level=args.level, seed=args.seed, tutorial=args.tutorial,
                    network={"remote": args.remote, "authkey_file": args.authkey_file})


def run_game(parser: argparse.ArgumentParser, level: str | None = None, seed: int | None = None,
             options: dict[str, Any] | None = None, backend: str = "process", tutorial: bool = False,
             network: dict[str, Any] | None = None) -> int:
    """Play the game in this terminal: the title, or a level or the sandbox straight away."""
    if level is not None:
        check_level_options(parser, level, options or {})
    from .app import BankApp
    from .workers import start_process_helpers

    notice = ""
    if backend == "process":
        try:
            start_process_helpers()  # before App.run(): no helper may start inside a running app
        except Exception as error:  # noqa: BLE001 - the app says so and plays in-process
            backend, notice = "inline", f"Real worker processes cannot start here ({error}); playing in-process."
    start = "tutorial" if tutorial else ("level" if level is not None else "title")
    app = BankApp(start=start, level=level, seed=seed, options=options, backend=backend, handle_signals=True,
                  notice=notice)
    app.network = network or {}
    try:
        app.run()
    finally:
        app.close_branches()  # stop the day's worker processes
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
