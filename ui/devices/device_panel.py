"""The device panel: listen for bedside monitors (HL7 v2 over MLLP), bind a
device heard in the last minute to the open session, see what each sends,
unbind at the end. The GUI thread owns the recorder: the listener's thread only
fills the inbox, and a queued signal makes this thread drain it."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from monitor.clock import Clock
from monitor.devices.commands import clinic_zone
from monitor.devices.diagnostics import DeviceStatus
from monitor.devices.listener import DEFAULT_PORT
from monitor.devices.station import Station
from monitor.errors import MonitorError
from monitor.parameters import fmt, label, unit
from monitor.recorder import Recorder
from ui.common.forms import button, hrow
from ui.common.forms import label as text_label

HEARD_WITHIN_S = 60
NO_DATA_AFTER_S = 30   # a bound device silent this long shows "no data"
COLUMNS = ("Device", "From", "Last message", "Messages", "Errors", "Recorded", "Session")


class _Pump(QObject):
    """Crosses from the listener's thread to the GUI thread (a queued signal)."""

    ready = Signal()


class DevicePanel(QDialog):

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bedside monitors (HL7)")
        self.clock = clock
        self.station: Station | None = None
        self.recorder: Recorder | None = None
        self._pump = _Pump(self)
        self._pump.ready.connect(self._on_ready, Qt.ConnectionType.QueuedConnection)
        self._setup_ui()
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(1000)
        self.refresh_timer.timeout.connect(self.refresh)

    def _setup_ui(self) -> None:
        box = QVBoxLayout(self)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setAccessibleName("Port")
        self.listen_button = button("Listen", "Start listening", slot=self.start_listening)
        self.status = text_label("Not listening.", name="Listener status")
        box.addLayout(hrow(text_label("Port on 127.0.0.1:"), self.port, self.listen_button,
                           self.status))
        self.peers = text_label("", name="Connected peers")
        self.peers.setWordWrap(True)
        box.addWidget(self.peers)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Devices heard in the last minute")
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._show_selected)
        box.addWidget(text_label("Devices heard in the last minute", bold=True))
        box.addWidget(self.table, 1)
        self.bind_button = button("Bind to this session", "Bind device", primary=True,
                                  slot=self.bind_selected)
        self.unbind_button = button("Unbind", "Unbind device", slot=self.unbind_selected)
        self.message = text_label("", name="Device message")
        self.message.setWordWrap(True)
        box.addLayout(hrow(self.bind_button, self.unbind_button, self.message))
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("What the device sends")
        box.addWidget(self.details, 1)
        self.lines = QListWidget()
        self.lines.setAccessibleName("Connections and errors")
        box.addWidget(text_label("Connections and errors", bold=True))
        box.addWidget(self.lines, 1)
        self.resize(760, 620)

    # -- listening ---------------------------------------------------------------
    def start_listening(self) -> None:
        if self.station is not None:
            return
        station = Station(self.clock, port=self.port.value(), clinic_tz=clinic_zone(None))
        station.inbox.on_ready = self._pump.ready.emit
        try:
            port = station.start()
        except MonitorError as exc:
            self.status.setText(str(exc))
            return
        self.station = station
        self.status.setText(f"Listening on 127.0.0.1:{port}")
        self.listen_button.setEnabled(False)
        self.port.setEnabled(False)
        self.refresh_timer.start()
        self.refresh()

    def _on_ready(self) -> None:
        if self.station is not None:
            self.station.capture.drain()

    def set_recorder(self, recorder: Recorder | None) -> None:
        """The window's open session; devices bound to a session that closes are unbound."""
        if self.station is not None and self.recorder is not None and recorder is not self.recorder:
            for device in self.station.capture.bound_devices(self.recorder):
                self.station.capture.unbind(device)
        self.recorder = recorder
        self.refresh()

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
        self.message.setText(f"{device} now records into session "
                             f"{self.recorder.session.session_id}.")
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
        now = self.clock.now()
        self.table.setRowCount(len(heard))
        for row, dev in enumerate(heard):
            rec = bound.get(dev.device_id)
            session = rec.session.session_id if rec is not None else "not bound"
            silent = (now - dev.last_message_at).total_seconds() if dev.last_message_at else 0
            if rec is not None and silent >= NO_DATA_AFTER_S:
                session += f" — no data for {silent:.0f} s"
            cells = (dev.device_id, dev.peer, _clock_time(dev.last_message_at),
                     str(dev.messages), str(dev.errors), str(dev.recorded), session)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
            if dev.device_id == selected:
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
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

    def shutdown(self) -> None:
        self.refresh_timer.stop()
        if self.station is not None:
            self.station.stop()
            self.station = None


def _clock_time(when: datetime | None) -> str:
    return when.astimezone().strftime("%H:%M:%S") if when else "—"


def describe(dev: DeviceStatus) -> str:
    """What a device sends, in words: mapped values, and why other rows are not vitals."""
    out = [f"Device {dev.device_id}: {dev.messages} messages, {dev.errors} with errors, "
           f"{dev.recorded} values recorded."]
    if dev.last_values:
        out.append("Last values: " + ", ".join(
            f"{label(p)} {fmt(v)} {unit(p)}".rstrip() + f" ({_clock_time(t)})"
            for p, (v, t) in sorted(dev.last_values.items())))
    else:
        out.append("No vital sign mapped yet.")
    if dev.unknown_codes:
        out.append("Codes sent but not mapped (not recorded): " + ", ".join(
            f"{c} {n}".rstrip() for c, n in sorted(dev.unknown_codes.items())))
    if dev.skipped:
        out.append("Rows skipped: " + ", ".join(f"{n} {why}" for why, n in
                                                sorted(dev.skipped.items())))
    if dev.last_error:
        out.append(f"Last error: {dev.last_error}")
    return "\n".join(out)
