"""The log's rows as tall as their text: a What that does not fit on one line (an
assessment with its comment, a note, a checklist, an alarm with its other reasons)
wraps, and its row grows to show it whole (up to MAX_LINES lines; the tooltip and the
"Selected" line hold the rest). Only the rows a person or a rule wrote are measured:
a device sample's row is one line, so a 24 h log of 86,000 samples costs no more."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt, QTimer
from PySide6.QtWidgets import QTableView

MAX_LINES = 12
PAD = 8  # the cell's text margins and grid line, both sides (the table's own sizing uses 8)


class WrappedModel(Protocol):
    rows: list[Any]  # each with a ``source`` and a ``seq``: "device" rows are never measured

    def what(self, item: Any) -> str: ...


class RowHeights:
    """Keeps the row heights of ``table`` fitted to column ``col``'s wrapped text.

    New rows are fitted at once. A reset or a new column width is fitted once the
    table is shown and laid out (a layout passes through several widths; each would
    cost a pass over every written row), in one pass however many changes came; a
    view at its newest row stays there."""

    def __init__(self, table: QTableView, model: WrappedModel, col: int) -> None:
        self.table = table
        self.model = model
        self.col = col
        table.setWordWrap(True)
        self.timer = QTimer(table)
        self.timer.setSingleShot(True)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self.fit_all)
        qt_model = table.model()
        qt_model.modelReset.connect(self._on_reset)
        qt_model.rowsInserted.connect(self._on_inserted)
        table.horizontalHeader().sectionResized.connect(self._on_resized)
        self._fitted: int | None = None  # the width last fitted (None: rows unfitted)
        # seq -> [text, its one-line width, the width it was wrapped at, wrapped height]
        self._advance: dict[int, list[Any]] = {}

    def _on_reset(self) -> None:
        """New rows: every row one line again at once (the header keeps the old rows'
        heights by position), fitted once laid out."""
        header = self.table.verticalHeader()
        header.setDefaultSectionSize(header.defaultSectionSize())
        self.timer.start()

    def _on_inserted(self, _parent: QModelIndex | QPersistentModelIndex, first: int,
                     last: int) -> None:
        self.fit(range(first, last + 1))

    def _on_resized(self, col: int, _old: int, new: int) -> None:
        if col == self.col and new != self._fitted:
            self.timer.start()

    def fit_all(self) -> None:
        """Every row, now (shown and laid out: otherwise when the table is shown)."""
        self.timer.stop()
        if not self.table.isVisible():
            self._fitted = None
            return
        bar = self.table.verticalScrollBar()
        newest = bar.value() == bar.maximum()
        self._fitted = self.table.columnWidth(self.col)
        self.fit(range(len(self.model.rows)))
        # The view would take the new heights on its own timer: the scroll range must
        # know them now, for the newest row to stay in view.
        self.table.updateGeometries()
        if newest:
            self.table.scrollToBottom()

    def shown(self) -> None:
        """The table is shown: fit what changed while it was hidden."""
        if self._fitted != self.table.columnWidth(self.col):
            self.timer.start()

    def fit(self, rows: range) -> None:
        """Size each written row of ``rows``: one line when its text fits, else its
        wrapped height."""
        header = self.table.verticalHeader()
        one = header.defaultSectionSize()
        width = self.table.columnWidth(self.col) - PAD
        if width <= 0:
            return
        metrics = self.table.fontMetrics()
        most = MAX_LINES * metrics.lineSpacing()
        items = self.model.rows
        written = [(row, item) for row, item in enumerate(items[rows.start:rows.stop], rows.start)
                   if item.source != "device"]  # 86,000 samples: a few ms
        advance = self._advance
        what = self.model.what
        for row, item in written:
            text = what(item)
            known = advance.get(item.seq)
            if known is None or known[0] is not text:  # measured once per text
                known = advance[item.seq] = [text, metrics.horizontalAdvance(text), 0, one]
            if "\n" not in text and known[1] <= width:
                height = one
            else:
                if known[2] != width:  # wrapped once per text and width
                    known[2] = width
                    known[3] = metrics.boundingRect(QRect(0, 0, width, 1 << 20),
                                                    Qt.TextFlag.TextWordWrap, text).height()
                height = max(one, min(known[3], most) + PAD)
            if header.sectionSize(row) != height:
                header.resizeSection(row, height)
