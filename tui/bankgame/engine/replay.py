"""Replays: the level, the seed and the player's stamped actions give the same day."""

from __future__ import annotations

from .backend import Backend
from .branch import Branch
from .levels import DayConfig
from .programs import parse_tickets


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
