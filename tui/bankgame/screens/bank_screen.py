"""The base of the game's screens: ``self.app`` typed as the game's App."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen

if TYPE_CHECKING:  # the app imports the screens: a type needs no import at run time
    from ..app import BankApp

ResultT = TypeVar("ResultT")


class BankScreen(Screen[ResultT]):
    """A screen of the game; its ``app`` is a ``BankApp`` (the methods screens move by)."""

    @property
    def app(self) -> BankApp:  # type: ignore[override]  # narrowed from App[object]
        """The game."""
        return cast("BankApp", super().app)
