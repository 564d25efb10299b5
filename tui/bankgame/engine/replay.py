"""Replays: the level, the seed and the player's stamped actions give the same day."""

from __future__ import annotations

from .backend import Backend
from .branch import Branch
from .levels import DayConfig


def apply_action(branch: Branch, kind: str, argument: str) -> None:
    """Apply one recorded player action (an entry of ``Branch.actions``)."""
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
        branch.kill_clerk(int(argument))
    else:
        raise ValueError(f"unknown action {kind!r}")


def replay(day: DayConfig, seed: int, actions: list[tuple[int, str, str]], backend: Backend | None = None) -> Branch:
    """Play the day again with the same actions at the same ticks; return the finished branch."""
    branch = Branch(day, seed=seed, backend=backend)
    pending = sorted(actions, key=lambda a: a[0])
    index = 0
    while not branch.over:
        while index < len(pending) and pending[index][0] <= branch.tick:
            _, kind, argument = pending[index]
            apply_action(branch, kind, argument)
            index += 1
        branch.step_tick()
    return branch
