"""How tutorial steps look on the branch screen. Each picture was looked at before it was committed.

Fixed seeds, the inline backend, the day stepped by hand, animations off, and
no hint (hints wait 15 seconds or more).
"""

from __future__ import annotations

import pytest

from bankgame.app import BankApp
from bankgame.screens.tutorial import TutorialScreen
from bankgame.store import Store
from pilot_keys import press, type_quickly

BIG = (120, 36)
SMALL = (80, 24)


def app_at(position: str) -> BankApp:
    store = Store.memory()
    if position:
        store.set_tutorial(position)
    return BankApp(start="tutorial", backend="inline", store=store)


def until_step_changes(most: int = 300):
    async def run_before(pilot) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, TutorialScreen)
        position = screen.tutorial.position
        for _ in range(most):
            if screen.tutorial.position != position:
                break
            await press(pilot, "full_stop")
        await pilot.pause()
    return run_before


def pressing(*keys: str):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await press(pilot, *keys)
        await pilot.pause()
    return run_before


async def two_pauses(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["120x36", "80x24"])
def test_first_step(snap_compare, size) -> None:
    assert snap_compare(app_at(""), terminal_size=size, run_before=two_pauses)


def test_the_first_lost_update(snap_compare) -> None:
    assert snap_compare(app_at("rush-hour/rush"), terminal_size=BIG, run_before=until_step_changes())


def test_the_vault_ticket_step(snap_compare) -> None:
    assert snap_compare(app_at("vault/coarse"), terminal_size=BIG, run_before=pressing(*["full_stop"] * 6))


def test_message_mode_and_the_mailbox(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()
        await press(pilot, "m")
        screen = pilot.app.screen
        assert isinstance(screen, TutorialScreen) and screen.tutorial.position == "messages/mailbox"
        # The mailbox step waits for the player's n: the day runs on, 304 ticks in message mode.
        await type_quickly(pilot, *["full_stop"] * 304)
        assert screen.tutorial.position == "messages/mailbox"
        # Played at a player's pace, the switch's toast (4 s) is long gone by then: clear it as time would
        # (on a busy machine it may have gone already).
        assert all(n.message.startswith("Message passing") for n in pilot.app._notifications)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app_at("messages/switch"), terminal_size=BIG, run_before=run_before)
