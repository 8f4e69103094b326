"""The clinic server under attack (issue 25, points 2 to 6 and 9), each attack tried
as the login that would try it, against a real PostgreSQL started by the tests."""

from __future__ import annotations

import os
import socket
import time

import psycopg
import pytest

from monitor.app.cli import main
from monitor.clock import ManualClock
from monitor.errors import StoreError, StoreLockedError
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, BOARD_CONNECTIONS, CHAIR_CONNECTIONS, chair_role
from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind, chain_events, first_broken
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals

CHAIR1, CHAIR2 = chair_role(1), chair_role(2)


@pytest.fixture
def urls(pg_server, clinic_url):
    return lambda role=None: (pg_server.url(role, clinic_url) if role
                              else pg_server.url(database=clinic_url))


def _note(log: PgLog, sid: str, text: str = "n") -> None:
    log.append(sid, EventKind.NOTE, {"text": text}, author="RN", observed_at=T0,
               recorded_at=T0)


def _terminate(admin_url: str, log: PgLog) -> None:
    """The server ends the chair's connection (a network cut, as the server sees it)."""
    pid = log._conn.info.backend_pid  # type: ignore[union-attr]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


# -- 2. one chair login on two computers ----------------------------------------
@pytest.mark.hazard("H-190")
def test_attack_one_chair_on_two_computers_the_second_is_refused_naming_the_first(
        urls, tmp_path) -> None:
    first = PgLog(urls(CHAIR1), spool=tmp_path / "a.db")
    try:
        _note(first, "S1")
        with pytest.raises(StoreLockedError) as refused:
            PgLog(urls(CHAIR1), spool=tmp_path / "b.db")  # another computer's spool
        text = str(refused.value)
        assert CHAIR1 in text and socket.gethostname() in text
        assert f"process {os.getpid()}" in text and "since" in text and "UTC" in text
        # a hand-made connection of the same login cannot write past the lease either
        head = first.events("S1")[-1]
        forged = head._replace(seq=2, prev_hash=head.hash, payload={"text": "forged"})
        forged = forged._replace(hash=forged.compute_hash())
        with psycopg.connect(urls(CHAIR1), autocommit=True) as raw, \
                pytest.raises(psycopg.errors.InsufficientPrivilege, match="writer lease"):
            raw.execute("INSERT INTO events (session_id, seq, kind, observed_at, recorded_at,"
                        " author, source, payload, prev_hash, hash) VALUES "
                        "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                        (forged.session_id, 2, str(forged.kind), forged.observed_at.isoformat(),
                         forged.recorded_at.isoformat(), forged.author, forged.source,
                         '{"text":"forged"}', forged.prev_hash, forged.hash))
    finally:
        first.close()
    with PgLog(urls(CHAIR1), spool=tmp_path / "b.db") as second:  # closed: it may now
        _note(second, "S1", "second")
        assert [e.seq for e in second.events("S1")] == [1, 2]


@pytest.mark.hazard("H-190")
def test_attack_second_computer_takes_over_while_the_first_is_away_first_keeps_its_spool(
        urls, tmp_path) -> None:
    first = PgLog(urls(CHAIR1), spool=tmp_path / "a.db")
    try:
        _note(first, "S1", "one")
        _terminate(urls(), first)  # its link is gone; the lease goes with the connection
        with PgLog(urls(CHAIR1), spool=tmp_path / "b.db") as second:
            _note(second, "S2", "from the second computer")
            _note(first, "S1", "two, while away")  # spooled: never "Saved" on the server
            assert first.offline
            assert not first.reconnect(force=True)
            assert "already recording on" in first.status()
            assert "two, while away" in [e.payload["text"] for e in first.events("S1")]
        assert first.reconnect(force=True)  # the second closed: the first uploads
        assert first.status() == ""
        texts = [e.payload["text"] for e in first.events("S1")]
        assert texts == ["one", "two, while away"]
        assert first.verify() == (2, 3)
    finally:
        first.close()


