"""The header shows the clinic server's link as it is told; the window keeps the link
from its own tick, with no session (and no header) on screen."""

from __future__ import annotations

import pytest

from monitor.log.eventlog import open_log
from monitor.log.postgres.log import RETRY_SECONDS, PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import make_window
from ui.session.header import HeaderView

UNREACHABLE = "Clinic server unreachable: recording on this computer; uploads when it returns"


def test_a_header_given_a_text_shows_it(qtbot, db_path, clock, protocols) -> None:
    store = Store(db_path)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    header = HeaderView(rec)
    qtbot.addWidget(header)
    qtbot.addWidget(header.due_widget)  # the page puts it in the banner's row
    header.refresh(rec.last_evaluation)
    header.due_widget.show()
    header.show_link(UNREACHABLE)
    assert header.link.text() == UNREACHABLE and header.link.isVisible()
    header.refresh(rec.last_evaluation)  # a repaint keeps what it was told
    assert header.link.text() == UNREACHABLE and header.link.isVisible()
    header.show_link("")
    assert header.link.isHidden()
    store.close()


@pytest.mark.hazard("H-285")
def test_the_window_uploads_the_spool_with_no_session_shown(
        qtbot, pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    ticks = [0.0]
    log = PgLog(pg_server.url(chair_role(1), clinic_url), spool=tmp_path / "spool.db",
                monotonic=lambda: ticks[0])
    window = make_window(qtbot, log, clock, protocols)
    rec = window.service.open_new(dict(OPENING))  # e.g. a session left for the list
    sid = rec.session.session_id
    baseline_vitals(rec)
    pg_server.stop()
    try:
        clock.advance(60)
        rec.record_vitals({"sbp": "124", "dbp": "80", "hr": "88", "spo2": "97", "rr": "14"},
                          "RN7")  # into the spool
        assert "recording on this computer" in window.service.link_text()
    finally:
        pg_server.start()
    ticks[0] += RETRY_SECONDS + 1
    # Nothing is typed and no session page exists: only the window's timer asks.
    qtbot.waitUntil(lambda: window.service.link_text() == "", timeout=5_000)
    assert window.page is None
    with open_log(pg_server.url(BOARD, clinic_url), readonly=True) as board:
        assert [e.hash for e in board.events(sid)] == [e.hash for e in rec.session.events]
    window.shutdown()
    log.close()


class _FailingLink(Store):
    """A SQLite log standing in for a clinic log whose network layer fails at every
    keep-alive (the recording itself goes to the file)."""

    def keep_link(self) -> str:
        raise OSError("network is unreachable")

    def status(self) -> str:
        return UNREACHABLE


@pytest.mark.hazard("H-288")
def test_a_failing_link_never_holds_up_the_rules_tick(qtbot, db_path, clock,
                                                       protocols) -> None:
    log = _FailingLink(db_path)
    # Every tick of the window's timer raises at the link: collected here, not lost.
    with qtbot.capture_exceptions() as raised:
        window = make_window(qtbot, log, clock, protocols)
        rec = window.service.open_new(dict(OPENING))
        baseline_vitals(rec)
        rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
        page = window.open_session(rec)
        assert page.header.link.text() == UNREACHABLE
        dose, due = page.header.dose, page.header.next_due
        before = (dose.text(), due.text())
        assert before[0].startswith("0.0 mg") and "in 10 min" in before[1], before
        clock.advance(120)
        # Only the window's one-second timer ticks: dose and countdown move all the same.
        qtbot.waitUntil(lambda: (dose.text(), due.text()) != before, timeout=3_000)
        assert not dose.text().startswith("0.0 mg") and "in 8 min" in due.text()
        qtbot.waitUntil(lambda: bool(raised), timeout=3_000)
        window.shutdown()
    assert all(isinstance(exc, OSError) for _type, exc, _tb in raised)
    assert page.header.link.text() == UNREACHABLE
    log.close()
