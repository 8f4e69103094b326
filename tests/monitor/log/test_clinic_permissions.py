"""What the clinic server lets a chair and the board do, tried as those roles on a
real PostgreSQL (``clinic init`` made the roles, policies and triggers)."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest

from monitor.errors import StoreError
from monitor.log.eventlog import EventLog, open_log
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.model.events import EventKind

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHAIR1, CHAIR2 = chair_role(1), chair_role(2)


@pytest.fixture
def urls(pg_server, clinic_url):
    return lambda role: pg_server.url(role, clinic_url)


def _note(log: EventLog, sid: str, text: str = "n") -> None:
    log.append(sid, EventKind.NOTE, {"text": text}, author="RN", observed_at=T0,
               recorded_at=T0)


def _sql(url: str, sql: str, args: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, args)
        return cur.fetchall() if cur.description else []


def test_opened_by_url_as_an_event_log(urls, tmp_path) -> None:
    with open_log(urls(CHAIR1), spool=tmp_path / "spool.db") as log:
        assert isinstance(log, PgLog) and isinstance(log, EventLog)
        _note(log, "S1", "a")
        _note(log, "S1", "b")
        assert [e.seq for e in log.events("S1")] == [1, 2]
        assert log.owner("S1") == log.writer == CHAIR1
        assert log.verify() == (1, 2)
        assert _sql(urls(CHAIR1), "SHOW synchronous_commit") == [("on",)]


@pytest.mark.parametrize("sql", [
    "UPDATE events SET payload = '{\"text\":\"x\"}'",
    "DELETE FROM events",
    "TRUNCATE events",
    "ALTER TABLE events DISABLE TRIGGER events_chain",
    "ALTER TABLE events DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
    "DROP TRIGGER events_no_update ON events",
    "ALTER TABLE events DISABLE ROW LEVEL SECURITY",
    "CREATE TABLE mine (x int)",
])
def test_a_chair_cannot_change_remove_or_disable(urls, tmp_path, sql) -> None:
    with open_log(urls(CHAIR1), spool=tmp_path / "spool.db") as log:
        _note(log, "S1")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(urls(CHAIR1), sql)
    assert _sql(urls(CHAIR1), "SELECT count(*) FROM events") == [(1,)]


def test_even_the_owner_role_cannot_update_delete_or_truncate(pg_server, clinic_url,
                                                              urls, tmp_path) -> None:
    with open_log(urls(CHAIR1), spool=tmp_path / "spool.db") as log:
        _note(log, "S1")
    admin = pg_server.url(database=clinic_url)
    for sql in ("UPDATE events SET author = 'X'", "DELETE FROM events", "TRUNCATE events"):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("SET ROLE km_owner")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(sql)


def test_a_chair_cannot_write_as_another_chair(urls, tmp_path) -> None:
    with open_log(urls(CHAIR1), spool=tmp_path / "one.db") as log:
        _note(log, "S1")
        head = log.events("S1")[-1]
    two = urls(CHAIR2)
    # naming another chair in the row: no privilege on the column at all
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(two, "INSERT INTO events (session_id, seq, kind, observed_at, recorded_at, author,"
                  " source, payload, prev_hash, hash, chair) SELECT session_id, 2, kind, "
                  "observed_at, recorded_at, author, source, payload, hash, hash, %s "
                  "FROM events LIMIT 0", (CHAIR1,))
    # continuing chair 1's session with a correct chain: refused by the server
    forged = head._replace(seq=2, prev_hash=head.hash)
    forged = forged._replace(hash=forged.compute_hash())
    with open_log(two, spool=tmp_path / "two.db") as log2:
        assert log2.events("S1") == []  # row-level security: chair 2 sees nothing of it
        with pytest.raises(StoreError, match="not one of this chair's sessions") as refused:
            log2._insert([forged])
        assert CHAIR1 not in str(refused.value)  # the owner of a guessed id is not named
    assert _sql(urls(BOARD), "SELECT count(*) FROM events") == [(1,)]


@pytest.mark.parametrize("change", ["hash", "prev_hash", "seq", "payload"])
def test_the_server_refuses_a_broken_chain(urls, tmp_path, change) -> None:
    with open_log(urls(CHAIR1), spool=tmp_path / "spool.db") as log:
        _note(log, "S1")
        head = log.events("S1")[-1]
        good = head._replace(seq=2, prev_hash=head.hash, payload={"text": "next"})
        good = good._replace(hash=good.compute_hash())
        bad = {"hash": good._replace(hash="f" * 64),
               "prev_hash": good._replace(prev_hash="0" * 64),
               "seq": good._replace(seq=3),
               "payload": good._replace(payload={"text": "changed"})}[change]
        with pytest.raises(StoreError, match="refused"):
            log._insert([bad])
        log._insert([good])  # the correct continuation goes in
        assert [e.seq for e in log.events("S1")] == [1, 2]


def test_the_board_only_reads(urls, tmp_path) -> None:
    with open_log(urls(CHAIR1), spool=tmp_path / "spool.db") as log:
        _note(log, "S1")
    with open_log(urls(BOARD), readonly=True) as board:
        assert [e.seq for e in board.events("S1")] == [1]
        with pytest.raises(StoreError, match="read-only"):
            _note(board, "S2")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(urls(BOARD), "INSERT INTO events (session_id, seq, kind, observed_at, recorded_at,"
                          " author, source, payload, prev_hash, hash) VALUES "
                          "('B',1,'note_added','','','','','{}','','')")


def test_a_password_in_the_url_is_refused_without_echoing_it(urls) -> None:
    url = urls(CHAIR1).replace("@", ":secret123@")
    with pytest.raises(StoreError, match="pgpass") as err:
        open_log(url)
    assert "secret123" not in str(err.value)
