"""A session opened from the board: its charts and its log, read-only (the board
has no recorder: nothing can be entered here). It follows the session live: the
board tells it what each read changed. It is a pane inside the board window, never
a window of its own over the other chairs."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QSplitter, QTableView, QVBoxLayout, QWidget

from monitor.clinical.protocols import Protocol
from monitor.model.session import Session
from monitor.record.change import Change
from ui.charts.charts import ChartsView
from ui.common.forms import label
from ui.session.log_heights import RowHeights
from ui.session.log_table import STRETCH, LogTable, fit_columns
from ui.session.log_view import LogModel


class SessionViewer(QWidget):
    def __init__(self, session: Session, protocol: Protocol, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(f"{title} — read-only")
        self.setObjectName("SessionViewer")
        self._setup_ui(session, protocol, title)
        self._layout()

    def _setup_ui(self, session: Session, protocol: Protocol, title: str) -> None:
        self.heading = label(f"{title} · session {session.session_id} · read-only", "dim",
                             name="Session heading")
        self.charts = ChartsView(session, protocol, self)
        self.model = LogModel(session, self)
        self.table = LogTable()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.model.modelReset.connect(
            lambda: fit_columns(self.table, self.model.column_texts()))
        self.heights = RowHeights(self.table, self.model, STRETCH)  # long texts wrap

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        split = QSplitter()
        split.setOrientation(split.orientation().Vertical)
        split.addWidget(self.charts)
        split.addWidget(self.table)
        box.addWidget(split, 1)

    def redraw(self, now: datetime) -> None:
        """Everything from the session as the board has read it (on show)."""
        self.charts.redraw(now)
        self.model.reload()

    def apply(self, change: Change) -> None:
        """What one read of the session changed (the board's ``watch``)."""
        self.charts.apply(change)
        self.model.apply(change)

    def show_now(self, now: datetime) -> None:
        self.charts.show_now(now)
