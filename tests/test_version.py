"""One version number: the package metadata, ``bankgame --version``, the title screen and
``bankgame.__version__`` agree, and CHANGELOG.md keeps the Keep-a-Changelog shape.

These tests also run against each installed release (wheel, wheel built from
the sdist, editable install): see ``.ci/release_check.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import bankgame

ROOT = Path(__file__).resolve().parent.parent
SEMVER = re.compile(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?")
SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_version_is_a_release_number() -> None:
    assert SEMVER.fullmatch(bankgame.__version__), bankgame.__version__


def test_metadata_agrees_with_the_package() -> None:
    assert version("bankgame") == bankgame.__version__


def test_the_command_prints_the_same_version() -> None:
    script = Path(sys.executable).with_name("bankgame")
    assert script.exists(), f"no `bankgame` command beside {sys.executable}: install the package first"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"bankgame {bankgame.__version__}"


def test_the_version_is_written_in_one_place() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'path = "tui/bankgame/__init__.py"' in pyproject
    assert not re.search(r"^version\s*=", pyproject, re.MULTILINE), "no second version in pyproject.toml"


def test_changelog_keeps_its_shape() -> None:
    lines = (ROOT / "CHANGELOG.md").read_text().splitlines()
    assert lines[0] == "# Changelog"
    releases = [line for line in lines if line.startswith("## ")]
    assert releases and releases[0] == "## [Unreleased]", "newest first, starting with [Unreleased]"
    for line in releases[1:]:
        assert re.fullmatch(rf"## \[({SEMVER.pattern})\] - \d{{4}}-\d{{2}}-\d{{2}}", line), line
    for line in lines:
        if line.startswith("### "):
            assert line[4:] in SECTIONS, f"{line!r}: sections are {sorted(SECTIONS)}"
    released = [re.search(r"\[(.+?)\]", line).group(1) for line in releases[1:]]
    assert len(released) == len(set(released)), "each version once"
    newer = [number for number in released if _key(number) > _key(bankgame.__version__)]
    assert not newer, f"the changelog lists versions newer than {bankgame.__version__}: {newer}"


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", number)[:3])


def test_the_title_screen_shows_the_same_version(tmp_path, monkeypatch) -> None:
    import asyncio

    from textual.widgets import Static

    from bankgame.app import BankApp

    monkeypatch.setenv("BANKGAME_HOME", str(tmp_path))

    async def title_texts() -> list[str]:
        app = BankApp()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            return [str(widget.render()) for widget in app.screen.query(Static)]

    texts = asyncio.run(title_texts())
    assert f"bankgame {bankgame.__version__}" in texts, texts
