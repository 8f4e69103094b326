"""The side drawer: a strip of buttons at the right edge opens one entry panel
(assessment, infusion, events, log, alarms, discharge) beside the charts,
sized for its content. The charts keep their height; closed, they get the
width back."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.forms import button, label


class Drawer(QWidget):
    """The strip; ``panel`` is the frame that holds the open entry panel."""

    opened = Signal(object)  # the panel widget, or None when closed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[QWidget, QPushButton] = {}
        self.scrolls: dict[QWidget, QScrollArea] = {}
        self.titles: dict[QWidget, str] = {}
        self.panel = QFrame()
        self.panel.setObjectName("Drawer")
        self.panel.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = label("", pt=14, bold=True, name="Open panel")
        self.close_button = button("Close ✕", "Close panel", slot=self.close_panel)
        self.stack = QStackedWidget()
        box = QVBoxLayout(self.panel)
        box.setContentsMargins(6, 4, 6, 4)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.close_button)
        box.addLayout(top)
        box.addWidget(self.stack, 1)
        self.panel.hide()
        self.strip = QVBoxLayout(self)
        self.strip.setContentsMargins(0, 0, 0, 0)
        self.strip.setSpacing(4)
        self.strip.addStretch(1)

    def add(self, widget: QWidget, title: str, key: str) -> QPushButton:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(widget)
        self.stack.addWidget(scroll)
        b = button(f"{title}\n{key}", f"Open {title}", slot=lambda w=widget: self.toggle(w))
        b.setCheckable(True)
        b.setToolTip(f"{title} ({key})")
        self.strip.insertWidget(self.strip.count() - 1, b)
        self.buttons[widget] = b
        self.scrolls[widget] = scroll
        self.titles[widget] = title
        return b

    def current(self) -> QWidget | None:
        if self.panel.isHidden():
            return None
        scroll = self.stack.currentWidget()
        return scroll.widget() if isinstance(scroll, QScrollArea) else None

    def toggle(self, widget: QWidget) -> None:
        if self.current() is widget:
            self.close_panel()
        else:
            self.open(widget)

    def open(self, widget: QWidget) -> None:
        self.stack.setCurrentWidget(self.scrolls[widget])
        self.title.setText(self.titles[widget])
        for w, b in self.buttons.items():
            b.setChecked(w is widget)
        self.panel.show()
        self.opened.emit(widget)

    def close_panel(self) -> None:
        self.panel.hide()
        for b in self.buttons.values():
            b.setChecked(False)
        self.opened.emit(None)

    def fit(self, room: int) -> None:
        """Width for the open panel's content, at most ``room``."""
        widget = self.current()
        if widget is None:
            return
        bar = self.scrolls[widget].verticalScrollBar().sizeHint().width()
        want = max(widget.sizeHint().width(), widget.minimumSizeHint().width()) + bar + 16
        self.panel.setFixedWidth(max(300, min(want, room)))
