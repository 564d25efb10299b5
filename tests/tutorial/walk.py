"""Play the tutorial headless: do what each step asks, as a player would."""

from __future__ import annotations

from typing import Any

from bankgame.day import open_day
from bankgame.engine import account_name
from bankgame.tutorial import Tutorial

MOST_TICKS = 200
"""A step that waits for the branch (a lost update, a deadlock) must come within this many ticks."""


def do_what_it_asks(tutorial: Tutorial, branch: Any) -> None:
    """Do the player's part of the current step (press the key, place the ticket...)."""
    step = tutorial.step
    assert step is not None
    kind, argument = step.condition
    if kind == "next":
        tutorial.feed("next")
    elif kind == "action":
        if argument == "step":
            branch.step_tick()
        tutorial.feed("action", argument)
    elif kind == "ticket_on":
        branch.place_ticket(argument)
    elif kind == "ticket_off":
        branch.remove_ticket(argument)
    elif kind == "all_accounts_ticketed":
        for index in range(branch.day.accounts):
            branch.place_ticket(account_name(index))
    elif kind == "scope":
        branch.set_scope(argument)
    elif kind == "order":
        branch.set_order(argument)
    elif kind == "mode" and branch.mode != argument and branch.pending_mode != argument:
        branch.switch_mode()
    elif kind == "clerk_recovered" and not any(action == "kill_clerk" for _, action, _ in branch.actions):
        branch.kill_clerk()


def walk(tutorial: Tutorial, steps: int | None = None) -> dict[str, int]:
    """Play every step to the end (or ``steps`` of them); return the ticks each step needed."""
    needed: dict[str, int] = {}
    chapter = None
    branch = None
    while not tutorial.finished and (steps is None or len(needed) < steps):
        if tutorial.chapter is not chapter:
            if branch is not None:
                branch.close()
            chapter = tutorial.chapter
            _, branch = open_day(chapter.level, chapter.seed, chapter.day)
        position = tutorial.position
        start = branch.tick
        do_what_it_asks(tutorial, branch)
        while tutorial.position == position and not tutorial.finished:
            if tutorial.observe(branch):
                break
            assert branch.tick - start < MOST_TICKS, f"{position}: nothing after {MOST_TICKS} ticks"
            assert not branch.over, f"{position}: the day ended first"
            branch.step_tick()
        needed[position] = branch.tick - start
    if branch is not None:
        branch.close()
    return needed
