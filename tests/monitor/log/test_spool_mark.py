"""A chair's spool carries a mark naming its chair and server. A bedside database given
as the spool (by KETAMINE_MONITOR_SPOOL or a symbolic link) is refused before anything
of it reaches the clinic server; so is another chair's spool."""

from __future__ import annotations

import pytest

from monitor.errors import StoreError
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import chair_role
from monitor.log.postgres.spool import MARK_SUFFIX
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals


def _server_sessions(pg_server, clinic_url) -> set[str]:
    with PgLog(pg_server.url("km_board", clinic_url), readonly=True) as board:
        return set(board.session_ids())


def _bedside_db(path, clock, protocols) -> str:
    """A bedside database with one session of its own (never on the server)."""
    with Store(path) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING, patient_id="LOCAL-1"))
        baseline_vitals(rec)
        return rec.session.session_id


@pytest.mark.hazard("H-349")
@pytest.mark.parametrize("how", ["env", "symlink"])
def test_a_bedside_database_given_as_the_spool_is_refused_and_nothing_uploads(
        pg_server, clinic_url, tmp_path, clock, protocols, monkeypatch, how) -> None:
    bedside = tmp_path / "sessions.db"
    sid = _bedside_db(bedside, clock, protocols)
    url = pg_server.url(chair_role(1), clinic_url)
    if how == "env":
        monkeypatch.setenv("KETAMINE_MONITOR_SPOOL", str(bedside))
        spool = None
    else:
        spool = tmp_path / "spool.db"
        spool.symlink_to(bedside)
    with pytest.raises(StoreError, match=r"Cannot use .* as this chair's spool: it holds 1 "
                                         r"session\(s\) the clinic server does not have"):
        PgLog(url, spool=spool)
    assert sid not in _server_sessions(pg_server, clinic_url)
    assert not (tmp_path / ("sessions.db" + MARK_SUFFIX)).exists()
    with Store(bedside, readonly=True) as store:  # the bedside file is as it was
        assert store.session_ids() == [sid]


@pytest.mark.hazard("H-349")
def test_a_spool_is_marked_for_its_chair_and_another_chair_cannot_take_it(
        pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    spool = tmp_path / "spool.db"
    one = pg_server.url(chair_role(1), clinic_url)
    with PgLog(one, spool=spool) as log:
        rec = Recorder.open_new(log, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
    mark = spool.with_name(spool.name + MARK_SUFFIX)
    assert mark.read_text().strip().startswith(chair_role(1) + "@")
    with PgLog(one, spool=spool):  # its own chair reopens it
        pass
    with pytest.raises(StoreError, match=f"it is the spool of {chair_role(1)}@.*, not of "
                                         f"{chair_role(2)}@"):
        PgLog(pg_server.url(chair_role(2), clinic_url), spool=spool)


@pytest.mark.hazard("H-349")
def test_a_spool_from_before_marks_is_taken_when_the_server_has_its_sessions(
        pg_server, clinic_url, tmp_path, clock, protocols) -> None:
    spool = tmp_path / "spool.db"
    url = pg_server.url(chair_role(1), clinic_url)
    with PgLog(url, spool=spool) as log:
        rec = Recorder.open_new(log, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        sid = rec.session.session_id
    mark = spool.with_name(spool.name + MARK_SUFFIX)
    mark.unlink()  # as a spool written before marks
    with PgLog(url, spool=spool) as again:
        assert sid in again.session_ids()
    assert mark.is_file()
