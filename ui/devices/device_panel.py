"""The device panel: listen for bedside monitors (HL7 v2 over MLLP), bind a
device heard in the last minute to the open session, see what each sends,
unbind at the end. The dialog shows and drives the window's device capture
(``ui/devices/capture_service.py``), which owns the listener: closing the dialog
leaves a bound monitor recording."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor.devices.diagnostics import DeviceStatus
from monitor.devices.listener import DEFAULT_PORT
from monitor.devices.station import Station
from monitor.devices.zones import machine_zone_name, zone, zone_names
from monitor.errors import MonitorError
from monitor.record.recorder import Recorder
from ui.common.forms import button, hrow
from ui.common.forms import label as text_label
from ui.common.placement import place_below
from ui.devices.capture_service import DeviceCapture
from ui.devices.device_text import bind_message, clock_time, describe

HEARD_WITHIN_S = 60
NO_DATA_AFTER_S = 30   # a bound device silent this long shows "no data"
# Who, where, which session first: the columns a nurse needs stay in view.
COLUMNS = ("Device", "Monitor", "Bed", "Patient (PID-3)", "Session", "Last message",
           "Messages", "Errors", "Recorded", "From")
# The headers as shown: on two lines where that makes a column narrower (the whole
# name in each header's tooltip). The table fits the dialog at 1280 px, no scrolling.
HEADERS = {"Patient (PID-3)": "Patient\n(PID-3)", "Last message": "Last\nmessage",
           "Messages": "Mes-\nsages", "Recorded": "Re-\ncorded"}
# These stretch into the room left and wrap their words; the others fit their contents.
STRETCH = ("Patient (PID-3)", "Session")
WIDTH = 1100  # the dialog's width, as far as the window allows


class DevicePanel(QDialog):

    def __init__(self, capture: DeviceCapture, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bedside monitors (HL7)")
        self.capture = capture
        self.clock = capture.clock
        self._setup_ui()
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(1000)
        self.refresh_timer.timeout.connect(self.refresh)
        self._show_listening()

    @property
    def station(self) -> Station | None:
        return self.capture.station

    @property
    def recorder(self) -> Recorder | None:
        return self.capture.recorder

    def _setup_ui(self) -> None:
        box = QVBoxLayout(self)
        # Under two alarm rows at 1366×768, with a bind message, every part still fits.
        box.setSpacing(2)
        box.setContentsMargins(8, 6, 8, 6)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setAccessibleName("Port")
        self.listen_button = button("Listen", "Start listening", slot=self.start_listening)
        self.status = text_label("Not listening.", name="Listener status")
        box.addLayout(hrow(text_label("Port on 127.0.0.1:"), self.port, self.listen_button,
                           self.status))
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.addItems(zone_names())
        self.zone.setCurrentText(machine_zone_name())
        self.zone.setAccessibleName("Clinic time zone")
        self.zone.currentTextChanged.connect(self._on_zone_changed)
        self.zone_note = text_label("", name="Time zone note")
        box.addLayout(hrow(text_label("Clinic time zone (device times sent without an "
                                      "offset):"), self.zone, self.zone_note))
        self.peers = text_label("", name="Connected peers")
        self.peers.setWordWrap(True)
        box.addWidget(self.peers)
        self.table = device_table()
        self.table.setAccessibleName("Devices heard in the last minute")
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._show_selected)
        # Shortened to fit under the alarm banner, the dialog keeps two monitors' rows
        # and the four lines of what the chosen one sends in view; the log shrinks.
        self.table.setMinimumHeight(2 * self.table.verticalHeader().defaultSectionSize() + 52)
        box.addWidget(text_label("Devices heard in the last minute, and every bound device",
                                 bold=True))
        box.addWidget(self.table, 1)
        self.bind_button = button("Bind to this session", "Bind device", primary=True,
                                  slot=self.bind_selected)
        self.unbind_button = button("Unbind", "Unbind device", slot=self.unbind_selected)
        self.message = text_label("", bold=True, name="Device message")
        self.message.setWordWrap(True)
        # What a monitor sends (its name, bed, patient id) is shown as text, never as markup.
        for shown in (self.status, self.zone_note, self.peers, self.message):
            shown.setTextFormat(Qt.TextFormat.PlainText)
        # The message on its own full-width line: who is bound to whom, in two lines, not five.
        box.addLayout(hrow(self.bind_button, self.unbind_button))
        box.addWidget(self.message)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("What the device sends")
        # (the theme's min-height rule would override setMinimumHeight)
        self.details.setStyleSheet(
            f"min-height: {4 * self.details.fontMetrics().lineSpacing() + 8}px;")
        box.addWidget(self.details, 1)
        self.lines = QListWidget()
        self.lines.setAccessibleName("Connections and errors")
        self.lines.setMinimumHeight(self.lines.fontMetrics().lineSpacing() + 12)
        box.addWidget(text_label("Connections and errors", bold=True))
        box.addWidget(self.lines, 1)
        self.resize(WIDTH, 620)

    def show_below(self, banner: QWidget | None) -> None:
        """Open under the alarm banner, shortened to fit below it: it never hides an alarm."""
        if banner is not None:  # as wide as the window allows, up to WIDTH
            self.resize(min(WIDTH, banner.window().width() - 20), self.height())
        self.show()
        place_below(self, banner, fit_height=True)
        self.raise_()

    # -- listening ---------------------------------------------------------------
    def start_listening(self) -> None:
        if self.station is not None:
            return
        try:
            self.capture.start(self.port.value(), zone(self.zone.currentText()))
        except MonitorError as exc:
            self.status.setText(str(exc))
            return
        self._show_listening()
        if self.isVisible():   # else from the next show (showEvent)
            self.refresh_timer.start()
        self.refresh()

    def _show_listening(self) -> None:
        """The dialog opened again shows the listener the window kept running."""
        if self.station is None:
            return
        port = self.station.listener.port
        self.port.setValue(port)
        self.status.setText(f"Listening on 127.0.0.1:{port}")
        self.listen_button.setEnabled(False)
        self.port.setEnabled(False)

    def _on_zone_changed(self, name: str) -> None:
        try:
            chosen = zone(name)
        except MonitorError as exc:
            self.zone_note.setText(str(exc))
            return
        self.zone_note.setText("")
        self.capture.set_clinic_tz(chosen)

    # -- binding ------------------------------------------------------------------
    def _selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        item = self.table.item(rows[0].row(), 0) if rows else None
        return item.text() if item is not None else None

    def bind_selected(self) -> None:
        device = self._selected()
        if self.station is None or device is None:
            self.message.setText("Choose a device heard in the last minute.")
            return
        if self.recorder is None:
            self.message.setText("Open a session first: a device records only into the open "
                                 "session.")
            return
        try:
            self.station.capture.bind(device, self.recorder)
        except MonitorError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(bind_message(self.station.diagnostics.device(device), device,
                                          self.recorder))
        self.refresh()

    def unbind_selected(self) -> None:
        device = self._selected()
        if self.station is None or device is None:
            return
        self.station.capture.unbind(device)
        self.message.setText(f"{device} no longer records into any session.")
        self.refresh()

    # -- showing -------------------------------------------------------------------
    def refresh(self) -> None:
        if self.station is None:
            return
        selected = self._selected()
        heard = self.station.diagnostics.heard_within(HEARD_WITHIN_S)
        bound = self.station.capture.bindings
        # A bound device stays listed however long it is silent: "no data" must show.
        listed = {d.device_id for d in heard}
        heard += [self.station.diagnostics.device(d) or DeviceStatus(d)
                  for d in bound if d not in listed]
        now = self.clock.now()
        self.table.setRowCount(len(heard))
        for row, dev in enumerate(heard):
            rec = bound.get(dev.device_id)
            session = rec.session.session_id if rec is not None else "not bound"
            silent = (now - dev.last_message_at).total_seconds() if dev.last_message_at else 0
            if rec is not None and dev.last_message_at is None:
                session += " — no data since binding"
            elif rec is not None and silent >= NO_DATA_AFTER_S:
                session += f" — no data for {silent:.0f} s"
            patient = " ".join(p for p in (dev.patient_id, f"({dev.patient_name})"
                                           if dev.patient_name else "") if p)
            cells = (dev.device_id, dev.sender_name, dev.bed, patient or "—", session,
                     clock_time(dev.last_message_at), str(dev.messages), str(dev.errors),
                     str(dev.recorded), dev.peer)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
            if dev.device_id == selected:
                self.table.selectRow(row)
        self.table.resizeRowsToContents()
        snapshot = self.station.diagnostics.snapshot()
        connected = [p for p in snapshot.peers if p.open]
        self.peers.setText("Connected: " + (", ".join(
            f"{p.peer} ({p.messages} messages, {p.errors} errors)" for p in connected)
            or "none"))
        self.lines.clear()
        self.lines.addItems(list(snapshot.lines)[-50:])
        self._show_selected()

    def _show_selected(self) -> None:
        device = self._selected()
        status = self.station.diagnostics.device(device) if self.station and device else None
        self.details.setPlainText(describe(status) if status else "")

    # -- shown or not: the capture goes on ---------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.station is not None:
            self.refresh_timer.start()
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self.refresh_timer.stop()   # nothing to repaint; the window's capture records on
        super().hideEvent(event)

    def shutdown(self) -> None:
        """The dialog's own timer only: the listener is the window's to stop."""
        self.refresh_timer.stop()



def device_table() -> QTableWidget:
    """The devices' table: short headers on two lines, the patient and session columns
    stretching and wrapping, the rest as wide as their contents; never a sideways
    scroll bar (issue 23: the extra columns needed one at 1366×768 and 1280×800)."""
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView
    table = QTableWidget(0, len(COLUMNS))
    for col, name in enumerate(COLUMNS):
        item = QTableWidgetItem(HEADERS.get(name, name))
        item.setToolTip(name)
        table.setHorizontalHeaderItem(col, item)
    header = table.horizontalHeader()
    for col, name in enumerate(COLUMNS):
        mode = QHeaderView.ResizeMode.Stretch if name in STRETCH else (
            QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(col, mode)
    header.setMinimumSectionSize(24)
    # A column that narrows (the dialog fitted to the window) wraps into taller rows.
    header.sectionResized.connect(lambda *_: table.resizeRowsToContents())
    table.setWordWrap(True)
    small = table.font()  # a point smaller, as the series table
    small.setPointSizeF(max(8.0, small.pointSizeF() - 1))
    table.setFont(small)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    return table
