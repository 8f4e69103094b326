"""Shared fixtures. No test touches a user's real database, settings or logs."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

# Before any QApplication can exist.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from monitor.app.simulator import CHECKLIST as CHECKLIST_DONE
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder

# Traces tests to the hazard log (docs/safety/): unknown ids stop the run; with
# KM_HAZARD_RESULTS set, passing hazard tests are recorded for tests.safety.check.
pytest_plugins = ["tests.safety.plugin"]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        (home / sub).mkdir(parents=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("KETAMINE_MONITOR_DB", str(tmp_path / "default.db"))
    return home


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "sessions.db"


@pytest.fixture
def backend() -> str:
    """The event-log backend under test; store test modules parametrize it over both
    (see ``both_backends``)."""
    return "sqlite"


@pytest.fixture
def open_store(backend: str, db_path: Path, request: pytest.FixtureRequest):
    """Opens (and reopens) the log under test: the SQLite file, or a chair's clinic
    database on the real PostgreSQL server."""
    if backend == "sqlite":
        return lambda: Store(db_path)
    from monitor.log.postgres.log import PgLog

    server = request.getfixturevalue("pg_server")
    url = server.url("km_chair_1", request.getfixturevalue("clinic_url"))
    return lambda: PgLog(url, spool=db_path.with_suffix(".spool.db"))


@pytest.fixture
def store(open_store):
    s = open_store()
    yield s
    s.close()


def both_backends(metafunc: pytest.Metafunc) -> None:
    """``pytest_generate_tests`` of the store test modules: every test that uses the
    store runs on SQLite and on PostgreSQL, except those about SQLite's own file
    (marked ``sqlite_only``; the server's counterparts are the clinic tests)."""
    if ("store" in metafunc.fixturenames
            and not metafunc.definition.get_closest_marker("sqlite_only")):
        metafunc.parametrize("backend", ["sqlite", "postgresql"])


@pytest.fixture
def protocols():
    return load_protocols()


OPENING = {"patient_id": "MRN-0042", "display_name": "Jane Doe", "weight_kg": "70",
           "indication": "CRPS", "protocol": "chronic-pain-iv", "nurse_id": "RN7"}


@pytest.fixture
def recorder(store: Store, clock: ManualClock, protocols) -> Recorder:
    return Recorder.open_new(store, clock, protocols, dict(OPENING))


def baseline_vitals(rec: Recorder, **over: object) -> None:
    fields = {"sbp": "128", "dbp": "82", "hr": "72", "spo2": "98", "rr": "14", "temp": "36.8"}
    fields.update({k: str(v) for k, v in over.items()})
    rec.record_vitals(fields, "RN7")
    rec.record_assessment({"moaas": 5, "acvpu": "A", "pain": 7}, "RN7")
    rec.record_checklist("RN7", CHECKLIST_DONE)


def started(rec: Recorder, **baseline: object) -> Recorder:
    """A baseline set (128/82 …, MOAA/S 5, A; fields overridable), then the infusion
    started at 0.35 mg/kg/h by RN7."""
    baseline_vitals(rec, **baseline)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    return rec


@pytest.fixture
def infusing(recorder: Recorder) -> Recorder:
    return started(recorder)


# A prescriber's decision to discharge before every criterion is met (CLINICAL §7).
PRESCRIBED = {"override": "prescriber", "prescriber": "Dr Okafor",
              "override_reason": "reviewed at the bedside, stable, may go home"}


def discharge_confirmed(rec: Recorder, checklist: dict[str, Any]):
    """Discharge as the nurse does who reads the list of unmet items and confirms it."""
    from monitor.errors import ConfirmationNeeded
    try:
        return rec.discharge("RN7", checklist)
    except ConfirmationNeeded as asked:
        return asked.retry()


def export_text(path: Path) -> str:
    """The text of an export file as an independent reader sees it (pypdf for PDF)."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader
        return "\n".join(p.extract_text() for p in PdfReader(path).pages)
    if path.suffix == ".vital":  # gzip of binary packets: search its strings as bytes
        import gzip
        return gzip.decompress(path.read_bytes()).decode("latin-1")
    return path.read_text("utf-8-sig")


def export_file(db: Path, session: str, fmt: str, out: Path, **kw: Any) -> Path:
    """Export a session of the database file ``db`` as the command line does."""
    from monitor.export import export_session
    from monitor.log.eventlog import open_log
    with open_log(db, readonly=True) as log:
        return export_session(log, session, fmt, out, **kw)


# -- clinic mode: a real PostgreSQL server ------------------------------------
CLINIC_CHAIRS = 8


@pytest.fixture(scope="session")
def pg_server():
    """One real server for the whole run (initdb + pg_ctl as a non-root user, ≈1 s).
    Under CI a missing server fails the run instead of skipping these tests."""
    from tests.support.pg_server import PgServer, require_binaries

    require_binaries()
    server = PgServer()
    os.environ["PGPASSFILE"] = str(server.pgpass)
    from monitor.log.postgres.setup import init_clinic

    handout = server.top / "handout.pgpass"
    init_clinic(server.url(), CLINIC_CHAIRS, handout)
    # The logins exist cluster-wide: let them into every test's fresh database.
    for line in handout.read_text().splitlines():
        _host, _port, _db, role, password = line.split(":", 4)
        server.add_password(role, password)
    yield server
    server.close()


_clinic_count = 0


@pytest.fixture
def clinic_url(pg_server) -> str:
    """A fresh clinic database (``clinic init``); chairs log in with ``url(role)``."""
    global _clinic_count
    from monitor.log.postgres.setup import init_clinic

    _clinic_count += 1
    name = f"clinic_t{_clinic_count}"
    admin = pg_server.fresh_database(name)
    init_clinic(admin, CLINIC_CHAIRS, None)
    return name
