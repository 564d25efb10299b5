"""Textual's command palette, with its page keys guarded.

textual 8.2.8: PageUp/PageDown pressed while the palette is still filling
(its list not laid out yet) raise ``KeyError: 0`` inside ``OptionList._move_page``
(the line index it reads is built only once the list has a size).
"""

from __future__ import annotations

from textual.command import CommandList, CommandPalette


class BankCommandPalette(CommandPalette):
    """The command palette; a page key before the list is laid out moves to the first or last command."""

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            commands = self.query_one(CommandList)
            if not commands.option_count:
                return
            highlighted = commands.highlighted
            if highlighted is None or highlighted not in commands._index_to_line:
                # Nothing to page from yet: go to the end the key points at.
                commands.action_first() if action == "page_up" else commands.action_last()
                return
        super()._action_command_list(action)
