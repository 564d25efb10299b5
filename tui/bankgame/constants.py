"""Numbers and names the app and its screens share (a module of its own: both sides import it)."""

from __future__ import annotations

from typing import Literal

TICKS_PER_SECOND = 10
"""Ticks a day runs each second at 1×."""

SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""Speeds a day can run at; 1× is 10 ticks a second."""

BackendName = Literal["process", "inline"]
"""Where a day's cashiers and clerks run: real worker processes, or this process."""

Start = Literal["title", "levels", "sandbox", "level", "tutorial"]
"""The first screen of a game (``BankApp(start=...)``)."""
