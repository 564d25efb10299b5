"""Keys pressed as ``Pilot.press`` presses them, waiting for the app to have handled each one.

``Pilot.press`` sleeps after every key until the process looks idle (two
``wait_for_idle`` rounds of 20 ms or more), ~40–80 ms a key, whatever the key
did. Here each key goes the same way the terminal driver sends it (a ``Key``
event posted to the app) and the wait is on a condition instead: every
message the key set off, on the app and on every widget of the screen then
on top, has been handled.
"""

from __future__ import annotations

import asyncio
import unicodedata
from typing import Any

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

ROUNDS = 200
"""Rounds of waiting before a key counts as never handled (each round lets every widget catch up)."""


def key_event(key: str) -> events.Key:
    """Return the ``Key`` event for ``key``, built as ``App._press_keys`` builds it."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    char: str | None
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def _busy(app: Any) -> bool:
    """Whether the app or a widget of its current screen still has a message or a callback waiting."""
    pumps = [app, *app.screen.walk_children(with_self=True)]
    return any(not pump._message_queue.empty() or pump._next_callbacks for pump in pumps)


async def settle(pilot: Any, draw: bool = True) -> None:
    """Wait until every message on the app and its screen has been handled (a pushed screen's too).

    With ``draw``, the screen is then drawn at once, as ``Pilot.pause`` does
    (between two keys its own refresh timer is enough).

    Raises:
        AssertionError: the app never caught up.
    """
    app = pilot.app
    for _ in range(ROUNDS):
        # Cheap yields while messages are plainly waiting; then one confirmation that every widget has
        # handled what it was sent (a handler still awaiting finishes before its widget's callback runs).
        while _busy(app):
            await asyncio.sleep(0)
        await pilot._wait_for_screen()
        if not _busy(app):
            if draw:
                app.screen._on_timer_update()
            return
    raise AssertionError("the app never caught up with its messages")


async def press(pilot: Any, *keys: str) -> None:
    """Press ``keys`` one after the other, each handled before the next is sent."""
    app = pilot.app
    for index, key in enumerate(keys):
        event = key_event(key)
        event.set_sender(app)
        await app._post_message(event)  # what the driver does, on the app's own loop
        await settle(pilot, draw=index == len(keys) - 1)
        await app._animator.wait_until_complete()


async def type_quickly(pilot: Any, *keys: str) -> None:
    """Send ``keys`` as a very fast typist would, then wait for the app to have handled them all.

    Each key is still handled on its own, in order (the app takes them from
    its queue one at a time); only the screen is drawn once, at the end. For
    long runs of keys whose result is all a test looks at (hundreds of ticks).
    """
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        await app._post_message(event)
        await asyncio.sleep(0)
    await settle(pilot)
    await app._animator.wait_until_complete()
