"""Opening and leaving the sandbox keeps nothing of it: its day, screen, widgets and their caches are freed."""

from __future__ import annotations

import gc
import weakref

from textual._styles_cache import StylesCache
from textual.widget import Widget

from bankgame.app import BankApp
from bankgame.engine.branch import Branch
from bankgame.engine.rewind import Tape
from bankgame.screens.branch import BranchScreen
from bankgame.store import Store

SIZE = (120, 36)
VISITS = 6


def live_widgets(app: BankApp) -> list[Widget]:
    return [node for screen in app.screen_stack for node in screen.walk_children(with_self=True)]


async def test_leaving_the_sandbox_frees_its_screen_and_widgets() -> None:
    app = BankApp(backend="inline", store=Store.memory())
    app.animation_level = "none"
    gone: list[weakref.ref[Widget]] = []
    days: list[weakref.ref[object]] = []  # each visit's Branch and Tape
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(VISITS):
            before = live_widgets(app)  # the title's widgets now (its footer is rebuilt on each return)
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, BranchScreen)
            gone += [weakref.ref(node) for node in app.screen.walk_children(with_self=True)]
            days += [weakref.ref(app.screen.branch), weakref.ref(app.screen.tape)]
            await pilot.press("space", "space")  # a few ticks drawn
            await pilot.press("escape", "escape")  # a day under way: the first pauses and asks, the second leaves
            await pilot.pause()
            assert not isinstance(app.screen, BranchScreen)
            still = {id(node) for node in live_widgets(app)}
            gone += [weakref.ref(node) for node in before if id(node) not in still]
            del before
        await pilot.pause()
        gc.collect()
        assert not [ref() for ref in days if ref() is not None], "a day that was left is still alive"
        assert not [o for o in gc.get_objects() if isinstance(o, (BranchScreen, Branch, Tape))]
        kept = [ref() for ref in gone if ref() is not None]
        assert not kept, f"{len(kept)} widgets of closed screens are still alive: {sorted({type(w).__name__ for w in kept})}"
        live_caches = {id(node._styles_cache) for node in live_widgets(app)}
        orphans = [o for o in gc.get_objects() if isinstance(o, StylesCache) and id(o) not in live_caches]
        assert not orphans, f"{len(orphans)} render caches of closed widgets are kept"
