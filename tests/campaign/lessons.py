"""What applying each level's lesson means, as a test over the player's settings."""

from __future__ import annotations

import functools

from bankgame.engine import load_level

from .settings_space import Predicate, Setting, play_setting

ALL2 = frozenset({0, 1})
ALL3 = frozenset({0, 1, 2})
ALL4 = frozenset({0, 1, 2, 3})


def _accounts(every: frozenset[int]) -> Predicate:
    return lambda s: not s.vault and s.accounts == every


LESSON: dict[str, tuple[str, Predicate]] = {
    "opening-day": ("no ticket on the vault or an account: one cashier cannot race herself "
                    "(no quotes today: the rate board's ticket changes nothing)",
                    lambda s: not s.vault and not s.accounts),
    "rush-hour": ("a ticket on A and on B (both written by several cashiers), none on the vault "
                  "(no quotes today: the rate board's ticket changes nothing)",
                  _accounts(ALL2)),
    "vault": ("a ticket on every account, not the vault's (no quotes today: the rate board's changes nothing)",
              _accounts(ALL4)),
    "check-then-withdraw": ("a ticket on every account, around the check and the write",
                            lambda s: _accounts(ALL3)(s) and s.scope == "check"),
    "transfer-desk": ("a ticket on every account, taken in account order",
                      lambda s: _accounts(ALL4)(s) and s.order == "account"),
    "rate-board": ("a ticket on each account, none on the rate board",
                   lambda s: _accounts(ALL2)(s) and not s.rates),
    "back-office": ("message passing, and a clerk killed and recovered", lambda s: s.mode == "message" and s.kill),
    "hot-account": ("message passing with the fewest clerks whose mailboxes keep the worst wait short: "
                    "A's owner no longer answers every account, and no clerk is paid to wait for mail",
                    lambda s: s.mode == "message" and s.clerks == fewest("hot-account", "clerks")),
    "second-branch": ("the fewest desks that keep the line short: enough requests in flight to hide the trip "
                      "across town, and no desk paid to stand idle",
                      lambda s: s.desks == fewest("second-branch", "desks")),
}


@functools.cache
def fewest(level_id: str, staff: str) -> int:
    """Return the fewest desks or clerks (``staff``) in message mode that meet ``level_id``'s wait goal on its own seed.

    Staff is paid by the tick: the lesson is to hire what the work needs,
    which is this many, and no more. (That this one count earns three stars on
    every seed, and no other does, is what the test asserts.)
    """
    level = load_level(level_id)
    wait = next(g for g in level.goals if g.metric in ("mean_wait", "max_wait"))
    most = level.day.cashiers if staff == "desks" else min(level.day.max_clerks, level.day.accounts)
    for count in range(1, most + 1):
        report = play_setting(level, Setting("message", **{staff: count}), level.seed)
        if wait.met(report.metric(wait.metric)):
            return count
    raise AssertionError(f"{level_id}: no number of {staff} meets the wait goal")


def applies_lesson(level_id: str, setting: Setting) -> bool:
    """Whether ``setting`` applies the lesson of ``level_id``."""
    return LESSON[level_id][1](setting)
