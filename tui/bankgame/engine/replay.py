"""Replays: the level, the seed and the player's stamped actions give the same day."""

from __future__ import annotations

from .backend import Backend
from .branch import Branch, account_index
from .levels import DayConfig
from .programs import parse_tickets

ACTION_KINDS = ("ticket_on", "ticket_off", "scope", "order", "mode", "kill_clerk", "desks", "clerks", "tickets_at_once")
"""Every action a day records in ``Branch.actions`` (what the player did, stamped with its tick)."""

CHOICES = {"scope": ("write", "check"), "order": ("any", "account"), "mode": ("shared", "message")}
"""The arguments an action with a fixed set of them takes."""


def action_problem(day: DayConfig, kind: str, argument: str) -> str:
    """Return why ``kind argument`` is no action on ``day`` at all, or ``""``.

    One rule for every way an action arrives (``simulate --action``, a replay
    file): what the day does not offer is refused, never quietly skipped.
    """
    if kind not in ACTION_KINDS:
        return f"unknown action {kind!r} (known: {', '.join(ACTION_KINDS)})"
    if kind in ("ticket_on", "ticket_off"):
        if argument in ("vault", "rates"):
            return ""
        if "," in argument:
            return "one resource per action"
        if not (argument.isalpha() and argument.isupper() and len(argument) <= 2
                and 0 <= account_index(argument) < day.accounts):
            return f"no account {argument!r} in this day ({day.accounts} accounts)"
        return ""
    if kind == "tickets_at_once":
        try:
            parse_tickets(argument, day.accounts)
        except ValueError as error:
            return str(error)
        return ""
    if kind in CHOICES:
        if argument not in CHOICES[kind]:
            return f"{kind} must be one of {', '.join(CHOICES[kind])}, not {argument!r}"
        if kind == "mode" and argument == "shared" and not day.shared_available:
            return "this level has no shared mode: its second branch is on another machine"
        if kind == "mode" and argument == "message" and not day.message_available:
            return "this level has no back office: message mode is not offered"
        return ""
    if not argument.isdigit():
        return f"{kind} needs a whole number, not {argument!r}"
    number = int(argument)
    if kind == "kill_clerk":
        clerks = max(day.clerks, day.max_clerks) + day.remote_clerks
        return "" if number < clerks else f"no clerk {argument!r} (clerks 0 to {clerks - 1})"
    if kind == "desks" and not (day.open_desks and 1 <= number <= day.cashiers):
        return ("the number of open desks is fixed on this level" if not day.open_desks
                else f"between 1 and {day.cashiers} desks can be open")
    if kind == "clerks" and not (day.max_clerks and 1 <= number <= min(day.max_clerks, day.accounts)):
        return ("the number of clerks is fixed on this level" if not day.max_clerks
                else f"between 1 and {min(day.max_clerks, day.accounts)} clerks can work here")
    return ""


class ActionError(ValueError):
    """A stamped action that cannot be done at its tick: names the action and the reason."""

    def __init__(self, action: tuple[int, str, str], reason: str) -> None:
        super().__init__(reason)
        self.action = action
        self.reason = reason


def apply_action(branch: Branch, kind: str, argument: str) -> str:
    """Apply one recorded player action (an entry of ``Branch.actions``).

    Returns:
        Why it could not be done then (nothing happened), or ``""``.

    Raises:
        ValueError: an action that makes no sense on this day at all.
    """
    if kind == "ticket_on":
        branch.place_ticket(argument)
    elif kind == "ticket_off":
        branch.remove_ticket(argument)
    elif kind == "scope":
        branch.set_scope(argument)
    elif kind == "order":
        branch.set_order(argument)
    elif kind == "mode":
        if (branch.pending_mode or branch.mode) != argument:
            branch.switch_mode()
    elif kind == "kill_clerk":
        if not branch.kill_clerk(int(argument)):
            return f"no clerk {argument} is at work at tick {branch.tick} (clerks work in message mode)"
    elif kind in ("desks", "clerks"):
        return (branch.set_desks if kind == "desks" else branch.set_clerks)(int(argument))
    elif kind == "tickets_at_once":
        branch.change_tickets_at_once(parse_tickets(argument, branch.day.accounts, branch.layout))
    else:
        raise ValueError(f"unknown action {kind!r}")
    return ""


def replay(day: DayConfig, seed: int, actions: list[tuple[int, str, str]], backend: Backend | None = None) -> Branch:
    """Play the day again with the same actions at the same ticks; return the finished branch."""
    branch = Branch(day, seed=seed, backend=backend)
    play_actions(branch, actions)
    return branch


def play_actions(branch: Branch, actions: list[tuple[int, str, str]], kill_clerk_every: int = 0, strict: bool = False) -> None:
    """Run ``branch`` to the end of its day, doing each stamped action at its tick.

    Args:
        strict: raise on an action that cannot be done when its tick comes
            (a replay of recorded actions skips nothing; a typed one may).

    Raises:
        ActionError: with ``strict``, the action and why it cannot be done.
    """
    pending = sorted(actions, key=lambda a: a[0])
    index = 0
    while not branch.over:
        while index < len(pending) and pending[index][0] <= branch.tick:
            action = pending[index]
            try:
                refused = apply_action(branch, action[1], action[2])
            except ValueError as error:
                refused = str(error)
            if refused and strict:
                raise ActionError(action, refused)
            index += 1
        every = kill_clerk_every
        if every and branch.mode == "message" and branch.tick and branch.tick % every == 0:
            branch.kill_clerk((branch.tick // every) % len(branch.clerks))
        branch.step_tick()
