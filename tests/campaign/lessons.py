"""What applying each level's lesson means, as a test over the player's settings."""

from __future__ import annotations

from .settings_space import Predicate, Setting

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
    "hot-account": ("message passing, with more than one clerk: A's owner no longer answers every account",
                    lambda s: s.mode == "message" and s.clerks >= 2),
    "second-branch": ("enough desks open to keep requests in flight to the far branch",
                      lambda s: s.desks >= 4),
}


def applies_lesson(level_id: str, setting: Setting) -> bool:
    """Whether ``setting`` applies the lesson of ``level_id``."""
    return LESSON[level_id][1](setting)
