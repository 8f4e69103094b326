"""What may be recorded, NEWS2 inputs, REMS, the pre-infusion checklist, quick events,
EtCO2 in every export, and site-file / in-session limit checks (docs/alarms-and-protocols.md)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from monitor.app.simulator import CHECKLIST
from monitor.clinical.protocols import load_protocols
from monitor.clinical.rules.conditions import news2_now
from monitor.clock import ManualClock
from monitor.errors import ConfirmationNeeded, ValidationError
from monitor.export.context import ExportContext
from monitor.export.rems import RESP_KEY, rems_items
from monitor.log.sqlite.store import Store
from monitor.record.recorder import QUICK_EVENTS, Recorder
from tests.conftest import OPENING, T0, baseline_vitals, export_file

# -- what may be recorded --------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "asks"), [
    ({"rr": "2"}, False), ({"rr": "1"}, True), ({"rr": "0"}, True),          # apnoea
    ({"spo2": "50"}, False), ({"spo2": "49"}, True), ({"spo2": "0"}, True),
])
def test_apnoea_and_deep_desaturation_are_recorded_after_confirmation(recorder, fields, asks):
    baseline_vitals(recorder)
    before = len(recorder.session.events)
    if not asks:
        assert "confirmed" not in recorder.record_vitals(fields, "RN7").payload
        return
    with pytest.raises(ConfirmationNeeded) as asked:
        recorder.record_vitals(fields, "RN7")
    assert "confirm it is a real reading" in asked.value.warnings[0]
    assert len(recorder.session.events) == before           # nothing stored yet
    ev = asked.value.retry()
    (name, value), = fields.items()
    assert ev.payload[name] == int(value) and ev.payload["confirmed"] == asked.value.warnings
    found = news2_now(recorder.session, recorder.protocol, recorder.clock.now())
    assert found.scores[name] == 3                            # and it counts, at once
    assert recorder.session.active_alarms()[0].priority == "high"


@pytest.mark.parametrize(("typed", "allowed"), [("-1", "from 0 to 70"), ("71", "from 0 to 70")])
def test_impossible_rr_is_still_refused(recorder, typed, allowed):
    with pytest.raises(ValidationError) as err:
        recorder.record_vitals({"rr": typed}, "RN7")
    assert allowed in err.value.by_field()["rr"].allowed


def test_device_sample_keeps_its_plausible_values(recorder):
    ev = recorder.record_vitals({"hr": "72", "sbp": "120", "dbp": "80", "spo2": "101",
                                 "rr": "8388607"}, "monitor", source="device")
    assert (ev.payload["hr"], ev.payload["sbp"], ev.payload["dbp"]) == (72, 120, 80)
    assert ev.payload["artifact_values"] == {"spo2": "101", "rr": "8388607"}
    assert "spo2" not in ev.payload and recorder.session.latest("spo2") is None
    assert recorder.session.latest("hr")[1] == 72
    with pytest.raises(ValidationError) as err:   # nothing plausible at all: refused whole
        recorder.record_vitals({"spo2": "-999"}, "monitor", source="device")
    assert "at least one plausible value" in str(err.value)


def test_device_sample_with_diastolic_above_systolic_keeps_the_rest(recorder):
    ev = recorder.record_vitals({"hr": "72", "sbp": "80", "dbp": "90"}, "monitor",
                                source="device")
    assert ev.payload["hr"] == 72 and "sbp" not in ev.payload and "dbp" not in ev.payload
    assert set(ev.payload["artifact_values"]) == {"sbp", "dbp"}


# -- NEWS2 inputs ----------------------------------------------------------------------------

@pytest.mark.parametrize(("moaas", "level", "score"), [
    (5, "A", 0), (4, "V", 3), (3, "V", 3), (2, "P", 3), (1, "P", 3), (0, "U", 3)])
def test_consciousness_follows_a_newer_moaas(recorder, clock, moaas, level, score):
    from monitor.clinical.rules.conditions import consciousness
    baseline_vitals(recorder)                   # ACVPU A with MOAA/S 5
    clock.advance(60)
    recorder.record_assessment({"moaas": moaas}, "RN7")
    assert consciousness(recorder.session, recorder.protocol)[1] == level
    assert news2_now(recorder.session, recorder.protocol, clock.now()).scores["acvpu"] == score


@pytest.mark.parametrize(("rass", "level"), [
    (4, "C"), (2, "C"), (1, "A"), (0, "A"), (-1, "V"), (-3, "V"), (-4, "P"), (-5, "U")])
def test_consciousness_follows_a_newer_rass(recorder, clock, rass, level):
    from monitor.clinical.rules.conditions import consciousness
    baseline_vitals(recorder)
    clock.advance(60)
    recorder.record_assessment({"rass": rass}, "RN7")
    assert consciousness(recorder.session, recorder.protocol)[1] == level


def test_a_newer_acvpu_wins_over_an_older_score(recorder, clock):
    from monitor.clinical.rules.conditions import consciousness
    baseline_vitals(recorder)
    clock.advance(60)
    recorder.record_assessment({"moaas": 1}, "RN7")
    clock.advance(60)
    recorder.record_assessment({"acvpu": "A"}, "RN7")
    assert consciousness(recorder.session, recorder.protocol)[1] == "A"


def test_air_or_oxygen_carries_forward(recorder, clock):
    recorder.record_vitals({"spo2": "95", "o2": "oxygen"}, "RN7")
    clock.advance(60)
    ev = recorder.record_vitals({"spo2": "96"}, "RN7")      # left out: still on oxygen
    assert ev.payload["o2"] == "oxygen"
    clock.advance(60)
    assert recorder.record_vitals({"spo2": "96", "o2": "air"}, "RN7").payload["o2"] == "air"
    other = Recorder.open_new(recorder.store, clock, recorder.protocols, dict(OPENING))
    assert other.record_vitals({"spo2": "97"}, "RN7").payload["o2"] == "air"  # first set


def test_spo2_scale_2_scores_news2_on_scale_2(store, clock, protocols):
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, "spo2_scale": 2})
    baseline_vitals(rec, spo2=88)
    # scale 2: 88 on air → 0 (scale 1 would give 3)
    assert news2_now(rec.session, rec.protocol, clock.now()).scores["spo2"] == 0


# -- REMS --------------------------------------------------------------------------------------

def rems_recorder(store, clock, protocols) -> Recorder:
    return Recorder.open_new(store, clock, protocols, {**OPENING, "protocol": "esketamine-nasal"})


def test_rems_dose_needs_a_pre_dose_bp(store, clock, protocols):
    rec = rems_recorder(store, clock, protocols)
    rec.record_assessment({"moaas": 5}, "RN7")
    rec.record_checklist("RN7", CHECKLIST)
    with pytest.raises(ConfirmationNeeded) as asked:
        rec.start_infusion("RN7", dose_mg="56", lot="L1")
    assert asked.value.warnings == [
        "No BP recorded before dosing: record a pre-dose BP (it is the baseline)"]


@pytest.mark.parametrize(("bp", "asks"), [("140/90", False), ("141/90", True),
                                          ("140/91", True)])
def test_rems_pre_dose_bp_above_140_90_is_a_decision_for_the_clinician(store, clock, protocols,
                                                                       bp, asks):
    rec = rems_recorder(store, clock, protocols)
    baseline_vitals(rec, sbp=bp.split("/")[0], dbp=bp.split("/")[1])
    if not asks:
        rec.start_infusion("RN7", dose_mg="56", lot="L1")
        return
    with pytest.raises(ConfirmationNeeded) as asked:
        rec.start_infusion("RN7", dose_mg="56", lot="L1")
    text = asked.value.warnings[0]
    assert f"Pre-dose BP {bp} is above 140/90" in text and "Spravato label" in text
    assert "decision for the clinician" in text
    assert asked.value.retry().payload["dose_mg"] == 56     # not a hard stop


def _rems(store, clock, protocols, readings: list[tuple[int, str]], after=None):
    rec = rems_recorder(store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", dose_mg="56", lot="L1")
    start = clock.now()
    for minute, bp in readings:
        clock.set(start + timedelta(minutes=minute))
        rec.record_vitals({"sbp": bp}, "RN7")
    if after:
        after(rec)
    return rems_items(ExportContext(rec.session, rec.protocol, False, clock.now()))


@pytest.mark.parametrize(("readings", "expected"), [
    ([], "not taken"),                                       # the pre-dose reading is not it
    ([(29, "150/90"), (51, "152/90")], "not taken"),         # outside 30–50 min
    ([(30, "150/90")], "150/90 at"), ([(50, "152/90")], "152/90 at"),
    ([(35, "150/90"), (44, "160/95"), (46, "155/90")], "160/95 at"),  # nearest 40: 44
])
def test_rems_40_min_bp_is_within_30_to_50_min(store, clock, protocols, readings, expected):
    items = _rems(store, clock, protocols, readings)
    assert items["BP about 40 min after dosing"].startswith(expected)
    assert items["BP before dosing"].startswith("128/82")


def test_rems_flags_count_only_readings_after_dosing(store, clock, protocols):
    rec = rems_recorder(store, clock, protocols)
    baseline_vitals(rec, rr=8, spo2=91)                      # pre-dose: not respiratory depression
    rec.record_assessment({"moaas": 4, "cadss6": [1, 0, 0, 0, 0, 0]}, "RN7")
    rec.record_assessment({"moaas": 5, "cadss6": [0] * 6}, "RN7")
    rec.start_infusion("RN7", dose_mg="56", confirmed=True)
    clock.advance(600)
    rec.record_vitals({"rr": "14", "spo2": "97"}, "RN7")
    items = rems_items(ExportContext(rec.session, rec.protocol, False, clock.now()))
    # the pre-dose MOAA/S 4 and CADSS-6 1 are not "after dosing": nothing assessed since
    assert items["Sedation (any MOAA/S drop)"] == "not assessed after dosing"
    assert items["Dissociation"] == "not assessed after dosing"
    assert items[RESP_KEY] == "no"
    # the form asks each concomitant medication on its own (yes/no)
    assert [items[f"Concomitant {m}"] for m in ("benzodiazepines", "opioids", "psychostimulants",
                                                "MAOIs")] == ["no"] * 4
    clock.advance(600)
    rec.record_vitals({"rr": "8"}, "RN7")
    rec.record_assessment({"moaas": 4, "cadss6": [1, 0, 0, 0, 0, 0]}, "RN7")
    items = rems_items(ExportContext(rec.session, rec.protocol, False, clock.now()))
    assert (items["Sedation (any MOAA/S drop)"], items["Dissociation"]) == ("yes", "yes")
    assert items[RESP_KEY].startswith("yes (RR 8 ≤ 8 at ")     # the answer says why


# -- pre-infusion checklist and quick events --------------------------------------------------

def test_checklist_every_item_answered_and_reported(recorder, clock):
    items = list(recorder.protocol.checklist)
    assert {"benzodiazepines", "opioids", "psychostimulants", "maois", "fasting",
            "contraindications_asked", "escort_arranged", "gabapentinoids", "alcohol_today",
            "pregnancy", "psychosis", "raised_icp", "uncontrolled_hypertension"} == set(items)
    with pytest.raises(ValidationError) as err:
        recorder.record_checklist("RN7", {"fasting": "yes", "opioids": "maybe", "aspirin": "no"})
    found = err.value.by_field()
    assert found["opioids"].allowed == "yes or no"
    assert "Concomitant opioids" in str(found["opioids"])
    assert "one of this clinic's items" in found["aspirin"].allowed
    assert "maois" in found                                   # unanswered items are named too
    answers = dict.fromkeys(items, "no") | {"opioids": "yes", "fasting": "yes"}
    ev = recorder.record_checklist("RN7", answers)
    assert ev.payload["answers"]["opioids"] == "yes"


def test_clinic_chooses_its_checklist_items(store, clock, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[protocols.chronic-pain-iv.checklist]\n'
                    'items = ["fasting", "escort_arranged"]\n')
    rec = Recorder.open_new(store, clock, load_protocols(site), dict(OPENING))
    rec.record_checklist("RN7", {"fasting": "yes", "escort_arranged": "yes"})
    site.write_text('[protocols.chronic-pain-iv.checklist]\nitems = ["fasting", "coffee"]\n')
    problems = load_protocols(site).problems
    assert str(site) in problems[0] and "checklist.items" in problems[0]


@pytest.mark.parametrize("code", ["hypersalivation", "laryngospasm", "apnoea", "oxygen_started",
                                  "airway_manoeuvre", "hallucinations", "dizziness", "headache",
                                  "chest_pain", "diplopia_nystagmus"])
def test_quick_events_nurses_need(recorder, code):
    ev = recorder.quick_event("RN7", code)
    assert ev.payload == {"code": code, "label": QUICK_EVENTS[code]}


# -- EtCO2 in every export ----------------------------------------------------------------------

def test_etco2_in_csv_json_fhir_and_pdf(tmp_path: Path, clock):
    db = tmp_path / "etco2.db"
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, load_protocols(), dict(OPENING))
        baseline_vitals(rec, etco2=38)
        rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
        clock.advance(600)
        rec.record_vitals({"hr": "80", "etco2": "52"}, "RN7")
        sid = rec.session.session_id
    now = ManualClock(T0 + timedelta(hours=2))
    rows = list(csv.DictReader(io.StringIO(export_file(
        db, sid, "csv", tmp_path / "s.csv", clock=now).read_text("utf-8-sig"))))
    assert [(r["value"], r["unit"]) for r in rows if r["parameter"] == "etco2"] == [
        ("38", "mmHg"), ("52", "mmHg")]
    wide = list(csv.DictReader(io.StringIO(export_file(
        db, sid, "csv", tmp_path / "w.csv", clock=now, wide=True).read_text("utf-8-sig"))))
    assert [r["etco2"] for r in wide] == ["38", "52"]
    doc = json.loads(export_file(db, sid, "json", tmp_path / "s.json", clock=now).read_text())
    assert [e["payload"].get("etco2") for e in doc["events"]
            if e["kind"] == "vitals_recorded"] == [38, 52]
    fhir = json.loads(export_file(db, sid, "fhir", tmp_path / "f.json", clock=now).read_text())
    Bundle.model_validate(fhir)
    co2 = [e["resource"] for e in fhir["entry"]
           if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "19889-5"]
    assert [o["valueQuantity"]["value"] for o in co2] == [38, 52]
    assert co2[0]["valueQuantity"]["code"] == "mm[Hg]"
    pdf = export_file(db, sid, "pdf", tmp_path / "r.pdf", clock=now)
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "EtCO2" in text and "52" in text


# -- site file and in-session limit changes ---------------------------------------------------

@pytest.mark.parametrize(("table", "needle"), [
    ("limits.sbp]\nhigh_high = nan", "key 'limits.sbp.high_high' is nan"),
    ("limits.sbp]\nhigh_high = inf", "key 'limits.sbp.high_high' is inf"),
    ("limits.hr]\nhigh_low = -5", "key 'limits.hr.high_low' is -5; it must not be negative"),
    ("limits.hr]\nmedium_low = 120", "medium_low 120 must be below medium_high 111"),
    ("limits.rr]\nmedium_high = 7", "high_low 8 must be below medium_high 7"),
    ("limits.sbp]\nhigh_high = 150", "medium_high 160 must be at most high_high 150"),
    ("limits.spo2]\nhigh_low = 95", "high_low 95 must be at most medium_low 93"),
    ("limits.sbp]\nhigh_high = 1000", "high_high is 1000; allowed 10 to 300"),
    ("cadence]\ninfusing = -10", "key 'cadence.infusing' is -10"),
    ("alarms]\npersistence_s = nan", "key 'alarms.persistence_s' is nan"),
    ("news2]\nmoaas_acvpu = [\"A\"]", "key 'news2.moaas_acvpu'"),
])
def test_site_file_values_that_would_disable_alarms_are_refused(tmp_path: Path, table, needle):
    site = tmp_path / "site.toml"
    site.write_text(f"[protocols.chronic-pain-iv.{table}\n")
    result = load_protocols(site)
    assert len(result.problems) == 1
    assert str(site) in result.problems[0] and needle in result.problems[0], result.problems
    assert result.get("chronic-pain-iv").limits("sbp")["high_high"] == 180  # shipped in force


def test_rass_limits_may_be_negative(tmp_path: Path):
    site = tmp_path / "site.toml"
    site.write_text("[protocols.chronic-pain-iv.limits.rass]\nhigh_low = -5\n")
    assert load_protocols(site).problems == []


@pytest.mark.parametrize(("limit", "value", "why"), [
    ("sbp.high_high", "150", "medium_high 160 must be at most high_high 150"),
    ("sbp.medium_high", "181", "medium_high 181 must be at most high_high 180"),
    ("sbp.high_low", "170", "high_low 170 must be at most medium_low 100"),
    ("hr.medium_low", "111", "medium_low 111 must be below medium_high 111"),
    ("spo2.high_low", "94", "high_low 94 must be at most medium_low 93"),
])
def test_in_session_limit_change_that_would_invert_alarms_is_refused(recorder, limit, value,
                                                                      why):
    before = len(recorder.session.events)
    with pytest.raises(ValidationError) as err:
        recorder.change_limit("RN7", limit, value, "test")
    assert err.value.by_field()["new"].allowed == f"refused: {why}"
    assert len(recorder.session.events) == before


@pytest.mark.parametrize(("limit", "value"), [("sbp.high_high", "nan"), ("sbp.high_high", "-1"),
                                              ("sbp.high_high", "inf")])
def test_in_session_limit_change_must_be_a_finite_number_in_range(recorder, limit, value):
    with pytest.raises(ValidationError) as err:
        recorder.change_limit("RN7", limit, value, "test")
    assert "from 10 to 300" in str(err.value)


def test_in_session_limit_change_that_keeps_the_order_is_applied(recorder):
    recorder.change_limit("RN7", "sbp.medium_high", "170", "known hypertension")
    recorder.change_limit("RN7", "sbp.high_high", "", "physician: SBP alarm at medium only")
    recorder.record_vitals({"sbp": "185/90"}, "RN7")
    assert recorder.session.active_alarms()[0].priority == "medium"


def test_implausible_device_values_are_in_the_log_text_and_the_csv(tmp_path: Path, clock):
    from monitor.clinical.describe import describe
    db = tmp_path / "art.db"
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, load_protocols(), dict(OPENING))
        ev = rec.record_vitals({"hr": "72", "spo2": "101"}, "monitor", source="device")
        sid = rec.session.session_id
    assert describe(ev.kind, ev.payload) == "HR 72, artifact: spo2 101"
    rows = list(csv.DictReader(io.StringIO(export_file(
        db, sid, "csv", tmp_path / "a.csv", clock=ManualClock(T0)).read_text("utf-8-sig"))))
    assert [(r["parameter"], r["value"], r["status"]) for r in rows
            if r["entry_id"].endswith(f"-{ev.seq}")] == [("hr", "72", "valid"),
                                                          ("spo2", "101", "artifact")]


def test_site_file_overdue_priority_may_not_be_high(tmp_path: Path):
    site = tmp_path / "site.toml"
    site.write_text('[protocols.chronic-pain-iv.alarms]\noverdue_priority = "high"\n')
    assert "allowed: 'low', 'medium'" in load_protocols(site).problems[0]
    site.write_text('[protocols.chronic-pain-iv.alarms]\noverdue_priority = "low"\n')
    assert load_protocols(site).problems == []
