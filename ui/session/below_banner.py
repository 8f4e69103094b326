"""A dialog of the session page opens under the window's alarm banner, never on it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.common.placement import place_below
from ui.session.alarm_banner import AlarmBanner


def move_below_banner(dialog: QWidget) -> None:
    """Move the open ``dialog`` under the banner of the window it belongs to (kept on
    screen: a tall one is shortened to the room below the banner)."""
    parent = dialog.parentWidget()
    banner = parent.window().findChild(AlarmBanner) if parent is not None else None
    place_below(dialog, banner, fit_height=True)
