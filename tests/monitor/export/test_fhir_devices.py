"""Device data in the FHIR bundle (issue 24, points 8, 9, 11), read back by
fhir.resources' R4B models and checked against the R4 vital-signs profiles by
our own profile check (tests/support/fhir_profile.py), which a test here proves
can fail."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.export.course_out import export_course
from monitor.export.fhir_device import STREAM_MIN_SAMPLES
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals, export_file
from tests.support.fhir_profile import vital_signs_problems

MONITOR = "GE-B40^SN-77213"
NOW = T0 + timedelta(hours=3)


def _device_session(db: Path, clock: ManualClock, patient: str = "MRN-0042") -> str:
    """A session with a nurse's set, a monitor's NIBP cycles (systolic and diastolic,
    one cycle without its diastolic), spot temperature, and a 1 Hz HR/SpO2 stream
    of 30 s with one sample flagged as artifact."""
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, load_protocols(),
                                {**OPENING, "patient_id": patient})
        baseline_vitals(rec)
        rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
        t = clock.now()
        sets: list[tuple[dict[str, Any], Any, str]] = [
            ({"sbp": 142, "dbp": 88, "map": 106}, t + timedelta(minutes=1), MONITOR),
            ({"sbp": 151, "dbp": 91}, t + timedelta(minutes=6), MONITOR),
            ({"sbp": 149}, t + timedelta(minutes=11), MONITOR),
            ({"temp": 36.9}, t + timedelta(minutes=12), MONITOR),
            ({"hr": 77}, t + timedelta(minutes=13), MONITOR),  # a lone spot value
        ]
        start = t + timedelta(minutes=20)
        sets += [({"hr": 80 + i % 5, "spo2": 97}, start + timedelta(seconds=i), MONITOR)
                 for i in range(30)]
        clock.advance(3600)
        events = rec.record_device_vitals(sets)
        rec.flag_artifact("RN7", events[-10].seq, "probe moved")
        return rec.session.session_id


def _bundle(db: Path, sid: str, out: Path, **kw: Any) -> dict[str, Any]:
    doc = json.loads(export_file(db, sid, "fhir", out, clock=ManualClock(NOW), **kw).read_text())
    Bundle.model_validate(doc)
    return doc


def _resources(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == kind]


def _loinc(obs: dict[str, Any]) -> str | None:
    return next((c["code"] for c in obs["code"].get("coding", [])
                 if c["system"] == "http://loinc.org"), None)


@pytest.fixture
def device_db(tmp_path: Path, clock: ManualClock) -> tuple[Path, str]:
    db = tmp_path / "dev.db"
    return db, _device_session(db, clock)


@pytest.mark.hazard("H-150")
def test_device_blood_pressure_is_the_bp_panel_with_a_device(device_db, tmp_path) -> None:
    db, sid = device_db
    doc = _bundle(db, sid, tmp_path / "b.json")
    assert vital_signs_problems(doc) == []
    devices = {e["fullUrl"]: e["resource"] for e in doc["entry"]
               if e["resource"]["resourceType"] == "Device"}
    assert [d["identifier"][0]["value"] for d in devices.values()] == [MONITOR]
    panels = [o for o in _resources(doc, "Observation") if _loinc(o) == "85354-9"]
    from_device = [o for o in panels if "device" in o]
    assert len(panels) == 4 and len(from_device) == 3  # the nurse's set, three cuff cycles
    assert all(o["device"]["reference"] in devices for o in from_device)
    values = [{c["code"]["coding"][0]["code"]: c.get("valueQuantity", {}).get("value")
               for c in o["component"]} for o in from_device]
    assert values == [{"8480-6": 142, "8462-4": 88}, {"8480-6": 151, "8462-4": 91},
                      {"8480-6": 149, "8462-4": None}]
    absent = from_device[2]["component"][1]
    assert absent["dataAbsentReason"]["coding"][0]["code"] == "not-performed"
    maps = [o for o in _resources(doc, "Observation") if _loinc(o) == "8478-0" and "device" in o]
    assert [o["valueQuantity"]["value"] for o in maps] == [106, 111.0]  # sent; computed


@pytest.mark.hazard("H-151")
def test_spot_values_are_quantities_and_only_streams_are_sampled(device_db, tmp_path) -> None:
    db, sid = device_db
    doc = _bundle(db, sid, tmp_path / "b.json")
    obs = _resources(doc, "Observation")
    sampled = [o for o in obs if "valueSampledData" in o]
    assert sorted(o["code"]["coding"][0]["code"] for o in sampled) == ["147842", "150456"]
    for o in sampled:
        assert o["code"]["coding"][0]["system"] == "urn:iso:std:iso:11073:10101"
        assert not any(c.get("code") == "vital-signs" for cat in o["category"]
                       for c in cat.get("coding", []))
        assert o["valueSampledData"]["period"] == 1000
        assert o["device"]["reference"].startswith("urn:uuid:")
    hr_stream = next(o for o in sampled if o["code"]["coding"][0]["code"] == "147842")
    data = hr_stream["valueSampledData"]["data"].split()
    assert len(data) == 30 and data[20] == "E" and data[:5] == ["80", "81", "82", "83", "84"]
    # The lone HR and the temperature are vital-signs quantities with the device.
    device_hr = [o for o in obs if _loinc(o) == "8867-4" and "device" in o]
    assert [o["valueQuantity"]["value"] for o in device_hr] == [77]
    temp = [o for o in obs if _loinc(o) == "8310-5" and "device" in o]
    assert temp[0]["valueQuantity"] == {"value": 36.9, "unit": "Cel",
                                        "system": "http://unitsofmeasure.org", "code": "Cel"}


def test_a_short_run_is_spot_values(tmp_path, clock) -> None:
    """Fewer samples than a stream needs stay spot values (valueQuantity)."""
    db = tmp_path / "short.db"
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, load_protocols(), dict(OPENING))
        baseline_vitals(rec)
        t = clock.now()
        clock.advance(60)
        rec.record_device_vitals([({"hr": 70 + i}, t + timedelta(seconds=i), MONITOR)
                                  for i in range(STREAM_MIN_SAMPLES - 1)])
        sid = rec.session.session_id
    doc = _bundle(db, sid, tmp_path / "b.json")
    obs = _resources(doc, "Observation")
    assert not any("valueSampledData" in o for o in obs)
    assert len([o for o in obs if _loinc(o) == "8867-4" and "device" in o]) == \
        STREAM_MIN_SAMPLES - 1
    assert vital_signs_problems(doc) == []


def _first(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(o for o in _resources(doc, "Observation") if _loinc(o) == code)


BREAKAGES = {
    "heart rate as SampledData": ("8867-4", lambda o: o.update(
        valueSampledData={"origin": {"value": 0}, "period": 1000, "dimensions": 1,
                          "data": "80"}) or o.pop("valueQuantity")),
    "no vital-signs category": ("8867-4", lambda o: o.update(
        category=[{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                         "observation-category", "code": "exam"}]}])),
    "SpO2 in a non-UCUM unit": ("2708-6", lambda o: o["valueQuantity"].update(
        system="urn:local", code="percent")),
    "temperature in the wrong UCUM code": ("8310-5", lambda o: o["valueQuantity"].update(
        code="C")),
    "no subject": ("9279-1", lambda o: o.pop("subject")),
    "no effective time": ("9279-1", lambda o: o.pop("effectiveDateTime")),
    "effective time not a date": ("9279-1", lambda o: o.update(effectiveDateTime="T+00:10")),
    "BP panel without diastolic": ("85354-9", lambda o: o.update(component=o["component"][:1])),
    "BP panel with a value": ("85354-9", lambda o: o.update(valueString="142/88")),
    "no LOINC code": ("8867-4", lambda o: o.update(code={"text": "Heart rate"})),
    "heart rate as an integer": ("8867-4", lambda o: o.update(valueInteger=80)
                                 or o.pop("valueQuantity")),
    "device that is not in the bundle": ("8867-4", lambda o: o.update(
        device={"reference": "urn:uuid:00000000-0000-0000-0000-000000000000"})),
}


@pytest.mark.hazard("H-151")
@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_the_profile_check_fails_on_a_broken_observation(device_db, tmp_path, breakage) -> None:
    """The check is not a rubber stamp: each deliberate breakage of one Observation
    of a conforming bundle is found, and the base schema alone misses most."""
    db, sid = device_db
    doc = _bundle(db, sid, tmp_path / "b.json")
    assert vital_signs_problems(doc) == []
    broken = copy.deepcopy(doc)
    code, breaks = BREAKAGES[breakage]
    breaks(_first(broken, code))
    assert vital_signs_problems(broken), breakage


@pytest.mark.hazard("H-152")
def test_deidentified_devices_are_pseudonyms(device_db, tmp_path) -> None:
    db, sid = device_db
    doc = _bundle(db, sid, tmp_path / "d.json", deidentify=True)
    assert vital_signs_problems(doc) == []
    body = json.dumps(doc)
    assert "SN-77213" not in body and "GE-B40" not in body
    devices = _resources(doc, "Device")
    assert devices == [{"resourceType": "Device",
                        "deviceName": [{"name": "device-1", "type": "other"}],
                        "type": {"text": "bedside monitor (HL7 device feed)"}}]


def _series(db: Path, patient: str, out: Path) -> dict[str, Any]:
    with Store(db, readonly=True) as log:
        path = export_course(log, patient, "fhir", out, load_protocols(), deidentify=True,
                             clock=ManualClock(NOW))
    doc = json.loads(path.read_text())
    Bundle.model_validate(doc)
    return doc


def _ids(doc: dict[str, Any]) -> set[str]:
    return {doc["id"]} | {e["fullUrl"] for e in doc["entry"]} | {
        e["resource"]["id"] for e in doc["entry"] if "id" in e["resource"]}


@pytest.mark.hazard("H-153")
def test_deidentified_courses_of_two_patients_share_no_id(tmp_path) -> None:
    db = tmp_path / "two.db"
    clock = ManualClock(T0)
    for patient in ("MRN-A1", "MRN-B2"):
        _device_session(db, clock, patient)
        clock.advance(86400)
    a = _series(db, "MRN-A1", tmp_path / "a.json")
    b = _series(db, "MRN-B2", tmp_path / "b.json")
    again = _series(db, "MRN-A1", tmp_path / "a2.json")
    assert len(_ids(a)) == len(a["entry"]) + 1
    assert not _ids(a) & _ids(b)
    assert not _ids(a) & _ids(again)  # fresh per export, not derived from the patient
    for doc in (a, b):
        encounters = _resources(doc, "Encounter")
        assert encounters and all(e["subject"]["reference"] == doc["entry"][0]["fullUrl"]
                                  for e in encounters)


@pytest.mark.hazard("H-150")
def test_nibp_sent_over_hl7_reaches_fhir_as_the_bp_panel(recorder, clock, db_path,
                                                         tmp_path) -> None:
    """The junction end to end: a PCD-01 message on a plain socket (MLLP framing by
    hand) into the real listener and capture, then the FHIR export of the file."""
    import socket

    from tests.support.device_rig import DEVICE, oru, running_rig
    baseline_vitals(recorder)
    clock.set(T0 + timedelta(minutes=10))
    cuff = T0 + timedelta(minutes=5)
    message = oru("BP1", cuff, {150021: 186, 150022: 112, 150023: 137, 150456: 97})
    with running_rig(recorder, clock) as rig:
        rig.capture.bind(DEVICE, recorder)

        def send() -> bytes:
            with socket.create_connection(("127.0.0.1", rig.port), timeout=10) as sock:
                sock.sendall(b"\x0b" + message.encode() + b"\x1c\r")
                reply = b""
                while not reply.endswith(b"\x1c\r"):
                    reply += sock.recv(4096)
                return reply
        assert b"MSA|AA|BP1" in rig.owner(send)
    doc = _bundle(db_path, recorder.session.session_id, tmp_path / "hl7.json")
    assert vital_signs_problems(doc) == []
    device = next(e for e in doc["entry"] if e["resource"]["resourceType"] == "Device")
    assert device["resource"]["identifier"][0]["value"] == DEVICE
    panel = next(o for o in _resources(doc, "Observation")
                 if _loinc(o) == "85354-9" and "device" in o)
    assert panel["device"]["reference"] == device["fullUrl"]
    assert panel["effectiveDateTime"].startswith("2026-03-02T09:05:00")  # the cuff time
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"])
            for c in panel["component"]] == [("8480-6", 186), ("8462-4", 112)]