@pytest.mark.hazard("H-199")
def test_attack_gapped_memory_never_fills_a_spool(urls, tmp_path) -> None:
    first = PgLog(urls(CHAIR1), spool=tmp_path / "a.db")
    try:
        _note(first, "S1", "one")
        _note(first, "S1", "two")
        _terminate(urls(), first)
        first.session_ids()  # it notices the link is gone
        with PgLog(urls(CHAIR1), spool=tmp_path / "b.db") as second:
            _note(second, "S1", "three, from elsewhere")
        assert first.reconnect(force=True)
        # Its copy holds 1-2; the server is at 3. The server is lost at the commit
        # of event 4: the spool must not be filled with 1, 2, 4.
        with (pytest.raises(StoreError, match=r"Not saved.*gap") as refused,
              first.transaction()):
            _note(first, "S1", "four")
            _terminate(urls(), first)
        assert "event 4 does not follow event 2" in str(refused.value)
    finally:
        first.close()
    with Store(tmp_path / "a.db", readonly=True) as spool:
        assert spool.events("S1") == []
    with PgLog(urls(BOARD), readonly=True) as board:
        on_server = board.events("S1")
    assert [e.payload["text"] for e in on_server] == ["one", "two", "three, from elsewhere"]


@pytest.mark.hazard("H-199")
def test_a_copy_with_a_gap_is_read_again_before_it_can_fill_a_spool(
        pg_server, urls, tmp_path) -> None:
    first = PgLog(urls(CHAIR1), spool=tmp_path / "a.db")
    try:
        _note(first, "S1", "one")
        _terminate(urls(), first)
        first.session_ids()
        with PgLog(urls(CHAIR1), spool=tmp_path / "b.db") as second:
            _note(second, "S1", "two, from elsewhere")
        assert first.reconnect(force=True)
        _note(first, "S1", "three")  # committed after a gap in its copy: read again
        pg_server.stop()
        try:
            _note(first, "S1", "four, while away")
        finally:
            pg_server.start()
        assert first.offline
    finally:
        first.close()
    with Store(tmp_path / "a.db", readonly=True) as spool:
        kept = spool.events("S1")
    assert [e.seq for e in kept] == [1, 2, 3, 4] and first_broken(kept) is None


# -- 4. a lock anyone can take ---------------------------------------------------
def _recording_chair2(urls, tmp_path):
    log = PgLog(urls(CHAIR2), spool=tmp_path / "two.db")
    rec = Recorder.open_new(log, ManualClock(T0), _protocols(), dict(OPENING),
                            session_id="victim")
    baseline_vitals(rec)
    return log, rec


def _protocols():
    from monitor.clinical.protocols import load_protocols
    return load_protocols()


def _timed_vitals(rec: Recorder, sbp: int) -> float:
    began = time.monotonic()
    rec.record_vitals({"sbp": str(sbp), "dbp": "110", "hr": "80", "spo2": "97", "rr": "14"},
                      "RN7", confirmed=True)
    return time.monotonic() - began


@pytest.mark.hazard("H-192")
def test_attack_another_login_holding_the_old_advisory_key_does_not_slow_a_record(
        urls, tmp_path) -> None:
    log, rec = _recording_chair2(urls, tmp_path)
    holders = [psycopg.connect(urls(role), autocommit=True) for role in (CHAIR1, BOARD)]
    try:
        # the key the old code waited on: chair 1 takes and keeps it, the board tries
        holders[0].execute("SELECT pg_advisory_lock(hashtextextended('victim', 0))")
        assert holders[1].execute("SELECT pg_try_advisory_lock(hashtextextended('victim', 0))"
                                  ).fetchone() == (False,)
        # chair 1 names the session in an insert and leaves its transaction open
        chair1 = holders[0]
        chair1.autocommit = False
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            chair1.execute("INSERT INTO events (session_id, seq, kind, observed_at, recorded_at,"
                           " author, source, payload, prev_hash, hash) VALUES ('victim', 99, "
                           "'note_added', '', '', '', '', '{}', '', '')")
        assert CHAIR2 not in str(refused.value)
        assert _timed_vitals(rec, 190) < 1.0
        assert rec.session.latest("sbp")[1] == 190  # type: ignore[index]
    finally:
        for conn in holders:
            conn.close()
        log.close()


