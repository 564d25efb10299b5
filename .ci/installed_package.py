"""pytest plugin for the release check: test an installed bankgame, not a checkout.

Loaded with ``-p installed_package``. Before any test runs it checks that
``import bankgame`` and the game's assets resolve under ``BANKGAME_EXPECT_UNDER``
(the fresh environment's site-packages, or the checkout for an editable
install). It keeps the snapshot tests (those using ``snap_compare``) and the
release tests named in ``BANKGAME_RELEASE_TESTS``; the rest of the suite runs
once, in the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_sessionstart(session: pytest.Session) -> None:
    import bankgame
    from bankgame.paths import assets_dir

    expected = Path(os.environ["BANKGAME_EXPECT_UNDER"]).resolve()
    package = Path(bankgame.__file__).resolve()
    assets = assets_dir().resolve()
    for what, path in (("import bankgame", package), ("the game's assets", assets)):
        if not path.is_relative_to(expected):
            raise pytest.UsageError(f"{what} resolved to {path}, not under {expected}")
    print(f"\nbankgame {bankgame.__version__} from {package.parent}\nassets from {assets}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    release_files = set(os.environ.get("BANKGAME_RELEASE_TESTS", "").split())
    keep, drop = [], []
    for item in items:
        wanted = "snap_compare" in getattr(item, "fixturenames", ()) or item.path.name in release_files
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep
