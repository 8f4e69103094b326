"""The bedside window recording into the clinic server: when the server goes away
the header says the chair records locally, the nurse types on, and nothing is
lost once the server is back."""

from __future__ import annotations

from monitor.log.eventlog import open_log
from monitor.log.postgres.log import RETRY_SECONDS, PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import make_window, type_into


def test_header_says_when_the_chair_records_into_its_spool(qtbot, pg_server, clinic_url,
                                                           tmp_path, clock, protocols) -> None:
    ticks = [0.0]
    log = PgLog(pg_server.url(chair_role(1), clinic_url), spool=tmp_path / "spool.db",
                monotonic=lambda: ticks[0])
    window = make_window(qtbot, log, clock, protocols)
    rec = Recorder.open_new(log, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    page = window.open_session(rec)
    sid = rec.session.session_id
    link = page.header.link

    def enter_hr(value: str) -> None:
        clock.advance(30)
        type_into(qtbot, page.vitals.edits["hr"], value, enter=True)

    enter_hr("71")
    assert link.text() == ""
    pg_server.stop()
    try:
        enter_hr("72")
        qtbot.waitUntil(lambda: "recording on this computer" in link.text(), timeout=3_000)
        assert link.isVisible()
        enter_hr("73")
    finally:
        pg_server.start()
    ticks[0] += RETRY_SECONDS + 1
    enter_hr("74")
    qtbot.waitUntil(lambda: link.text() == "", timeout=3_000)
    with open_log(pg_server.url(BOARD, clinic_url), readonly=True) as board:
        on_server = board.events(sid)
    hrs = [e.payload["hr"] for e in on_server if e.kind == "vitals_recorded"]
    assert hrs[-4:] == [71, 72, 73, 74]
    assert [e.hash for e in on_server] == [e.hash for e in rec.session.events]
    window.shutdown()
    log.close()
