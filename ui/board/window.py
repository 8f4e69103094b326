"""The central board window: a grid of chair tiles (4 × 2 for 8 chairs fits
1366×768), a status line, and read-only session views opened by clicking a tile.
A view opens in a pane beside the tiles (which regroup into two columns), never as
a window over them: every chair's alarms stay in sight.

Notifications are wake-ups (whatever they say): they arrive on the listener's
thread and hop to the GUI thread (``ui/common/bridge.py``); the board then reads the table
on the GUI thread (two short queries, then the new events of the sessions that
moved), at most once per burst of notifications, and every second anyway."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from monitor.board import link
from monitor.board.chairs import BoardModel
from monitor.clinical.protocols import ProtocolSet, load_protocols
from monitor.clinical.session_protocol import protocol_in_force
from monitor.clock import Clock, SystemClock
from monitor.errors import StoreError
from monitor.model.session import Session
from monitor.paths import alarm_sound_file
from ui.board.session_view import SessionViewer
from ui.board.tile import TileView
from ui.common.bridge import Hop
from ui.common.errors import add_problem_handler, one_line
from ui.common.forms import label
from ui.sound.player import AlarmSound, load_config

log = logging.getLogger(__name__)
# Reads on wake-ups are at least this far apart: a flood of notifications (any
# login can send them) costs the server at most ten reads a second.
MIN_READ_INTERVAL = 0.1


class BoardWindow(QMainWindow):
    tile_updated = Signal(str, str)  # chair, session id: its tile shows newly read data

    def __init__(self, model: BoardModel, url: str, parent: QWidget | None = None,
                 *, listen: bool = True) -> None:
        super().__init__(parent)
        self.model = model
        self.viewers: dict[str, SessionViewer] = {}
        self.unwatch: dict[str, Callable[[], None]] = {}
        self.updates = 0
        self._read_pending = False
        self._last_read = -math.inf
        self.setWindowTitle("ketamine-monitor — clinic board")
        self._setup_ui()
        self._layout()
        self._remove_handler = add_problem_handler(self._on_problem)
        self.listener = link.listen(url, Hop(self._on_woken, self),
                                    Hop(self._on_link, self)) if listen else None
        config, self.sound_problem = load_config(alarm_sound_file())
        self.sound = AlarmSound(config, station="board")
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_tick)
        self._resync()
        if self.listener is not None:
            self.listener.start()
        self.timer.start(1000)

    def _setup_ui(self) -> None:
        self.status = label("", "dim", name="Board status")
        # What went wrong on any thread (the LISTEN thread's too): shown, never only
        # on a terminal no one watches (ui/common/errors.py).
        self.problem = label("", "error", name="Board problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.tiles = {c: TileView(c, f"Chair {c.rsplit('_', 1)[-1]}") for c in self.model.chairs}
        for view in self.tiles.values():
            view.clicked.connect(self._on_tile_clicked)
        self.views = QTabWidget()
        self.views.setAccessibleName("Opened sessions")
        self.views.setTabsClosable(True)
        self.views.tabCloseRequested.connect(self._on_view_close)
        self.views.hide()

    def _layout(self) -> None:
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(6, 6, 6, 6)
        self.grid_host = QWidget()
        self.split = QSplitter()
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.grid_host)
        self.split.addWidget(self.views)
        self._grid(4)
        box.addWidget(self.split, 1)
        box.addWidget(self.problem)
        box.addWidget(self.status)
        self.setCentralWidget(central)

    def _grid(self, columns: int) -> None:
        """Lay the tiles out in ``columns`` (4 alone, 2 beside an opened session)."""
        grid = self.grid_host.layout()
        if not isinstance(grid, QGridLayout):
            grid = QGridLayout(self.grid_host)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setSpacing(6)
        for view in self.tiles.values():
            view.set_compact(columns < 4)
        columns = min(columns, max(1, len(self.tiles)))
        rows = max(1, math.ceil(len(self.tiles) / columns))
        for view in self.tiles.values():
            grid.removeWidget(view)
        for i, view in enumerate(self.tiles.values()):
            grid.addWidget(view, i // columns, i % columns)
        for r in range(len(self.tiles)):
            grid.setRowStretch(r, 1 if r < rows else 0)
        for c in range(len(self.tiles)):
            grid.setColumnStretch(c, 1 if c < columns else 0)

    # -- updates -------------------------------------------------------------
    def _resync(self) -> None:
        try:
            link.rejoin(self.model)
        except StoreError as exc:
            self.status.setText(f"Clinic server unreachable ({exc}); retrying every second")
            return
        self.status.setText(f"Connected to {self.model.location}")
        self._show()

    def _on_woken(self) -> None:
        # A burst of notifications queues many signals: one read serves them all.
        if not self._read_pending:
            self._read_pending = True
            wait = max(0.0, self._last_read + MIN_READ_INTERVAL - time.monotonic())
            QTimer.singleShot(math.ceil(wait * 1000), self, self._read)

    def _read(self) -> None:
        self._read_pending = False
        self._last_read = time.monotonic()
        try:
            changed = self.model.refresh()
        except StoreError as exc:
            self.status.setText(f"Clinic server unreachable ({exc}); retrying")
            return
        for chair in changed:
            self.updates += 1
            self._show(chair)
            self.tile_updated.emit(chair, self.model.current.get(chair, ""))

    def _on_link(self, up: bool) -> None:
        if up:
            self._resync()  # notifications sent while away are lost: read again
        else:
            self.status.setText("Clinic server unreachable: values shown are not live")
            for view in self.tiles.values():
                view.setEnabled(False)

    def _on_tick(self) -> None:
        try:
            self.model.refresh_presence()
        except StoreError:
            self._resync()
            return
        self._read()  # notifications can be lost or forged: read anyway
        if self.listener is not None and not self.listener.alive:
            self.status.setText("Board not listening for updates: reading every second")
        self._show()
        self._sound()

    def _sound(self) -> None:
        now = self.model.clock.now()
        session = self.model.sounding_session(now)
        if session is None:
            self.sound.scheduler.update(Session(""), now)  # nothing sounds: start afresh
            return
        self.sound.update(session, now)

    def _show(self, only: str | None = None) -> None:
        now = self.model.clock.now()
        for chair, view in self.tiles.items():
            if only is None or chair == only:
                view.setEnabled(True)
                view.show_tile(self.model.tile(chair, now))
        for viewer in self.viewers.values():
            if viewer.isVisible():
                viewer.show_now(now)

    def _on_tile_clicked(self, session_id: str) -> None:
        viewer = self.viewers.get(session_id)
        if viewer is None:
            session = self.model.sessions[session_id]
            chair = next((c for c, s in self.model.current.items() if s == session_id), "")
            title = self.tiles[chair].title.text() if chair in self.tiles else session_id
            viewer = SessionViewer(session, protocol_in_force(session, self.model.protocols),
                                   title)
            self.viewers[session_id] = viewer
            self.unwatch[session_id] = self.model.watch(session_id, viewer.apply)
            self.views.addTab(viewer, f"{title} · {self.tiles[chair].patient.text()}"
                              if chair in self.tiles else title)
        if self.views.isHidden():
            self._grid(2)
            self.views.show()
            half = max(1, self.split.width() // 2)
            self.split.setSizes([half, self.split.width() - half])
        self.views.setCurrentWidget(viewer)
        viewer.redraw(self.model.clock.now())

    def _on_view_close(self, index: int) -> None:
        viewer = self.views.widget(index)
        sid = next((k for k, v in self.viewers.items() if v is viewer), None)
        self.views.removeTab(index)
        if sid is not None:
            self.unwatch.pop(sid)()
            self.viewers.pop(sid).deleteLater()
        if self.views.count() == 0:
            self.views.hide()
            self._grid(4)

    def _on_problem(self, text: str) -> None:
        from PySide6.QtCore import Qt  # when a problem shows: not on the first paint
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # an error's text is no markup
        self.problem.setText(f"⚠ {one_line(text)}")
        self.problem.show()

    def shutdown(self) -> None:
        self._remove_handler()
        self.timer.stop()
        self.sound.stop()
        if self.listener is not None:
            self.listener.stop()
        for viewer in self.viewers.values():
            viewer.close()
        self.model.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)


def open_board(url: str, *, chairs: int, patient_label: str = "initials",
               clock: Clock | None = None, protocols: ProtocolSet | None = None,
               listen: bool = True) -> BoardWindow:
    """A board reading ``url`` as the board role (read-only)."""
    model = link.open_model(url, clock or SystemClock(), protocols or load_protocols(),
                            chairs=chairs, patient_label=patient_label)
    return BoardWindow(model, url, listen=listen)
