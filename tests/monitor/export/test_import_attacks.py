"""Import holds a file to the rules of a live entry: bad content is refused, naming
the first bad event, and nothing is half-imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.app.cli import main
from monitor.clock import ManualClock
from monitor.errors import ValidationError
from monitor.export.json_io import import_file
from monitor.log.sqlite.store import Store
from monitor.model.events import GENESIS, Event, canonical, chain_hash
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals, export_file


@pytest.fixture
def exported(db_path, clock, protocols, tmp_path) -> tuple[dict, str]:
    with Store(db_path) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        rec.give_medication("RN7", "ondansetron", "4", "mg", "IV")
        sid = rec.session.session_id
    path = export_file(db_path, sid, "json", tmp_path / "good.json", clock=ManualClock(T0))
    return json.loads(path.read_text()), sid


def rechain(doc: dict) -> dict:
    """Recompute every hash, as a forger would: the chain alone then verifies."""
    prev = GENESIS
    for rec in doc["events"]:
        rec["prev_hash"] = prev
        ev = Event.from_record({**rec, "hash": ""})
        rec["hash"] = chain_hash(prev, canonical(ev.content()))
        prev = rec["hash"]
    return doc


def run_import(doc_or_text, tmp_path: Path, capsys) -> tuple[int, str, Path]:
    path = tmp_path / "in.json"
    path.write_text(doc_or_text if isinstance(doc_or_text, str) else json.dumps(doc_or_text))
    target = tmp_path / "target.db"
    capsys.readouterr()
    code = main(["import", str(path), "--db", str(target)])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected" not in err and err.count("\n") <= 1
    return code, err, target


def nothing_imported(target: Path) -> bool:
    if not target.exists():
        return True
    with Store(target, readonly=True) as ro:
        return ro.session_ids() == []


@pytest.mark.parametrize(("seq", "key", "value", "field"), [
    (2, "sbp", 9999, "Systolic BP"), (2, "hr", -40, "Heart rate"),
    (2, "temp", float("nan"), "Temperature"), (5, "unit", "buckets", "Unit"),
    (5, "drug", "=cmd|' /C calc'!A0\x1b", "Drug"), (3, "moaas", 9, "MOAA/S"),
])
def test_implausible_values_are_refused_naming_the_event(exported, tmp_path, capsys, seq, key,
                                                         value, field):
    doc, sid = exported
    # 1 opening, 2 vitals, 3 assessment, 4 pre-infusion checklist, 5 medication
    assert key in doc["events"][seq - 1]["payload"]
    doc["events"][seq - 1]["payload"][key] = value
    code, err, target = run_import(rechain(doc), tmp_path, capsys)
    assert code == 1 and f"event {sid}-{seq}" in err and field in err
    assert nothing_imported(target)


def test_year_9999_is_refused(exported, tmp_path, capsys):
    doc, sid = exported
    doc["events"][1]["observed_at"] = "9999-01-01T00:00:00.000000+00:00"
    code, err, target = run_import(rechain(doc), tmp_path, capsys)
    assert code == 1 and f"event {sid}-2" in err and "between the session's opening and now" in err
    assert nothing_imported(target)


def test_payload_that_would_break_every_export_is_refused(exported, tmp_path, capsys):
    doc, sid = exported
    doc["events"].append({**doc["events"][-1], "seq": len(doc["events"]) + 1,
                          "kind": "alarm_acknowledged", "payload": {"alarm_id": 77}})
    code, err, _ = run_import(rechain(doc), tmp_path, capsys)
    assert code == 1 and f"event {sid}-{len(doc['events'])}" in err
    assert "cannot be applied" in err


def test_deep_nesting_gives_a_message(tmp_path, capsys):
    code, err, _ = run_import("[" * 100_000 + "]" * 100_000, tmp_path, capsys)
    assert code == 1 and "nested too deeply" in err


def test_lone_surrogate_gives_a_message(exported, tmp_path, capsys):
    doc, _sid = exported
    text = json.dumps(doc).replace('"ondansetron"', '"\\ud800"')
    code, err, target = run_import(text, tmp_path, capsys)
    assert code == 1 and "not valid Unicode" in err
    assert nothing_imported(target)


def test_a_good_file_still_imports(exported, tmp_path, capsys):
    doc, sid = exported
    code, err, target = run_import(doc, tmp_path, capsys)
    assert code == 0, err
    with Store(target, readonly=True) as ro:
        assert ro.session_ids() == [sid] and ro.verify()[1] == len(doc["events"])


def test_imported_session_with_a_numeric_id_is_exportable_by_that_id(
        db_path, clock, protocols, tmp_path, capsys):
    with Store(db_path) as store:
        for sid in ("2612ab", "2612"):
            rec = Recorder.open_new(store, clock, protocols, dict(OPENING), session_id=sid)
            baseline_vitals(rec)
    path = export_file(db_path, "2612", "json", tmp_path / "a.json", clock=ManualClock(T0))
    other = tmp_path / "other.db"
    assert main(["import", str(path), "--db", str(other)]) == 0
    assert main(["export", "2612", "--format", "csv", "--out", str(tmp_path / "b.csv"),
                 "--db", str(db_path)]) == 0


def test_a_device_sample_with_an_implausible_value_amends_exports_and_imports(
        db_path, clock, protocols, tmp_path):
    """The implausible value a monitor sent stays beside the values it kept, through an
    amendment, an export and an import into another database."""
    with Store(db_path) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        clock.advance(30)
        [sample] = rec.record_device_vitals(
            [({"hr": "72", "spo2": "8388607", "sbp": "120", "dbp": "80"}, clock.now(), "MON-1")])
        assert sample.payload["artifact_values"] == {"spo2": "8388607"}
        rec.amend("RN7", sample.seq, {"hr": "74"}, "monitor counted an artefact")
        with pytest.raises(ValidationError, match="Implausible device values"):
            rec.amend("RN7", sample.seq, {"artifact_values": {"sbp": 1}}, "probe")
        sid = rec.session.session_id
    path = export_file(db_path, sid, "json", tmp_path / "dev.json", clock=clock)
    with Store(tmp_path / "other.db") as other:
        assert import_file(other, path, protocols, clock.now()) == (sid, 3)
        [_opened, stored, amended] = other.events(sid)
        assert stored.payload["artifact_values"] == {"spo2": "8388607"}
        assert amended.payload["values"]["hr"] == 74
