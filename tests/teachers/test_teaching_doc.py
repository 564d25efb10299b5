"""docs/teaching.md is true to the game: every key it names is bound, every command it gives parses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bankgame.app import BankApp
from bankgame.cli import build_parser
from bankgame.screens.branch import BranchScreen
from bankgame.screens.title import MENU
from bankgame.widgets.scrubber import Scrubber

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "teaching.md"
if not GUIDE.exists():
    # The release check runs copies of the tests, without docs/, against an installed package.
    pytest.skip(f"no {GUIDE} beside this copy of the tests", allow_module_level=True)
TEXT = GUIDE.read_text()

NAMES = {".": "full_stop", ",": "comma", "+": "plus", "-": "minus", "←": "left", "→": "right",
         "PageUp": "pageup", "PageDown": "pagedown", "Home": "home", "End": "end"}
"""How the guide writes a key → Textual's name for it."""


def bound() -> set[str]:
    """Every key the branch screen, its scrubber and the app answer."""
    keys: set[str] = set()
    for binding in [*BranchScreen.BINDINGS, *Scrubber.BINDINGS, *BankApp.BINDINGS]:
        keys.update(key.strip() for key in binding.key.split(","))  # type: ignore[union-attr]
    return keys


def table_keys() -> list[str]:
    """The keys in the first column of the guide's table of controls."""
    rows = [line for line in TEXT.splitlines() if line.startswith("| `")]
    assert rows, "the guide has a table of controls"
    return [key for row in rows for key in re.findall(r"`([^`]+)`", row.split("|")[1])]


@pytest.mark.parametrize("key", table_keys())
def test_every_key_in_the_controls_table_is_bound(key: str) -> None:
    assert NAMES.get(key, key) in bound(), key


def test_the_keys_the_text_names_for_screens_are_theirs() -> None:
    keys = {label: key for _, label, key in MENU}
    named = re.findall(r"(Settings|Sandbox|Lab|Tutorial|Campaign) \(`([^`]+)`\)", TEXT)
    assert named, "the guide names how to open Settings"
    for label, key in named:
        assert keys[label] == key, f"{label} is {keys[label]!r} on the title screen, the guide says {key!r}"


def commands() -> list[str]:
    return sorted(set(re.findall(r"`(bankgame [^`]*)`", TEXT)))


@pytest.mark.parametrize("command", commands())
def test_every_command_in_the_guide_parses(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    words = command.split()[1:]
    try:
        build_parser().parse_args(words)
    except SystemExit as stopped:
        pytest.fail(f"{command!r} exits {stopped.code}: {capsys.readouterr().err}")


def test_every_key_the_text_names_is_bound() -> None:
    # A key in the text is a backticked letter or sign, or a named key (`enter`, `ctrl+s`).
    named = {token for token in re.findall(r"`([^`\s]+)`", TEXT)
             if re.fullmatch(r"[a-z.,+\-]|enter|space|escape|ctrl\+[a-z]", token)}
    assert {"k", "i", "t", "w", "ctrl+s"} <= named
    missing = {key for key in named if NAMES.get(key, key) not in bound() | {key for _, _, key in MENU}}
    assert not missing, missing
