"""The side drawer: a strip of buttons at the right edge opens one entry panel
(assessment, infusion, events, log, alarms, discharge) beside the charts,
sized for its content. The charts keep their height; closed, they get the
width back. A panel is built the first time it is opened or asked for: the
window is ready sooner, and a panel nobody opens costs nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.common.forms import button


class Drawer(QWidget):
    """The strip; ``panel`` is the frame that holds the open entry panel."""

    opened = Signal(object)  # the panel widget, or None when closed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Built panels, by widget; the factories of those not built yet, by title.
        self.buttons: dict[QWidget, QPushButton] = {}
        self.scrolls: dict[QWidget, QScrollArea] = {}
        self.titles: dict[QWidget, str] = {}
        self.built: dict[str, QWidget] = {}
        self._slots: dict[str, tuple[QScrollArea, QPushButton, Callable[[], QWidget]]] = {}
        self.panel = QFrame()
        self.panel.setObjectName("Drawer")
        self.panel.setFrameShape(QFrame.Shape.StyledPanel)
        # The checked strip button names the open panel: no title row above it.
        self.close_button = button("Close ✕\nEsc", "Close panel", slot=self.close_panel)
        self.close_button.hide()
        self.stack = QStackedWidget()
        box = QVBoxLayout(self.panel)
        box.setContentsMargins(4, 2, 4, 2)
        box.addWidget(self.stack, 1)
        self.panel.hide()
        self.strip = QVBoxLayout(self)
        self.strip.setContentsMargins(0, 0, 0, 0)
        self.strip.setSpacing(3)
        self.strip.addStretch(1)
        self.strip.addWidget(self.close_button)

    def add(self, title: str, key: str, build: Callable[[], QWidget]) -> QPushButton:
        """A strip button for a panel that ``build`` makes when it is first needed."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.stack.addWidget(scroll)
        b = button(f"{title}\n{key}", f"Open {title}", slot=partial(self.toggle_title, title))
        b.setCheckable(True)
        b.setToolTip(f"{title} ({key})")
        self.strip.insertWidget(self.strip.count() - 2, b)
        self._slots[title] = (scroll, b, build)
        return b

    def widget(self, title: str) -> QWidget:
        """The panel called ``title``, built now if it was not yet."""
        widget = self.built.get(title)
        if widget is None:
            scroll, b, build = self._slots[title]
            widget = build()
            scroll.setWidget(widget)
            self.built[title] = widget
            self.buttons[widget] = b
            self.scrolls[widget] = scroll
            self.titles[widget] = title
        return widget

    def button_for(self, title: str) -> QPushButton:
        return self._slots[title][1]

    def toggle_title(self, title: str) -> None:
        self.toggle(self.widget(title))

    def add_extra(self, widget: QWidget) -> None:
        """A button that is not a panel (it opens a window of its own), under the panels."""
        self.strip.insertWidget(self.strip.count() - 2, widget)

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
        for w, b in self.buttons.items():
            b.setChecked(w is widget)
        self.panel.show()
        self.close_button.show()
        self.opened.emit(widget)

    def close_panel(self) -> None:
        self.panel.hide()
        self.close_button.hide()
        for b in self.buttons.values():
            b.setChecked(False)
        self.opened.emit(None)

    def wanted_width(self) -> int:
        """What the open panel's content needs, with room for a scroll bar."""
        widget = self.current()
        if widget is None:
            return 0
        bar = self.scrolls[widget].verticalScrollBar().sizeHint().width()
        return max(widget.sizeHint().width(), widget.minimumSizeHint().width()) + bar + 12

    def fit(self, room: int) -> None:
        """Width for the open panel's content, at most ``room``."""
        if self.current() is not None:
            self.panel.setFixedWidth(max(300, min(self.wanted_width(), room)))


def focus_into(panel: QWidget) -> None:
    """Focus the panel's first control that takes the Tab key (Qt's own
    ``focusNextChild`` moves on from wherever focus was, often outside the panel)."""
    from PySide6.QtCore import Qt  # after the first paint: Qt's enums, ~18 ms
    w = panel.nextInFocusChain()
    while w is not None and w is not panel:
        if (panel.isAncestorOf(w) and w.isVisible() and w.isEnabled()
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus):
            w.setFocus(Qt.FocusReason.TabFocusReason)
            return
        w = w.nextInFocusChain()
