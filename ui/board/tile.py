"""One chair's tile: patient, phase, dose, latest vitals with their age, the worst
active alarm in its colour (with its word), what is overdue, NEWS2 and the minimum
observation. A chair without current data shows only "no data" and its age."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from monitor.clinic.board import Tile
from ui.common import theme
from ui.common.forms import label


class TileView(QFrame):
    """Clicking anywhere on the tile asks to open its session (read-only)."""

    clicked = Signal(str)

    def __init__(self, chair: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chair = chair
        self.session_id = ""
        self.setObjectName(f"tile-{chair}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._setup_ui(title)
        self._layout()

    def _setup_ui(self, title: str) -> None:
        self.title = label(title, "dim", name="Chair")
        self.patient = label("", pt=14, bold=True, name="Patient")
        self.phase = label("", bold=True, name="Phase")
        self.dose = label("", name="Rate and dose")
        self.vitals = label("", pt=13, name="Latest vitals")
        self.vitals.setTextFormat(Qt.TextFormat.RichText)
        self.alarm = label("", bold=True, name="Worst active alarm")
        self.overdue = label("", name="Overdue observations")
        self.score = label("", name="NEWS2 and minimum observation")
        self.no_data = label("", pt=13, bold=True, name="No data")

    def _layout(self) -> None:
        # Tiles share the width equally and wrap their lines: eight fit 1366 px.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 6, 8, 6)
        box.setSpacing(2)
        for w in (self.title, self.patient, self.phase, self.dose, self.vitals, self.alarm,
                  self.overdue, self.score, self.no_data):
            w.setWordWrap(True)
            box.addWidget(w)
        box.addStretch(1)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.session_id:
            self.clicked.emit(self.session_id)
        super().mouseReleaseEvent(event)

    def show_tile(self, t: Tile) -> None:
        self.session_id = t.session_id
        self.patient.setText(t.patient or "—")
        live = (self.phase, self.dose, self.vitals, self.alarm, self.overdue, self.score)
        for w in live:
            w.setVisible(t.live)
        self.no_data.setVisible(not t.live)
        dim = theme.current().dim
        if not t.live:
            self.no_data.setText(t.no_data)
            self.no_data.setStyleSheet(f"color: {dim};" if t.no_data == "no session"
                                       else f"color: {theme.current().warn};")
            self.setStyleSheet("")
            return
        self.phase.setText(" · ".join(x for x in (t.phase, t.since_dose) if x))
        self.dose.setText(" · ".join(x for x in (t.rate, t.dose) if x))
        # One reading never breaks across lines; the line breaks between readings.
        self.vitals.setText("&nbsp; ".join(
            f"{name}&nbsp;<b>{value}</b>" + (
                f"&nbsp;<span style='color:{dim}'>{age.replace(' ', '&nbsp;')}</span>"
                if age else "") for name, value, age in t.vitals))
        self._alarm(t)
        self.overdue.setText("; ".join(t.overdue))
        self.overdue.setStyleSheet(f"color: {theme.alarm_text('medium')};" if t.overdue else "")
        self.score.setText(" · ".join(x for x in (t.news2, t.min_observation) if x))

    def _alarm(self, t: Tile) -> None:
        p = t.alarm_priority
        if not p:
            self.alarm.setText("no active alarm")
            self.alarm.setStyleSheet(f"color: {theme.current().dim};")
            self.setStyleSheet("")
            return
        self.alarm.setText(f"{theme.PRIORITY_SYMBOL[p]} {theme.PRIORITY_WORD[p]}: {t.alarm}")
        self.alarm.setStyleSheet(f"background: {theme.PRIORITY_COLOR[p]}; "
                                 f"color: {theme.PRIORITY_TEXT[p]}; padding: 2px;")
        self.setStyleSheet(f"TileView {{ border: 3px solid {theme.PRIORITY_COLOR[p]}; }}")

    def text(self) -> str:
        """Everything the tile shows, as one string (what a screen reader reads)."""
        parts = [QTextDocumentFragment.fromHtml(w.text()).toPlainText().replace("\xa0", " ")
                 for w in self.findChildren(QLabel) if w.isVisibleTo(self)]
        return " | ".join(p for p in parts if p)