@pytest.mark.parametrize("attack", [
    "SELECT * FROM km_heads FOR UPDATE",
    "SELECT * FROM km_leases",
    "SELECT km_lock_head('victim')",
    "LOCK TABLE events IN SHARE MODE",
    "LOCK TABLE km_heads IN ACCESS EXCLUSIVE MODE",
])
@pytest.mark.hazard("H-192")
def test_attack_another_chair_cannot_lock_what_appends_wait_on(urls, tmp_path,
                                                              attack) -> None:
    log, rec = _recording_chair2(urls, tmp_path)
    try:
        with psycopg.connect(urls(CHAIR1)) as chair1:  # a transaction left open
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
                chair1.execute(attack)
            assert CHAIR2 not in str(refused.value)
            assert _timed_vitals(rec, 150) < 1.0
    finally:
        log.close()


@pytest.mark.hazard("H-192")
def test_a_lock_held_on_the_server_makes_record_say_not_saved_within_the_timeout(
        urls, tmp_path) -> None:
    log, rec = _recording_chair2(urls, tmp_path)
    before = len(rec.session.events)
    try:
        with psycopg.connect(urls()) as admin:  # only a superuser can hold this row
            admin.execute("SELECT * FROM km_heads WHERE session_id = 'victim' FOR UPDATE")
            began = time.monotonic()
            with pytest.raises(StoreError, match=r"Not saved.*did not answer in time"):
                _timed_vitals(rec, 190)
            assert time.monotonic() - began < 4.0  # lock timeout 2 s, never for ever
            assert not log.offline and len(rec.session.events) == before
        assert _timed_vitals(rec, 191) < 1.0  # released: the next record goes in
    finally:
        log.close()
    with PgLog(urls(BOARD), readonly=True) as board:
        events = board.events("victim")
    assert first_broken(events) is None
    assert [e.payload.get("sbp") for e in events if e.kind == "vitals_recorded"][-1] == 191


# -- 5. one chair takes every connection -------------------------------------------
@pytest.mark.hazard("H-193")
def test_attack_one_chair_takes_every_slot_the_board_and_other_chairs_still_connect(
        urls) -> None:
    taken: list[psycopg.Connection] = []
    try:
        with pytest.raises(psycopg.OperationalError, match="too many connections for role"):
            for _ in range(60):
                taken.append(psycopg.connect(urls(CHAIR1)))
        assert len(taken) == CHAIR_CONNECTIONS
        with psycopg.connect(urls(BOARD)) as board, psycopg.connect(urls(CHAIR2)) as two:
            assert board.execute("SELECT rolconnlimit FROM pg_roles WHERE rolname = %s",
                                 (BOARD,)).fetchone() == (BOARD_CONNECTIONS,)
            assert two.execute("SELECT 1").fetchone() == (1,)
    finally:
        for conn in taken:
            conn.close()


# -- 6. what a chair learns of the others ------------------------------------------
@pytest.mark.hazard("H-194")
def test_attack_a_listening_chair_learns_no_other_chairs_ids(urls, tmp_path) -> None:
    spy = psycopg.connect(urls(CHAIR1), autocommit=True)
    try:
        spy.execute("LISTEN km_events")
        with PgLog(urls(CHAIR2), spool=tmp_path / "two.db") as two:
            _note(two, "secret-session-of-chair-2")
            row_id = two._execute("SELECT max(id) FROM events").fetchone()[0]
        payloads = [n.payload for n in spy.notifies(timeout=2, stop_after=1)]
    finally:
        spy.close()
    assert payloads == [""]  # a bare wake-up
    for leak in (CHAIR2, "secret-session", str(row_id)):
        assert all(leak not in p for p in payloads)


