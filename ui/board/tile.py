"""One chair's tile, read from across a room: the patient, phase and dose, the
latest vitals as large numbers with their age, every active alarm in its colour
and word (worst first: a medium HR is never hidden by the same chair's HIGH BP),
what is overdue, NEWS2 and the minimum observation. A chair without current data
shows only "no data" and its age."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent, QTextDocumentFragment
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from monitor.board.chairs import Tile
from monitor.board.vitals import BOARD_ROWS
from monitor.model.parameters import PARAMETERS, in_rail
from monitor.model.session import Priority
from ui.common import theme
from ui.common.forms import label

VALUE_PT = 24  # a vital's value: readable from the door (about 32 px high)
COMPACT_PT = 17  # beside an opened session: half the width, a quarter of the height
ALARM_PT = 13
# The registry's board vitals, each a share of the tile's width by the values it joins:
# BP's "186/104" is the widest (7, against 4 for "118").
VITAL_SHARE = tuple(4 + 3 * (sum(PARAMETERS[k].board for k in in_rail(row)) - 1)
                    for row in BOARD_ROWS)


def _vital_html(name: str, value: str, age: str, dim: str, *, compact: bool = False) -> str:
    """Name and age small over the value large, as one label (read as "HR 77 20 s");
    compact: one line, the name before the value, no age."""
    small = f"<span style='font-size:11pt; color:{dim}'>"
    if compact:
        return (f"{small}{name}</span>&nbsp;<span style='font-size:{COMPACT_PT}pt; "
                f"font-weight:bold'>{value}</span>")
    age_part = f"<br>{small}{age}</span>" if age else "<br>&nbsp;"
    return (f"{small}{name}</span><br><span style='font-size:{VALUE_PT}pt; "
            f"font-weight:bold'>{value}</span>{age_part}")


class AlarmRow(QLabel):
    """One active alarm on one line, ended in "…" when short of room (the whole text in
    its tooltip and in ``full``): rows never squeeze each other unreadable."""

    def __init__(self) -> None:
        super().__init__()
        self.full = ""
        font = self.font()
        font.setPointSize(ALARM_PT)
        font.setBold(True)
        self.setFont(font)
        self.setAccessibleName("Active alarm")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def show_text(self, text: str) -> None:
        self.full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width()
        self.setText(self.fontMetrics().elidedText(self.full, Qt.TextElideMode.ElideRight,
                                                   max(room, 40)))


class TileView(QFrame):
    """Clicking anywhere on the tile asks to open its session (read-only)."""

    clicked = Signal(str)

    def __init__(self, chair: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chair = chair
        self.session_id = ""
        self.compact = False
        self._last: Tile | None = None
        self.setObjectName(f"tile-{chair}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._setup_ui(title)
        self._layout()

    def _setup_ui(self, title: str) -> None:
        self.title = label(title, "dim", pt=12, name="Chair")
        self.patient = label("", pt=18, bold=True, name="Patient")
        self.phase = label("", pt=12, bold=True, name="Phase")
        self.dose = label("", pt=12, name="Rate and dose")
        self.vitals = [label("", name=f"Latest {row}") for row in BOARD_ROWS]
        for v in self.vitals:
            v.setTextFormat(Qt.TextFormat.RichText)
            v.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.alarm_box = QVBoxLayout()
        self.alarm_box.setSpacing(2)
        self.alarm_rows: list[AlarmRow] = []
        self.no_alarm = label("no active alarm", "dim", pt=12, name="No active alarm")
        self.overdue = label("", pt=11, name="Overdue observations")
        self.score = label("", pt=11, name="NEWS2 and minimum observation")
        self.no_data = label("", pt=16, bold=True, name="No data")

    def _layout(self) -> None:
        # Tiles share the width equally and wrap their lines: eight fit 1366 px.
        # ... and the board's height: the grid never grows past the screen
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 6, 8, 6)
        box.setSpacing(3)
        top = QGridLayout()
        top.addWidget(self.patient, 0, 0)
        top.addWidget(self.title, 0, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        top.setColumnStretch(0, 1)
        box.addLayout(top)
        for w in (self.phase, self.dose):
            w.setWordWrap(True)
            box.addWidget(w)
        row = QGridLayout()
        row.setSpacing(10)  # "186/104" and "118" never read as one number
        for i, v in enumerate(self.vitals):
            row.addWidget(v, 0, i)
            row.setColumnStretch(i, VITAL_SHARE[i])
        box.addLayout(row)
        box.addLayout(self.alarm_box)
        box.addWidget(self.no_alarm)
        for w in (self.overdue, self.score, self.no_data):
            w.setWordWrap(True)
            box.addWidget(w)
        box.addStretch(1)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.session_id:
            self.clicked.emit(self.session_id)
        super().mouseReleaseEvent(event)

    def set_compact(self, compact: bool) -> None:
        """Beside an opened session the tile keeps what must be seen from across the
        room (patient, vitals, every active alarm) and drops the rest."""
        self.compact = compact
        if self._last is not None:
            self.show_tile(self._last)

    def show_tile(self, t: Tile) -> None:
        self._last = t
        self.session_id = t.session_id
        self.patient.setText(t.patient or "—")
        live = (self.phase, self.dose, *self.vitals, self.overdue, self.score)
        for w in live:
            w.setVisible(t.live)
        self.no_data.setVisible(not t.live)
        dim = theme.current().dim
        if not t.live:
            self._alarms([])
            self.no_alarm.setVisible(False)
            self.no_data.setText(t.no_data)
            self.no_data.setStyleSheet(f"color: {dim};" if t.no_data == "no session"
                                       else f"color: {theme.current().warn};")
            self.setStyleSheet("")
            return
        self.phase.setText(" · ".join(x for x in (t.phase, t.since_dose) if x))
        self.dose.setText(" · ".join(x for x in (t.rate, t.dose) if x))
        for view, (name, value, age) in zip(self.vitals, t.vitals, strict=False):
            view.setText(_vital_html(name, value, age.replace(" ", "&nbsp;"), dim,
                                     compact=self.compact))
        for w in (self.phase, self.dose, self.overdue, self.score):
            w.setVisible(not self.compact)
        self._alarms(t.alarms or ([(t.alarm_priority, t.alarm)] if t.alarm_priority else []))
        self.overdue.setText("; ".join(t.overdue))
        warn = theme.alarm_text(Priority.MEDIUM)
        self.overdue.setStyleSheet(f"color: {warn};" if t.overdue else "")
        self.score.setText(" · ".join(x for x in (t.news2, t.min_observation) if x))

    def _alarms(self, alarms: list[tuple[Priority, str]]) -> None:
        """One coloured row per active alarm, worst first; the frame in the worst's colour."""
        while len(self.alarm_rows) < len(alarms):
            row = AlarmRow()
            self.alarm_box.addWidget(row)
            self.alarm_rows.append(row)
        for row, shown in zip(self.alarm_rows, alarms + [None] * len(self.alarm_rows),
                              strict=False):
            row.setVisible(shown is not None)
            if shown is None:
                continue
            p, message = shown
            row.show_text(f"{theme.PRIORITY_SYMBOL[p]} {theme.PRIORITY_WORD[p]}: {message}")
            row.setStyleSheet(f"background: {theme.PRIORITY_COLOR[p]}; "
                              f"color: {theme.PRIORITY_TEXT[p]}; padding: 2px 4px;")
        self.no_alarm.setVisible(not alarms)
        self.setStyleSheet(f"TileView {{ border: 3px solid {theme.PRIORITY_COLOR[alarms[0][0]]}; }}"
                           if alarms else "")

    def text(self) -> str:
        """Everything the tile shows, as one string (what a screen reader reads)."""
        parts = [QTextDocumentFragment.fromHtml(getattr(w, "full", w.text())).toPlainText()
                 .replace("\xa0", " ").replace("\n", " ").replace("\u2028", " ").strip()
                 for w in self.findChildren(QLabel) if w.isVisibleTo(self)]
        return " | ".join(p for p in parts if p)
