"""Where a dialog opens over the bedside window: under the alarm banner, never on it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

# A dialog's first show: the window manager has not framed it yet, and puts its title
# bar above the position asked for (and its borders around): this much room is kept.
TITLE_GUESS = 28
FRAME_GUESS = 40


def place_below(dialog: QWidget, anchor: QWidget | None, *, fit_height: bool = False) -> None:
    """Move the open ``dialog`` under ``anchor`` (the alarm banner), centred on it.

    ``fit_height``: a tall dialog is shortened to the screen's available area below
    the anchor (its lists scroll) rather than covering the anchor or going off screen.
    """
    if anchor is None or not anchor.isVisible():
        return
    top = anchor.mapToGlobal(anchor.rect().bottomLeft()).y() + 8
    frame = dialog.frameGeometry()
    extra = frame.height() - dialog.height()  # title bar and borders
    lift = 0
    if extra <= 0:  # not framed yet: the frame will grow above the client
        extra, lift = FRAME_GUESS, TITLE_GUESS
    y = max(top + lift, frame.y())
    if fit_height:
        bottom = anchor.screen().availableGeometry().bottom()
        room = bottom - top - extra
        if 0 < room < dialog.height():
            dialog.resize(dialog.width(), max(room, dialog.minimumSizeHint().height()))
        y = max(min(top, bottom - dialog.height() - extra), 0) + lift
    centre = anchor.mapToGlobal(anchor.rect().center()).x()
    dialog.move(centre - frame.width() // 2, y)