@pytest.mark.hazard("H-194")
def test_attack_a_guessed_session_id_error_names_no_owner(urls, tmp_path) -> None:
    with PgLog(urls(CHAIR2), spool=tmp_path / "two.db") as two:
        _note(two, "guessed")
    with PgLog(urls(CHAIR1), spool=tmp_path / "one.db") as one:
        with pytest.raises(StoreError) as refused:
            _note(one, "guessed")
        assert "not one of this chair's sessions" in str(refused.value)
        assert CHAIR2 not in str(refused.value)
        # the same, straight into the table: the chain trigger names no owner either
        (forged,) = chain_events("guessed", (1, "0" * 64),
                                 [(EventKind.NOTE, {"text": "x"}, "RN", T0, "manual")], T0)
        with pytest.raises(StoreError) as refused:
            one._insert([forged])
        assert "not one of this chair's sessions" in str(refused.value)
        assert CHAIR2 not in str(refused.value)
        assert one.events("guessed") == []
        # the planner's statistics of the events table are hidden under row-level security
        with psycopg.connect(urls(), autocommit=True) as admin:
            admin.execute("ANALYZE events")
            assert admin.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'events'"
                                 ).fetchone()[0] > 0
        assert one._execute("SELECT count(*) FROM pg_stats WHERE tablename = 'events'"
                            ).fetchone() == (0,)


# -- 9. a same-named no-op trigger ---------------------------------------------------
NO_OPS = {
    "no-op function, same name": "CREATE OR REPLACE FUNCTION km_check_chain() RETURNS trigger "
                                 "LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
    "same-named trigger, other function": (
        "CREATE FUNCTION pass_all() RETURNS trigger LANGUAGE plpgsql AS "
        "$$BEGIN RETURN NEW; END$$; DROP TRIGGER events_chain ON events; "
        "CREATE TRIGGER events_chain BEFORE INSERT ON events FOR EACH ROW "
        "EXECUTE FUNCTION pass_all()"),
    "same-named trigger that never fires": (
        "DROP TRIGGER events_chain ON events; CREATE TRIGGER events_chain BEFORE INSERT ON "
        "events FOR EACH ROW WHEN (false) EXECUTE FUNCTION km_check_chain()"),
    "append-only trigger on UPDATE only": (
        "DROP TRIGGER events_no_update ON events; CREATE TRIGGER events_no_update BEFORE "
        "UPDATE ON events FOR EACH ROW EXECUTE FUNCTION km_refuse_change()"),
}


@pytest.mark.parametrize("attack", list(NO_OPS))
@pytest.mark.hazard("H-197")
def test_attack_same_named_no_op_trigger_fails_verify(urls, tmp_path, capsys,
                                                      attack) -> None:
    with PgLog(urls(CHAIR1), spool=tmp_path / "one.db") as one:
        _note(one, "S1")
    assert main(["verify", "--db", urls(BOARD)]) == 0
    capsys.readouterr()
    with psycopg.connect(urls(), autocommit=True) as admin:
        admin.execute(NO_OPS[attack])
    assert main(["verify", "--db", urls(BOARD)]) == 1
    err = capsys.readouterr().err
    trigger = "events_no_update" if "UPDATE only" in attack else "events_chain"
    assert trigger in err and "not the clinic's" in err, err


# -- 3. a chair's own unreadable rows ------------------------------------------------
@pytest.mark.hazard("H-191")
def test_attack_a_chair_writing_unreadable_rows_blanks_only_its_own_tile(urls,
                                                                         tmp_path) -> None:
    from monitor.board.chairs import BoardModel
    with PgLog(urls(CHAIR2), spool=tmp_path / "two.db") as two:
        rec = Recorder.open_new(two, ManualClock(T0), _protocols(), dict(OPENING),
                                session_id="fine2")
        _timed_vitals(rec, 190)
    with PgLog(urls(CHAIR1), spool=tmp_path / "one.db") as one:  # a valid chain, odd content
        one.append("odd1", EventKind.SESSION_OPENED, ["not", "an", "opening"],  # type: ignore[arg-type]
                   author="RN", observed_at=T0, recorded_at=T0)
    board = BoardModel(PgLog(urls(BOARD), readonly=True), ManualClock(T0), _protocols(),
                       chairs=3)
    try:
        board.resync()
        board.connected |= {CHAIR1, CHAIR2}
        odd, fine = board.tile(CHAIR1, T0), board.tile(CHAIR2, T0)
        assert not odd.live and "cannot read" in odd.no_data
        assert fine.live and fine.alarm_priority and fine.session_id == "fine2"
    finally:
        board.log.close()
