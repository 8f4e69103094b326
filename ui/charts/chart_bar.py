"""The row above the charts: the pointer's read-out, the key to the lowest lane, the
previous session's "Last session" button, "Back to live" and the span buttons. It
lays itself out for the width it is given: one line when everything fits; otherwise,
for a repeat patient, the key and the "Last session" button take a line of their own,
the key wrapping and the button's text on two lines. The button never covers the key
and nothing of either is cut, even beside a wide panel at 1280 px (issue 23)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

# What the read-out is given before the row takes two lines (it ends in "…", its whole
# text in its tooltip, only beside a panel so wide that the charts keep their least).
READOUT_MIN = 160
KEY_MIN = 90  # the narrowest the wrapped key is given beside the button
SPACING = 4


class ChartBar(QWidget):
    def __init__(self, readout: QLabel, key: QLabel, overlay: QPushButton,
                 live: QPushButton, spans: list[QPushButton],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.readout, self.key, self.overlay, self.live = readout, key, overlay, live
        self.spans = spans
        self.wide = True
        self._parts: tuple[str, str] = ("", "")
        self._key_width = 0
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        self.first = QHBoxLayout()
        self.first.setSpacing(SPACING)
        self.second = QHBoxLayout()
        self.second.setSpacing(SPACING)
        box.addLayout(self.first)
        box.addLayout(self.second)
        self.first.addWidget(readout, 1)
        self.first.addWidget(key)
        self.first.addWidget(overlay)
        for w in (live, *spans):
            self.first.addWidget(w)
        for w in (overlay, live):
            w.installEventFilter(self)  # shown or hidden: the lines are chosen again

    def set_overlay_text(self, when: str, peak: str) -> None:
        """The button's words: "Last session <when>: <peak>" (on two lines when narrow)."""
        self._parts = (when, peak)
        self._show_overlay_text()
        self.arrange(self.width())

    def _show_overlay_text(self) -> None:
        when, peak = self._parts
        if not peak:
            self.overlay.setText(when)
        else:
            self.overlay.setText(f"{when}: {peak}" if self.wide else f"{when}\n{peak}")

    def _button_width(self, lines: list[str]) -> int:
        """The button's width for ``lines`` of text (its padding as it is now)."""
        metrics = self.overlay.fontMetrics()
        now = max(metrics.horizontalAdvance(t) for t in self.overlay.text().split("\n"))
        pad = self.overlay.sizeHint().width() - now
        return max(metrics.horizontalAdvance(t) for t in lines) + pad

    def _one_line_width(self) -> int:
        if not self._key_width:
            self._key_width = self.key.sizeHint().width()  # built unwrapped: one line
        when, peak = self._parts
        widths = [READOUT_MIN, self._key_width]
        if not self.overlay.isHidden():
            widths.append(self._button_width([f"{when}: {peak}" if peak else when]))
        widths += [w.sizeHint().width() for w in (self.live, *self.spans) if not w.isHidden()]
        return sum(widths) + SPACING * (len(widths) - 1)

    def _narrow_widths(self) -> tuple[int, int]:
        """The two lines' least widths when narrow."""
        first = [self.readout.minimumSizeHint().width()] + [
            w.sizeHint().width() for w in (self.live, *self.spans) if not w.isHidden()]
        second = KEY_MIN
        if not self.overlay.isHidden():
            second += SPACING + self._button_width([t for t in self._parts if t])
        return sum(first) + SPACING * (len(first) - 1), second

    def arrange(self, width: int) -> None:
        """One line or two, for ``width``."""
        # Without the button (a first session) the row stays one line, as short as the
        # charts' BP lane needs beside a wide panel at 1366×768; the key then keeps its
        # whole text in its tooltip.
        wide = self.overlay.isHidden() or width >= self._one_line_width()
        if wide == self.wide:
            return
        self.wide = wide
        self.key.setWordWrap(not wide)
        if wide:
            self.first.insertWidget(1, self.key)
            self.first.insertWidget(2, self.overlay)
            self.second.setContentsMargins(0, 0, 0, 0)
        else:
            self.second.addWidget(self.key, 1)
            self.second.addWidget(self.overlay)
            self.second.setContentsMargins(0, 2, 0, 0)
        self._show_overlay_text()
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        """The narrow form's width: the charts beside a wide panel are never held wider
        by this row (the lines are chosen for the width given, on resize)."""
        least = max(self._narrow_widths()) if not self.overlay.isHidden() else (
            self._narrow_widths()[0])
        return QSize(least, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange(event.size().width())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self.arrange(self.width())
        return super().eventFilter(watched, event)
