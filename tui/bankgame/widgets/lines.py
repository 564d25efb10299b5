"""A base for the branch's panels: their Rich ``Text`` drawn line by line.

Not a widget of its own. Textual's default path turns a widget's ``Text`` into
``Content`` and wraps it every time it is drawn; these panels never wrap (each
line is cut to the width), so drawing the lines straight into ``Strip``\\ s is
several times cheaper, and each strip is kept until the next ``refresh``.
"""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.style import Style
from rich.text import Span, Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget


def laid_out(console: Console, renderable: RenderableType, width: int) -> list[Text]:
    """Return ``renderable`` (a Rich table, say) laid out at ``width``, a ``Text`` per line, for a panel to draw."""
    lines = console.render_lines(renderable, console.options.update_width(max(1, width)), pad=False)
    return [Text.assemble(*((segment.text, segment.style or "") for segment in line if not segment.control))
            for line in lines]


class TextLines(Widget):
    """A widget whose ``render()`` returns one ``Text``, drawn line by line and kept."""

    WRAP = False
    """Whether a line longer than the width goes on on the next (a text to read), rather than being cut."""

    _strips: list[Strip] | None = None
    _strips_size: Size | None = None
    _styles: dict[tuple[tuple[str, ...], bool], Style] | None = None
    """Component styles kept until the styles change (Textual forgets them at every repaint)."""

    def get_component_rich_style(self, *names: str, partial: bool = False, default: Style | None = None) -> Style:
        # A panel drawn at 30 frames a second asked the CSS for the same dozen styles
        # every frame: a fifth of a frame's time. They change only with the styles.
        if self._styles is None:
            self._styles = {}
        key = (names, partial)
        style = self._styles.get(key)
        if style is None:
            try:
                style = self._styles[key] = super().get_component_rich_style(*names, partial=partial)
            except KeyError:
                if default is None:
                    raise
                return default
        return style

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False) -> TextLines:
        self._strips = None
        super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        return self

    def render_line(self, y: int) -> Strip:
        size = self.size
        if self._strips is None or self._strips_size != size:
            self._strips = self._draw(size)
            self._strips_size = size
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(size.width, self.rich_style)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.WRAP:
            return super().get_content_height(container, viewport, width)
        return len(self._lines(width))

    def _lines(self, width: int) -> list[Text]:
        """Return the lines of ``render()``'s text, wrapped to ``width`` if the widget wraps."""
        text = self.render()
        if not isinstance(text, Text):
            text = Text(str(text))
        if self.WRAP:
            lines = list(text.wrap(self.app.console, max(1, width)))
            for line in lines:
                line.rstrip()  # the space a line broke at is not drawn (as Textual's own wrapping does)
            return lines
        return list(text.split("\n", allow_blank=True))

    def _draw(self, size: Size) -> list[Strip]:
        width, height = size
        base = self.rich_style
        console = self.app.console
        strips = []
        for line in self._lines(width)[:height]:
            # The widget's own style goes under the line's style and its spans (as spans:
            # Text.render applies spans only, a Text's own style is left to a Console).
            under = [Span(0, len(line), base)] + ([Span(0, len(line), line.style)] if line.style else [])
            line.spans[:0] = under
            line.style = ""
            if line.justify == "center":
                line.align("center", width)
            strips.append(Strip(list(line.render(console, end="")), line.cell_len).crop_extend(0, width, base))
        return strips
