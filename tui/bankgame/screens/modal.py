"""A modal window that closes once, however many keys and clicks ask it to."""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

from .bank_screen import BankScreen

ResultT = TypeVar("ResultT")


async def _nothing() -> None:
    return None


class Modal(ModalScreen[ResultT], BankScreen[ResultT]):
    """A ``ModalScreen`` whose ``dismiss`` does nothing once it is no longer on top.

    Textual's ``dismiss`` pops whatever screen is on top: "Done" clicked and
    escape pressed together would close the window and then the day under it.
    """

    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        if not self.is_current or self.app.screen is not self:
            return AwaitComplete(_nothing())
        return super().dismiss(result)
