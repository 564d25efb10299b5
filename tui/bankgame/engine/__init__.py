"""The branch engine: the whole game model as plain Python.

No Textual, no multiprocessing, no I/O but reading level data. The engine
decides; a backend (``InlineBackend`` here, real processes in
``bankgame.workers``) executes; events tell a UI what happened.
"""

from __future__ import annotations

from .backend import Backend, BackendLost, BackendSetup, InlineBackend, Reply, apply_message
from .branch import Branch, Clerk, Desk, Message, account_index
from .customers import Customer, Workload, generate_customers
from .events import Deadlock, Event, IntegrityError, TrailStep
from .levels import DayConfig, Goal, Level, LevelError, all_levels, level_ids, load_level, load_level_file, make_day
from .names import account_name, money
from .report import Report, make_report

__all__ = [
    "Backend", "BackendSetup", "Branch", "Clerk", "Customer", "DayConfig", "Deadlock", "Desk",
    "BackendLost", "Event", "Goal", "InlineBackend", "IntegrityError", "Level", "LevelError", "Message", "Reply",
    "Report", "TrailStep", "Workload", "account_index", "account_name", "all_levels", "apply_message",
    "generate_customers", "level_ids", "load_level", "load_level_file", "make_day", "make_report", "money",
]
