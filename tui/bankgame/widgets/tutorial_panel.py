"""The tutorial's panel: the current step, where it is, and how to go on."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text

from ..tutorial import Step, Tutorial
from .panel import Panel


class Lesson(NamedTuple):
    """Where the tutorial is, as its panel shows it."""

    chapter: str
    """The chapter's title."""
    number: int
    """The chapter's number, from 1."""
    chapters: int
    done: int
    """Steps done, over the whole tutorial."""
    total: int
    status: str
    """``new``, ``started``, ``done`` or ``skipped``."""
    step: Step | None
    """The current step (``None`` once finished)."""
    hint: str = ""
    """The step's hint, once due."""


def lesson(tutorial: Tutorial, hint: str = "") -> Lesson:
    """Return what the panel shows of ``tutorial`` now, with ``hint`` if it is due."""
    done, total = tutorial.progress()
    return Lesson(tutorial.chapter.title, tutorial.chapter_index + 1, len(tutorial.chapters), done, total,
                  tutorial.status, tutorial.step, hint)


class TutorialPanel(Panel[Lesson]):
    """Shows the tutorial's current step on the branch screen.

    The panel draws what the ``Tutorial`` controller says (``show(lesson(tutorial, hint))``); it decides nothing.
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

    RELAYOUT = True
    """A longer step, or its hint, takes more lines."""
    WRAP = True

    def signature(self, state: Lesson) -> Lesson:
        return state  # every field is drawn

    def decorate(self, state: Lesson) -> None:
        self.border_title = f"Tutorial · {state.number}/{state.chapters} {state.chapter}"
        finished = state.step is None
        self.border_subtitle = state.status if finished else f"step {min(state.done + 1, state.total)} of {state.total}"

    def draw(self, state: Lesson) -> Text:
        style = self.get_component_rich_style
        step = state.step
        text = Text()
        if step is None:
            if state.status == "done":
                text.append("★ Tutorial complete: every lesson of the campaign, learnt by doing.", style("tutorial--done"))
                text.append("\nPlay on here, or press escape for the campaign.", style("tutorial--keys"))
            else:
                text.append("Tutorial skipped. Start it again from the title screen.", style("tutorial--keys"))
            return text
        text.append("▶ ", style("tutorial--done"))
        text.append(step.text, style("tutorial--text"))
        if state.hint:
            text.append("\n? ", style("tutorial--hint"))
            text.append(state.hint, style("tutorial--hint"))
        if step.until == "next":
            keys = "n: next · x: skip the tutorial"
        elif state.hint:
            keys = "n: move on anyway · x: skip the tutorial"
        else:
            keys = "x: skip the tutorial"
        text.append(f"\n{keys}", style("tutorial--keys"))
        return text
