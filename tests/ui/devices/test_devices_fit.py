"""The devices dialog's table fits the dialog at the ward's screen sizes (issue 23):
no sideways scrolling, every header and every cell whole, long cells wrapped."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QTableWidget

from monitor.devices.messages import pcd01_message
from monitor.devices.sender import MllpSender
from tests.support.window import CLIENT, at_screen, click
from ui.devices.device_panel import COLUMNS, NO_DATA_AFTER_S

WRAPPED = ("Patient (PID-3)", "Session")  # the columns whose words may wrap
DEVICES = (("00DE0000000000B1", "MRN-0042", "INF^^3"), ("0011223344556677", "HED12", "ICU^^7"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def whole(table: QTableWidget) -> list[str]:
    """What does not fit: a header, or a cell's text in its column (one line, or wrapped
    within its row's height for the stretching columns)."""
    problems = []
    header = table.horizontalHeader()
    if header.length() > table.viewport().width():
        problems.append(f"table {header.length()} px in {table.viewport().width()} px")
    for col, name in enumerate(COLUMNS):
        width = table.columnWidth(col)
        if header.sectionSizeFromContents(col).width() > width:
            problems.append(f"header {name!r}")
        for row in range(table.rowCount()):
            text = table.item(row, col).text()
            metrics = table.fontMetrics()
            if name in WRAPPED:
                words = max(metrics.horizontalAdvance(w) for w in text.split())
                box = metrics.boundingRect(QRect(0, 0, width - 8, 10_000),
                                           Qt.TextFlag.TextWordWrap, text)
                if words > width - 8 or box.height() > table.rowHeight(row):
                    problems.append(f"{name} {text!r}")
            elif metrics.horizontalAdvance(text) > width - 6:
                problems.append(f"{name} {text!r}")
    return problems


@pytest.mark.hazard("H-253")
@pytest.mark.parametrize("screen", list(CLIENT))
def test_the_devices_table_fits_without_scrolling(qtbot, themed, bedside, clock, screen):
    window, _page, rec = bedside
    at_screen(qtbot, window, screen)
    click(qtbot, window.devices_button)
    panel = window.device_panel
    assert panel.isVisible() and panel.width() <= window.width()
    panel.port.setValue(free_port())
    click(qtbot, panel.listen_button)

    def send(device: str, patient: str, bed: str):
        with MllpSender("127.0.0.1", panel.port.value()) as sender:
            return sender.send(pcd01_message(device, "S1", clock.now(), {150456: 97},
                                             patient_id=patient, bed=bed))

    with ThreadPoolExecutor(1) as pool:
        for device, patient, bed in DEVICES:
            future = pool.submit(send, device, patient, bed)
            qtbot.waitUntil(future.done, timeout=10000)
            assert future.result().code == "AA"
    panel.refresh()
    assert panel.table.rowCount() == 2
    # The first bound, then silent: its session cell is the longest the table shows.
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.table.visualItemRect(panel.table.item(0, 0)).center())
    click(qtbot, panel.bind_button)
    clock.advance(NO_DATA_AFTER_S + 15)
    panel.refresh()
    QApplication.processEvents()
    session = panel.table.item(0, COLUMNS.index("Session")).text()
    assert session == f"{rec.session.session_id} — no data for {NO_DATA_AFTER_S + 15} s"
    assert whole(panel.table) == []
    assert panel.table.horizontalScrollBar().maximum() == 0
    for row in range(2):
        cells = [panel.table.visualItemRect(panel.table.item(row, c)) for c in range(len(COLUMNS))]
        assert all(panel.table.viewport().rect().contains(r) for r in cells), row
    panel.shutdown()
