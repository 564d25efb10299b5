"""Snapshots of the Fix the Program editor: mid-edit, a failed proof played back, a serialized fix."""

from __future__ import annotations

from typing import Any

from .test_fix_screen import FixApp


async def _settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_snapshot_of_the_editor_mid_edit(snap_compare: Any) -> None:
    # Ann: the ticket taken above her read; the cursor on her write.
    keys = ["1", "down", "down"]
    assert snap_compare(FixApp("fix-lost-update"), terminal_size=(120, 36), press=keys, run_before=_settle)


def test_snapshot_of_a_failed_proof_played_back(snap_compare: Any) -> None:
    # The ticket only around Ann's read and add: the checker's order breaks it; played to the damage.
    from bankgame.engine.fixits import load_fixits

    fix = load_fixits().fixit("fix-write-only")
    steps = len(fix.report(fix.shipped).shortest)
    assert snap_compare(FixApp(fix.id), terminal_size=(120, 36), press=["enter"] + ["space"] * steps,
                        run_before=_settle)


def test_snapshot_of_a_serialized_fix(snap_compare: Any) -> None:
    # Ann takes the vault ticket too: safe, and the checker says what it costs.
    keys = ["1", "down", "down", "down", "2", "enter"]
    assert snap_compare(FixApp("fix-big-ticket"), terminal_size=(120, 36), press=keys, run_before=_settle)
