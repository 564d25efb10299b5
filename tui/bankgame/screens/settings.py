"""Settings: theme, speed, animations, every level open."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static, Switch

from ..constants import SPEEDS
from ..widgets.choice import Choice
from .modal import Modal


@dataclass(frozen=True)
class Settings:
    """What the player can set."""

    theme: str
    speed: float
    animations: bool
    unlock_all: bool = False
    """Every campaign level open, passed or not (for a class)."""


class SettingsScreen(Modal[Settings | None]):
    """Change the theme, the default speed and animations; applied as you choose."""

    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def __init__(self, current: Settings, themes: list[str]) -> None:
        super().__init__()
        self.current = current
        self.themes = themes

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical(id="settings-box") as box:
            box.border_title = "Settings"
            with Horizontal(classes="setting"):
                yield Label("Theme", classes="setting-label")
                yield Choice([(name, name) for name in self.themes], current.theme, id="theme")
            with Horizontal(classes="setting"):
                yield Label("Speed", classes="setting-label")
                yield Choice([(f"{s:g}× ({10 * s:g} ticks/s)", s) for s in SPEEDS], current.speed, id="speed")
            with Horizontal(classes="setting"):
                yield Label("Animations", classes="setting-label")
                yield Switch(value=current.animations, id="animations")
            with Horizontal(classes="setting"):
                yield Label("Unlock all", classes="setting-label")
                yield Switch(value=current.unlock_all, id="unlock-all", tooltip="Every campaign level open, for a class")
            yield Static("← → enter or a click changes a choice · esc closes", id="settings-hint")
            yield Button("Done", id="settings-done", variant="primary")

    def _settings(self) -> Settings:
        return Settings(
            theme=str(self.query_one("#theme", Choice).value),
            speed=float(self.query_one("#speed", Choice).value),
            animations=self.query_one("#animations", Switch).value,
            unlock_all=self.query_one("#unlock-all", Switch).value,
        )

    def on_choice_changed(self, event: Choice.Changed) -> None:
        if event.choice.id == "theme":
            self.app.theme = str(event.value)

    def on_button_pressed(self) -> None:
        self.dismiss(self._settings())

    def action_dismiss(self, result: Settings | None = None) -> None:  # type: ignore[override]
        self.dismiss(self._settings())
