"""The terminal driver: Textual's, made to survive a terminal that closes.

When the terminal goes away (its window closed, ``tmux kill-session``), the
kernel hangs up the tty: every write fails with EIO, and the game gets SIGHUP
and SIGCONT. Textual's output thread dies on the first failed write, and its
queue holds only 30 writes: the writes that follow (SIGCONT makes Textual set
the terminal up again, shutting down restores it) fill the queue, and the
event loop blocks for ever in ``Queue.put``, where no signal handler can run
any more. The game then hangs in its shutdown, deaf to SIGTERM and SIGHUP.

Here the output thread writes through ``SurvivingOutput``, which drops what a
dead terminal cannot take: the queue keeps draining, and shutting down ends.

The SIGCONT of a hang-up must not set the terminal up again either: Textual
would start a second input thread, which spins on the end-of-file a hung-up
terminal reads and stops only if it happens to see the shutdown's brief
"stop reading" signal. A busy machine can keep it from running for that
moment, and the game, which waits for that thread at exit, never ends.
"""

from __future__ import annotations

import os
import threading
from typing import IO, Any, cast

from textual.drivers.linux_driver import LinuxDriver


class SurvivingOutput:
    """A text stream that stops writing, quietly, once its terminal is gone."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self.gone = threading.Event()
        """Set at the first write the terminal refused; nothing is written after it."""

    def write(self, text: str) -> int:
        if not self.gone.is_set():
            try:
                return self._stream.write(text)
            except (OSError, ValueError):  # EIO after a hang-up; ValueError: the stream is closed
                self.gone.set()
        return len(text)

    def flush(self) -> None:
        if not self.gone.is_set():
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self.gone.set()

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class TerminalDriver(LinuxDriver):
    """Textual's Linux driver, whose output survives the terminal closing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The output thread is built on it later; it needs only write, flush and fileno.
        self._file = cast(Any, SurvivingOutput(cast(IO[str], self._file)))

    def _sigcont_application(self, *args: Any) -> None:
        # A terminal that hung up is no tty any more: only one that is still there is set up again
        # (after Ctrl+Z and fg); a hang-up's SIGCONT is left to the SIGHUP that ends the game.
        if os.isatty(self.fileno):
            super()._sigcont_application(*args)
