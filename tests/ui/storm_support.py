"""Random keys and clicks sent the way the terminal driver sends them, for the storm tests."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

CHARS = {"space": " ", "full_stop": ".", "plus": "+", "minus": "-", "question_mark": "?"}
"""Keys whose character is not their name."""


CHECK_EVERY = 50
"""Events between two checks of the app during a storm."""


def assert_app_sane(app: Any) -> None:
    """Assert what must hold of an app however it was played: nothing raised, a stack that makes sense."""
    assert app._exception is None, f"an exception reached the app: {app._exception!r}"
    stack = app.screen_stack
    assert stack, "the app has no screen"
    assert len({id(screen) for screen in stack}) == len(stack), f"a screen is on the stack twice: {stack}"


async def send_storm(pilot: Any, seed: int, count: int, keys: tuple[str, ...], clicks: float, spare_edges: bool,
                     check: Callable[[Any], None] = assert_app_sane) -> None:
    """Send ``count`` random keys and clicks (seeded), the way the terminal driver would.

    ``Pilot.press`` waits for the app to go idle after every key (~40–50 ms),
    so 2,000 of them take minutes; here each event is sent as the driver
    sends it and the app catches up every few events, like a very fast typist.

    Args:
        pilot: the running app's pilot.
        seed: fixes the storm.
        count: events in all.
        keys: the keys to choose from.
        clicks: the share of events that are clicks.
        spare_edges: leave the first and last rows alone (the Header's icon
            opens Textual's command palette, the Footer's ``^q`` quits).
        check: asserts what must hold of the app; called every ``CHECK_EVERY`` events, once the app has caught up.
    """
    from textual import events
    from textual.pilot import _get_mouse_message_arguments

    app = pilot.app
    rng = random.Random(seed)
    for index in range(count):
        width, height = app.size
        if rng.random() < clicks:
            column = rng.randrange(width)  # drawn before the row, as it always was: the same storms
            row = rng.randrange(1, max(2, height - 1)) if spare_edges else rng.randrange(height)
            offset = (column, row)
            screen = app.screen
            arguments = _get_mouse_message_arguments(screen, offset)
            app.mouse_position = offset
            for event_class in (events.MouseDown, events.MouseUp):
                screen._forward_event(event_class(**arguments))
            screen._forward_event(events.Click(**arguments, chain=1))
        else:
            key = rng.choice(keys)
            event = events.Key(key, CHARS.get(key, key if len(key) == 1 else None))
            event.set_sender(app)
            app._driver.send_message(event)
        await asyncio.sleep(0.002 if index % 5 == 4 else 0)
        if index % CHECK_EVERY == CHECK_EVERY - 1:
            await pilot.pause()
            check(app)
    await pilot.pause()
    check(app)
