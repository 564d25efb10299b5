"""The tutorial's panel: the current step, where it is, and how to go on."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from ..tutorial import Tutorial


class TutorialPanel(Widget):
    """Shows the tutorial's current step on the branch screen.

    The panel renders what the ``Tutorial`` controller says; it decides nothing.
    """

    COMPONENT_CLASSES = {"tutorial--title", "tutorial--text", "tutorial--hint", "tutorial--keys", "tutorial--done"}

    DEFAULT_CSS = """
    TutorialPanel {
        height: auto;
        max-height: 8;
        border: heavy $accent;
        border-title-color: $text-accent;
        border-title-style: bold;
        padding: 0 1;
        background: $boost;
    }
    TutorialPanel > .tutorial--text { text-style: bold; }
    TutorialPanel > .tutorial--hint { color: $text-warning; }
    TutorialPanel > .tutorial--keys { color: $text-muted; }
    TutorialPanel > .tutorial--done { color: $text-success; text-style: bold; }
    """

    def __init__(self, tutorial: Tutorial, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tutorial = tutorial
        self.hint = ""
        self._signature: tuple = ()

    def show(self, hint: str = "") -> None:
        """Redraw for the tutorial's current step (and its hint, once due)."""
        tutorial = self.tutorial
        self.hint = hint
        signature = (tutorial.position, tutorial.status, hint)
        if signature == self._signature:
            return
        self._signature = signature
        done, total = tutorial.progress()
        chapter = tutorial.chapter
        number = tutorial.chapter_index + 1
        self.border_title = f"Tutorial · {number}/{len(tutorial.chapters)} {chapter.title}"
        self.border_subtitle = f"step {min(done + 1, total)} of {total}" if not tutorial.finished else tutorial.status
        self.refresh(layout=True)

    def render(self) -> Text:
        style = self.get_component_rich_style
        tutorial = self.tutorial
        step = tutorial.step
        text = Text()
        if step is None:
            if tutorial.status == "done":
                text.append("★ Tutorial complete: every lesson of the campaign, learnt by doing.", style("tutorial--done"))
                text.append("\nPlay on here, or press escape for the campaign.", style("tutorial--keys"))
            else:
                text.append("Tutorial skipped. Start it again from the title screen.", style("tutorial--keys"))
            return text
        text.append("▶ ", style("tutorial--done"))
        text.append(step.text, style("tutorial--text"))
        if self.hint:
            text.append("\n? ", style("tutorial--hint"))
            text.append(self.hint, style("tutorial--hint"))
        if step.until == "next":
            keys = "n: next · x: skip the tutorial"
        elif self.hint:
            keys = "n: move on anyway · x: skip the tutorial"
        else:
            keys = "x: skip the tutorial"
        text.append(f"\n{keys}", style("tutorial--keys"))
        return text
