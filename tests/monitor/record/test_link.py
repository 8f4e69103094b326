"""The clinic server's link is kept by the service's tick, with no window at all: what a
chair spooled while the server was away reaches it from the tick alone, the tick never
waits on a server that does not answer, and a file log has no link to keep."""

from __future__ import annotations

import socket
import time
from contextlib import closing

import pytest

from monitor.log.eventlog import open_log
from monitor.log.postgres.log import RETRY_SECONDS, PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.log.sqlite.store import Store
from monitor.record.service import Service
from tests.conftest import OPENING, baseline_vitals

SPOOLED = "recording on this computer"


class Ticks:
    """An injected monotonic clock for the reconnect back-off."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _on_server(pg_server, clinic_url: str, sid: str) -> int:
    with open_log(pg_server.url(BOARD, clinic_url), readonly=True) as board:
        return len(board.events(sid))


def test_a_file_log_has_no_link_to_keep(db_path, clock, protocols) -> None:
    service = Service(Store(db_path), clock, protocols)
    rec = service.open_new(dict(OPENING))
    baseline_vitals(rec)
    assert service.tick() == "" and service.link_text() == ""
    service.close()


@pytest.mark.hazard("H-285")
def test_the_service_tick_uploads_the_spool_with_no_window(
        pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    ticks = Ticks()
    log = PgLog(pg_server.url(chair_role(1), clinic_url), spool=tmp_path / "spool.db",
                monotonic=ticks)
    service = Service(log, clock, protocols)
    rec = service.open_new(dict(OPENING))
    sid = rec.session.session_id
    baseline_vitals(rec)
    assert service.tick() == ""
    pg_server.stop()
    try:
        clock.advance(60)
        rec.record_vitals({"sbp": "124", "dbp": "80", "hr": "88", "spo2": "97", "rr": "14"},
                          "RN7")  # into the spool: the nurse re-enters nothing
        assert SPOOLED in service.link_text()
    finally:
        pg_server.start()
    recorded = len(rec.session.events)
    # The server is back but nobody asked it yet: the entry is on this computer only.
    assert _on_server(pg_server, clinic_url, sid) < recorded
    assert SPOOLED in service.link_text()
    ticks.t += RETRY_SECONDS + 1
    assert SPOOLED in service.tick()  # the attempt runs on a thread of the log's own
    log.settle()
    assert service.tick() == ""  # the next tick takes the connection up and uploads
    assert service.link_text() == ""
    assert _on_server(pg_server, clinic_url, sid) == recorded
    service.close()


@pytest.mark.hazard("H-286")
def test_the_service_tick_never_waits_on_a_server_that_does_not_answer(
        pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    ticks = Ticks()
    log = PgLog(pg_server.url(chair_role(1), clinic_url), spool=tmp_path / "spool.db",
                monotonic=ticks)
    service = Service(log, clock, protocols)
    rec = service.open_new(dict(OPENING))
    pg_server.stop()
    try:
        baseline_vitals(rec)  # into the spool
        # The server's port answers the handshake and then nothing (a hung server or a
        # dead network): a connection attempt waits its full timeout there.
        with closing(socket.socket()) as silent:
            silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            silent.bind(("127.0.0.1", pg_server.port))
            silent.listen(8)
            ticks.t += RETRY_SECONDS + 1
            slowest = 0.0
            for _ in range(5):
                began = time.monotonic()
                text = service.tick()
                slowest = max(slowest, time.monotonic() - began)
                assert SPOOLED in text
            assert slowest < 0.5, f"a tick waited {slowest:.2f} s on the server"
            log.settle()  # the attempt gives up after its connect timeout
        assert SPOOLED in service.tick()
    finally:
        pg_server.start()
    ticks.t += 2 * RETRY_SECONDS + 2
    service.tick()
    log.settle()
    assert service.tick() == ""
    assert _on_server(pg_server, clinic_url, rec.session.session_id) == len(
        rec.session.events)
    service.close()
