"""The log's table: its columns sized so Kind and What are never cut where the
panel has room, and a view that never scrolls sideways (Ctrl+End or a click on a
long row would otherwise scroll Time out of view)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTableWidget, QWidget

STRETCH = 2  # What takes the room that is left
PAD = 12
WHAT_WIDTH = 430  # a full vitals set's description, or a folded minute's ranges


class LogTable(QTableView):
    """A table that keeps its first column in view: no sideways scrolling at all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.horizontalScrollBar().valueChanged.connect(self._stay_left)

    def _stay_left(self, value: int) -> None:
        if value:
            self.horizontalScrollBar().setValue(0)

    def sizeHint(self) -> QSize:
        """Wide enough for every fixed column and a full What (the drawer gives the
        panel this width where the screen has it)."""
        hint = super().sizeHint()
        model = self.model()
        if model is None:
            return hint
        fixed = sum(self.columnWidth(c) for c in range(model.columnCount()) if c != STRETCH)
        width = (fixed + WHAT_WIDTH + self.verticalScrollBar().sizeHint().width()
                 + 2 * self.frameWidth())
        return QSize(width, hint.height())

    def scrollTo(self, index: QModelIndex | QPersistentModelIndex,
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible
                 ) -> None:
        super().scrollTo(index, hint)
        self.horizontalScrollBar().setValue(0)


def fit_columns(table: QTableView, texts: dict[int, set[str]]) -> None:
    """Every column but What as wide as the widest of ``texts`` it can show (the kinds,
    authors, sources and statuses the session holds); What stretches over the rest,
    so the columns always fit the panel."""
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    model = table.model()
    for col in range(model.columnCount()):
        if col == STRETCH:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
            continue
        title = str(model.headerData(col, header.orientation()) or "")
        widest = max((metrics.horizontalAdvance(t) for t in texts.get(col, ())), default=40)
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(col, max(widest, metrics.horizontalAdvance(title)) + PAD)


def fit_to_width(table: QTableView, stretch: int) -> None:
    """A small table (the alarm history) that never scrolls sideways: each column as
    wide as its contents, column ``stretch`` takes the rest and wraps its text."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    for col in range(header.count()):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch if col == stretch
                                    else QHeaderView.ResizeMode.ResizeToContents)
    table.setWordWrap(True)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


class WideTable(QTableWidget):
    """A table widget that asks for ``wanted`` pixels of width (the drawer gives a
    panel the width it asks for where the screen has it)."""

    def __init__(self, rows: int, columns: int, wanted: int) -> None:
        super().__init__(rows, columns)
        self.wanted = wanted

    def sizeHint(self) -> QSize:
        return QSize(self.wanted, super().sizeHint().height())
