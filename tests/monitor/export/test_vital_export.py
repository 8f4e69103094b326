"""The .vital export read back with the ``vitaldb`` package, track by track and
value by value, with times checked in the file's time zone."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import vitaldb

from monitor.app.cli import main
from monitor.app.course_demo import OPENED, build_course
from monitor.log.sqlite.store import Store
from monitor.model.session import fold

DEV = "KetamineMonitor/"

# The pre-infusion checklist in the window's words and order (the log and .vital alike).
CHECKLIST_TEXT = ("checklist: Fasting as instructed yes, Contraindications asked yes, Pregnant "
                  "no, Psychosis no, Raised intracranial pressure no, Uncontrolled hypertension "
                  "no, Concomitant benzodiazepines no, Concomitant opioids no, Concomitant "
                  "gabapentinoids no, Alcohol today no, Concomitant psychostimulants no, "
                  "Concomitant MAOIs no, Escort arranged yes")


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch):
    """Local time of the exporting machine: New York (UTC-5 in March 2026, before DST)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def course_db(tmp_path: Path) -> tuple[Path, list[str]]:
    db = tmp_path / "series.db"
    with Store(db) as log:
        return db, build_course(log)


def _export(db: Path, sid: str, out: Path, *extra: str) -> vitaldb.VitalFile:
    assert main(["export", sid, "--format", "vital", "--out", str(out), "--db", str(db),
                 *extra]) == 0
    return vitaldb.VitalFile(str(out))


def _recs(vf: vitaldb.VitalFile, name: str) -> list[tuple[float, float | str]]:
    return [(r["dt"], r["val"]) for r in vf.trks[name].recs]


def test_every_track_value_by_value(course_db, tmp_path, new_york) -> None:
    db, ids = course_db
    vf = _export(db, ids[2], tmp_path / "s3.vital")
    start = OPENED[2].timestamp()
    base, inf = start, start + 300           # baseline at opening, infusion 5 min later
    at = [inf + 60 * m for m in (20, 30, 40, 50)]  # the reading at 10 min is an artifact
    expected_num = {
        "NIBP_SBP": [(base, 128), *zip(at, (145, 132, 130, 130), strict=True)],
        "NIBP_DBP": [(base, 82), *zip(at, (88, 84, 84, 82), strict=True)],
        # MAP computed as (SBP + 2 DBP) / 3, to one decimal, when not measured.
        "NIBP_MBP": [(base, 97.3), *zip(at, (107.0, 100.0, 99.3, 98.0), strict=True)],
        "HR": [(base, 72), *zip(at, (78, 74, 74, 72), strict=True)],
        "PLETH_SPO2": [(base, 98), *zip(at, (94, 96, 96, 97), strict=True)],
        "RR": [(base, 14), *zip(at, (14, 14, 14, 14), strict=True)],
        "MOAAS": [(base, 5), *[(inf + 60 * m, 5) for m in (10, 20, 30, 40, 50, 60)]],
        "PAIN_NRS": [(base, 5), (inf + 3600, 4)],
        "KETAMINE_RATE": [(inf, 24.5), (inf + 3600, 0)],   # 0.35 mg/kg/h × 70 kg
    }
    assert set(vf.get_track_names()) == {DEV + n for n in expected_num} | {"EVENT"}
    for name, values in expected_num.items():
        got = _recs(vf, DEV + name)
        assert [t for t, _ in got] == [t for t, _ in values], name
        assert np.array_equal(np.float32([v for _, v in got]),
                              np.float32([v for _, v in values])), name
    assert vf.trks[DEV + "NIBP_SBP"].unit == "mmHg"
    assert vf.trks[DEV + "PLETH_SPO2"].unit == "%"
    events = _recs(vf, "EVENT")
    assert events == [
        (base, "Hours of relief after the previous infusion (reported at this visit) 36"),
        (base, CHECKLIST_TEXT),
        (inf, "start 0.35 mg/kg/h"),
        (inf + 3600, "infusion stopped")]
    # The opening time read back in the file's own time zone: 09:00 UTC = 04:00 New York.
    assert vf.dgmt == 300
    assert vf.get_dt(2026, 3, 4, 4, 0) == pytest.approx(start)
    assert vf.dtstart == base and vf.dtend == inf + 3600


def test_events_alarms_drugs_and_outcomes_in_the_event_track(course_db, tmp_path) -> None:
    db, ids = course_db
    vf = _export(db, ids[1], tmp_path / "s2.vital")
    inf = OPENED[1].timestamp() + 300
    texts = sorted((round((t - inf) / 60), v) for t, v in _recs(vf, "EVENT")
                   if not v.startswith(("HIGH", "MEDIUM", "LOW")))
    assert texts == sorted([
        (0, "start 0.5 mg/kg/h"), (15, "paused: blood pressure"),
        (16, "Ondansetron 4 mg IV"), (20, "infusion resumed"),
        (22, "midazolam 1 mg IV"), (23, "Antihypertensive given"),
        (24, "Labetalol 10 mg IV"), (40, "infusion stopped"),
        (-5, "Pain NRS before the infusion 6, Hours of relief after the previous "
             "infusion (reported at this visit) 20"),
        (-5, CHECKLIST_TEXT)])
    # One alarm per parameter: 185/112 is one BP alarm (its other reasons listed in it),
    # and the overdue sedation round at 30 min is low.
    alarms = sorted((round((t - inf) / 60), v) for t, v in _recs(vf, "EVENT")
                    if v.startswith(("HIGH", "MEDIUM", "LOW")))
    assert [m for m, _ in alarms] == [20, 30]
    assert alarms[0][1].startswith("HIGH SBP 185 ≥ 180 (also: DBP 112 ≥ 110")
    assert alarms[1][1].startswith("LOW Observations overdue: Sedation")
    # The pause shows in the rate track: 35 mg/h, 0 while paused, 35 again, 0 at the stop.
    rate = _recs(vf, DEV + "KETAMINE_RATE")
    assert [(round((t - inf) / 60), v) for t, v in rate] == [
        (0, 35), (15, 0), (20, 35), (40, 0)]


def test_deidentified_vital_starts_in_2100_and_keeps_intervals(course_db, tmp_path) -> None:
    db, ids = course_db
    vf = _export(db, ids[1], tmp_path / "d.vital", "--deidentify")
    anon = datetime(2100, 1, 1, tzinfo=UTC).timestamp()
    assert vf.dgmt == 0
    sbp = _recs(vf, DEV + "NIBP_SBP")
    assert [t - anon for t, _ in sbp] == [0, 900, 1500, 2100]
    events = [v for _, v in _recs(vf, "EVENT")]
    assert "paused" in events and not any("blood pressure" in v for v in events)
    raw = (tmp_path / "d.vital").read_bytes()
    import gzip
    assert b"MRN-0042" not in gzip.decompress(raw) and b"Jane" not in gzip.decompress(raw)


def test_an_open_session_exports_what_is_recorded_so_far(course_db, tmp_path) -> None:
    db, ids = course_db
    with Store(db, readonly=True) as store:
        session = fold(ids[4], store.events(ids[4]))
    vf = _export(db, ids[4], tmp_path / "open.vital")
    sbp = _recs(vf, DEV + "NIBP_SBP")
    assert [v for _, v in sbp] == [128, 140]
    assert sbp[-1][0] == session.series["sbp"].t[-1]
    assert vf.dtend == (OPENED[4] + timedelta(minutes=15)).timestamp()
