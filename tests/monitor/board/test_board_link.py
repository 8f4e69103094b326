"""The board's link, Qt-free: opened read-only on a clinic server only, joined again
after the server restarted, with the reads of the sessions recorded meanwhile."""

from __future__ import annotations

import pytest

from monitor.board.link import open_model, rejoin
from monitor.errors import StoreError
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING


def test_the_board_refuses_what_is_not_a_clinic_server(db_path, clock, protocols) -> None:
    Store(db_path).close()
    with pytest.raises(StoreError) as err:
        open_model(f"sqlite:///{db_path}", clock, protocols, chairs=2)
    assert "postgresql://ROLE@HOST/DB" in str(err.value) and str(db_path) in str(err.value)
    writer = Store(db_path)  # nothing of the board holds the file
    writer.close()


def test_the_board_rejoins_a_restarted_server_and_reads_what_it_missed(
        pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    url = pg_server.url(BOARD, clinic_url)
    model = open_model(url, clock, protocols, chairs=2)
    assert model.location == url  # for the status line (a password would be ***)
    rejoin(model)
    assert model.current == {}
    pg_server.stop()
    try:
        with pytest.raises(StoreError):
            rejoin(model)  # the server stays away: the caller says so
    finally:
        pg_server.start()
    log = PgLog(pg_server.url(chair_role(2), clinic_url), spool=tmp_path / "spool.db")
    rec = Recorder.open_new(log, clock, protocols, dict(OPENING), session_id="meanwhile")
    rejoin(model)  # the board's connection from before the restart fails once
    assert model.current == {chair_role(2): "meanwhile"}
    assert len(model.sessions["meanwhile"].events) == len(rec.session.events)
    log.close()
    model.close()
