"""Issue 22 #4, #6, #7, #8, #13 and the weak points on dosing, issue 23 #5 and #9, through
the core: every boundary on both sides, each figure worked by hand in the test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.app.simulator import CHECKLIST
from monitor.clinical.medications import load_medications
from monitor.errors import ConfigError, ConfirmationNeeded, ValidationError
from monitor.model.dosing import rate_text
from monitor.model.events import EventKind
from monitor.model.session import fold
from monitor.record.recorder import Recorder
from monitor.wallclock import parse_wall_clock
from tests.conftest import OPENING, baseline_vitals


def opened(store, clock, protocols, protocol="chronic-pain-iv", weight="70") -> Recorder:
    return Recorder.open_new(store, clock, protocols,
                             {**OPENING, "protocol": protocol, "weight_kg": weight})


def start(rec: Recorder, **kw: object):
    if rec.protocol.dose_mode == "single":
        # with its lot: a dose without one asks too (the REMS form needs it)
        return rec.start_infusion("RN7", dose_mg=kw.pop("dose_mg", "56"),
                                  lot=kw.pop("lot", "L1"), **kw)
    return rec.start_infusion("RN7", rate=kw.pop("rate", "0.35"),
                              rate_unit=kw.pop("rate_unit", "mg/kg/h"), **kw)


def asked(rec: Recorder, **kw: object) -> list[str]:
    """The warnings Start asks about (nothing stored), or [] when it started."""
    try:
        start(rec, **kw)
    except ConfirmationNeeded as exc:
        assert rec.session.infusion_started_at is None
        return exc.warnings
    return []


# -- 22 #4: the checklist's answers matter, not its presence ---------------------------------

@pytest.mark.hazard("H-080")
@pytest.mark.parametrize("protocol", ["chronic-pain-iv", "esketamine-nasal"])
@pytest.mark.parametrize(("answers", "named"), [
    ({}, None),                                                          # all well: no question
    ({"contraindications_asked": "no"}, "Checklist answered NO: Contraindications asked"),
    ({"fasting": "no"}, "Checklist answered NO: Fasting as instructed"),
    ({"escort_arranged": "no"}, "Checklist answered NO: Escort arranged"),
    ({"benzodiazepines": "yes"}, "CNS depressant with ketamine"),
    ({"opioids": "yes"}, "Concomitant opioids"),
    ({"gabapentinoids": "yes"}, "Concomitant gabapentinoids"),
    ({"alcohol_today": "yes"}, "Alcohol today"),
    ({"pregnancy": "yes"}, "Contraindication answered YES: Pregnant"),
    ({"psychosis": "yes"}, "Psychosis"),
    ({"raised_icp": "yes"}, "Raised intracranial pressure"),
    ({"uncontrolled_hypertension": "yes"}, "Uncontrolled hypertension"),
    ({"psychostimulants": "no", "maois": "no"}, None),    # "yes": test_predose_bp_raisers.py
])
def test_checklist_answers_are_named_at_start(store, clock, protocols, protocol, answers, named):
    rec = opened(store, clock, protocols, protocol)
    baseline_vitals(rec)                                   # the clean checklist first
    rec.record_checklist("RN7", {**CHECKLIST, **answers})  # then the answers of this case
    warnings = asked(rec)
    if named is None:
        assert warnings == [] and rec.session.infusion_started_at is not None
        return
    assert len(warnings) == 1 and named in warnings[0]


@pytest.mark.hazard("H-080")
def test_every_no_and_yes_of_the_audit_is_named_in_one_question(store, clock, protocols):
    """The audit's case: contraindications not asked, not fasting, no escort,
    benzodiazepine and opioid "yes": one question names all five, and the stored start
    keeps what was confirmed; the contraindication answers are in the record."""
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    rec.record_checklist("RN7", {**CHECKLIST, "contraindications_asked": "no", "fasting": "no",
                                 "escort_arranged": "no", "benzodiazepines": "yes",
                                 "opioids": "yes", "pregnancy": "no"})
    with pytest.raises(ConfirmationNeeded) as ask:
        start(rec)
    text = " | ".join(ask.value.warnings)
    for item in ("Contraindications asked", "Fasting as instructed", "Escort arranged",
                 "Concomitant benzodiazepines", "Concomitant opioids"):
        assert item in text
    ev = ask.value.retry()
    assert ev.payload["confirmed"] == ask.value.warnings
    answers = rec.session.entries_of(EventKind.CHECKLIST)[-1].payload["answers"]
    assert answers["pregnancy"] == "no" and answers["raised_icp"] == "no"


# -- 22 #8: BP at the high limits, or an active HIGH BP alarm, before any start ---------------

@pytest.mark.hazard("H-081")
@pytest.mark.parametrize("protocol", ["chronic-pain-iv", "depression-iv"])
@pytest.mark.parametrize(("bp", "named"), [
    ("179/109", None), ("180/100", "SBP 180 ≥ 180"), ("170/110", "DBP 110 ≥ 110"),
    ("185/115", "BP 185/115 before dosing"),
])
def test_iv_start_at_high_bp_asks_naming_the_value(store, clock, protocols, protocol, bp, named):
    rec = opened(store, clock, protocols, protocol)
    sbp, dbp = bp.split("/")
    baseline_vitals(rec, sbp=sbp, dbp=dbp)
    rec.record_checklist("RN7", CHECKLIST)
    bp_warnings = [w for w in asked(rec) if "before dosing (" in w]
    if named is None:
        assert bp_warnings == []
    else:
        assert len(bp_warnings) == 1 and named in bp_warnings[0]
        assert f"BP {bp} before dosing" in bp_warnings[0]


@pytest.mark.hazard("H-081")
def test_an_active_high_bp_alarm_asks_even_after_a_lower_reading(store, clock, protocols):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec, sbp="186", dbp="104")      # HIGH SBP alarm, latched
    clock.advance(120)
    rec.record_vitals({"sbp": "150/90", "hr": "70", "spo2": "98", "rr": "14"}, "RN7")
    (warning,) = asked(rec)
    assert warning.startswith("BP 150/90 before dosing (HIGH alarm active: SBP 186 ≥ 180")


# -- low-dose ceiling and esketamine devices ---------------------------------------------------

@pytest.mark.hazard("H-082")
@pytest.mark.parametrize(("dose", "high"), [
    ("35", False),     # 35 mg ÷ 70 kg = 0.50 mg/kg: at the ceiling, not above it
    ("35.5", True),    # 0.507 mg/kg: sedation-level
    ("70", True),      # 1 mg/kg
])
def test_bolus_above_half_a_mg_per_kg_is_sedation_level(store, clock, protocols, dose, high):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    start(rec)
    clock.advance(600)
    try:
        rec.give_bolus("RN7", dose)
        warnings: list[str] = []
    except ConfirmationNeeded as exc:
        warnings = exc.warnings
    ceiling = [w for w in warnings if "sedation-level dosing" in w]
    assert bool(ceiling) is high
    if high:
        assert "HIGH" in ceiling[0] and "0.5 mg/kg" in ceiling[0]


@pytest.mark.hazard("H-082")
@pytest.mark.parametrize(("rate", "high"), [("0.99", False), ("1", True), ("1.5", True)])
def test_infusion_at_1_mg_kg_h_is_named_sedation_level(store, clock, protocols, rate, high):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    named = [w for w in asked(rec, rate=rate) if "sedation-level dosing" in w]
    assert bool(named) is high
    if high:
        assert "HIGH" in named[0]


@pytest.mark.hazard("H-083")
@pytest.mark.parametrize(("dose", "asks"), [("28", False), ("56", False), ("84", False),
                                            ("50", True), ("57", True)])
def test_esketamine_dose_not_a_whole_number_of_devices_asks(store, clock, protocols, dose, asks):
    rec = opened(store, clock, protocols, "esketamine-nasal")
    baseline_vitals(rec)
    device = [w for w in asked(rec, dose_mg=dose) if "28 mg devices" in w]
    assert bool(device) is asks


# -- weak: HR 18 and SBP 35 are confirmed, never refused ---------------------------------------

@pytest.mark.hazard("H-084")
@pytest.mark.parametrize(("fields", "asks"), [
    ({"hr": "20"}, False), ({"hr": "18"}, True), ({"hr": "0"}, True),
    ({"sbp": "40/25"}, False), ({"sbp": "35/20"}, True),
])
def test_profound_bradycardia_and_hypotension_are_confirmed(recorder, fields, asks):
    if not asks:
        assert "confirmed" not in recorder.record_vitals(fields, "RN7").payload
        return
    with pytest.raises(ConfirmationNeeded) as ask:
        recorder.record_vitals(fields, "RN7")
    assert "confirm it is a real reading" in ask.value.warnings[0]
    assert ask.value.retry().payload["confirmed"] == ask.value.warnings


# -- 22 #7: mL/h exactly, and a rate in mL/h with the syringe's concentration ------------------

@pytest.mark.hazard("H-085")
@pytest.mark.parametrize(("rate", "unit", "weight", "conc", "text"), [
    # 0.35 × 70 = 24.5 mg/h; ÷ 10 mg/mL = 2.45 mL/h (shown 2.5 before)
    (0.35, "mg/kg/h", 70, 10, "0.35 mg/kg/h = 24.5 mg/h = 2.45 mL/h"),
    # 7.5 mg/h ÷ 100 mg/mL = 0.075 mL/h (shown 0.1 before: +33 %)
    (7.5, "mg/h", 70, 100, "7.5 mg/h = 0.075 mL/h"),
    # 0.125 × 73 = 9.125 mg/h; ÷ 50 = 0.1825 mL/h
    (0.125, "mg/kg/h", 73, 50, "0.125 mg/kg/h = 9.125 mg/h = 0.1825 mL/h"),
    # 2.45 mL/h × 10 mg/mL = 24.5 mg/h
    (2.45, "mL/h", 70, 10, "2.45 mL/h = 24.5 mg/h"),
    # 10 mg/h ÷ 3 mg/mL = 3.333… mL/h: it cannot be exact, so it says so
    (10, "mg/h", 70, 3, "10 mg/h = ≈3.3333 mL/h"),
])
def test_ml_per_h_is_shown_exactly(rate, unit, weight, conc, text):
    assert rate_text(rate, unit, weight, conc) == text


@pytest.mark.hazard("H-085")
def test_a_rate_typed_in_ml_per_h_doses_by_the_syringe(store, clock, protocols):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    with pytest.raises(ValidationError) as err:
        rec.start_infusion("RN7", rate="2.45", rate_unit="mL/h")
    assert "concentration" in err.value.by_field()
    assert "needed for a rate in mL/h" in str(err.value)
    ev = rec.start_infusion("RN7", rate="2.45", rate_unit="mL/h", concentration="10")
    assert ev.payload["rate"] == 2.45 and ev.payload["rate_unit"] == "mL/h"
    clock.advance(2 * 3600)
    # 2.45 mL/h × 10 mg/mL = 24.5 mg/h; × 2 h = 49 mg
    assert rec.session.dose_mg(clock.now()) == pytest.approx(49.0)
    rec.change_rate("RN7", "3.5", "mL/h")          # the same syringe: its concentration
    clock.advance(3600)
    # + 3.5 × 10 = 35 mg/h × 1 h = 84 mg
    assert rec.session.dose_mg(clock.now()) == pytest.approx(84.0)
    again = fold(rec.session.session_id, store.events(rec.session.session_id))
    assert again.dose_mg(clock.now()) == pytest.approx(84.0)


# -- 22 #6: weight after dosing ---------------------------------------------------------------

@pytest.mark.hazard("H-089")
def test_weight_changed_after_dosing_asks_typing_error_or_re_weigh(store, clock, protocols):
    """70 kg at 0.35 mg/kg/h for 2 h = 24.5 mg/h × 2 h = 49 mg; then the weight is 100 kg.
    Re-weigh: the 49 mg stay, the pump now runs 0.35 × 100 = 35 mg/h: 1 h more = 84 mg.
    Typing error: every figure at 100 kg: 35 mg/h × 3 h = 105 mg."""
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    start(rec)
    clock.advance(2 * 3600)
    assert rec.session.dose_mg(clock.now()) == pytest.approx(49.0)
    with pytest.raises(ValidationError) as err:                # the question, not a guess
        rec.amend("RN7", 1, {"weight_kg": "100"}, "new scale")
    assert "typing error" in err.value.by_field()["weight_change"].allowed
    assert rec.session.weight_kg == 70
    rec.change_weight("RN7", "100", "re-weigh")
    assert rec.session.dose_mg(clock.now()) == pytest.approx(49.0)   # given mg stay
    assert rec.session.rate_mg_per_h(clock.now()) == pytest.approx(35.0)
    clock.advance(3600)
    assert rec.session.dose_mg(clock.now()) == pytest.approx(84.0)
    assert fold(rec.session.session_id,
                store.events(rec.session.session_id)).dose_mg(clock.now()) == pytest.approx(84.0)


@pytest.mark.hazard("H-089")
def test_weight_typing_error_recomputes_everything(store, clock, protocols):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    start(rec)
    clock.advance(3 * 3600)
    rec.change_weight("RN7", "100", "typing error")
    # 0.35 × 100 = 35 mg/h × 3 h = 105 mg (the old 70 kg never was)
    assert rec.session.dose_mg(clock.now()) == pytest.approx(105.0)
    assert rec.session.opening["weight_kg"] == 100
    with pytest.raises(ValidationError) as err:
        rec.change_weight("RN7", "90", "guess")
    assert "re-weigh" in err.value.by_field()["weight_change"].allowed


# -- 23 #5: medication ranges as clinic data ---------------------------------------------------

@pytest.mark.hazard("H-086")
@pytest.mark.parametrize(("drug", "dose", "unit", "route", "outcome"), [
    ("midazolam", "5", "mg", "IV", "recorded"),
    ("Midazolam", "5.5", "mg", "IV", "asks"),          # above the usual 5 mg
    ("midazolam", "20", "mg", "IV", "asks"),           # at the refusal ceiling: asks
    ("midazolam", "21", "mg", "IV", "refused"),
    ("midazolam", "5000", "mg", "IV", "refused"),      # the trial's typing slip
    ("midazolam", "5000", "mcg", "IV", "recorded"),    # = 5 mg
    ("Versed", "6", "mg", "IV", "asks"),               # a brand name
    ("midazolam", "15", "mg", "PO", "recorded"),       # the route's own range
    ("ondansetron", "4", "mg", "IV", "recorded"),
    ("ondansetron", "40", "mg", "IV", "refused"),
    ("aspirin", "5000", "mg", "PO", "recorded"),       # not in the clinic's list: not checked
])
def test_medication_dose_against_the_clinic_range(recorder, drug, dose, unit, route, outcome):
    call = lambda: recorder.give_medication("RN7", drug, dose, unit, route)  # noqa: E731
    if outcome == "recorded":
        assert "confirmed" not in call().payload
    elif outcome == "asks":
        with pytest.raises(ConfirmationNeeded) as ask:
            call()
        assert "above the usual range" in ask.value.warnings[0]
        assert ask.value.retry().payload["confirmed"] == ask.value.warnings
    else:
        with pytest.raises(ValidationError) as err:
            call()
        refused = err.value.by_field()["dose"]
        assert refused.allowed.startswith("at most ") and route in refused.allowed
        assert not recorder.session.entries_of(EventKind.MEDICATION)


@pytest.mark.parametrize(("text", "key"), [
    ("version = 2\n[drug.x]\nunit = 'mg'\n", "version"),
    ("version = 1\n[drug.x]\nunit = 'kg'\n", "drug.x.unit"),
    ("version = 1\n[drug.x]\nunit = 'mg'\nIVV = { usual_max = 1, refuse_above = 2 }\n",
     "drug.x.IVV"),
    ("version = 1\n[drug.x]\nunit = 'mg'\nIV = { usual_max = 5, refuse_above = 2 }\n",
     "drug.x.IV.refuse_above"),
    ("version = 1\n[drug.x]\nunit = 'mg'\nIV = { usual_max = -1, refuse_above = 2 }\n",
     "drug.x.IV.usual_max"),
    ("version = 1\n[drug.x]\nunit = 'mg'\nIV = { usual_max = 1 }\n", "drug.x.IV"),
])
def test_a_broken_medication_file_names_file_and_key(tmp_path: Path, text, key):
    path = tmp_path / "medications.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_medications(path)
    assert str(path) in str(err.value) and f"'{key}'" in str(err.value)


def test_the_clinic_file_replaces_the_shipped_ranges(recorder, tmp_path: Path):
    from monitor.clinical.medications import site_file
    site = site_file()
    site.parent.mkdir(parents=True, exist_ok=True)
    site.write_text("version = 1\n[drug.midazolam]\nunit = 'mg'\n"
                    "IV = { usual_max = 2, refuse_above = 4 }\n")
    with pytest.raises(ValidationError):
        recorder.give_medication("RN7", "midazolam", "5", "mg", "IV")


# -- 23 #9: check first, ask after ------------------------------------------------------------

@pytest.mark.hazard("H-087")
def test_ask_checks_first_and_asks_only_about_valid_entries(store, clock, protocols):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    with pytest.raises(ValidationError) as err:                 # never "Change rate to abc?"
        rec.change_rate("RN7", "abc", "mg/kg/h", ask=True)
    assert "rate_mg_kg_h" in err.value.by_field()
    with pytest.raises(ValidationError) as err:                 # never "Pause (reason: —)?"
        rec.pause_infusion("RN7", "  ", ask=True)
    assert err.value.by_field()["reason"].allowed == "required"
    with pytest.raises(ConfirmationNeeded) as ask:               # valid: asked, not stored
        rec.pause_infusion("RN7", "nausea", ask=True)
    assert ask.value.warnings == [] and not rec.session.paused
    ask.value.retry()
    assert rec.session.paused


@pytest.mark.hazard("H-087")
def test_every_warning_of_one_start_comes_in_one_question(store, clock, protocols):
    rec = opened(store, clock, protocols)
    baseline_vitals(rec, sbp="185", dbp="115")
    rec.record_checklist("RN7", {**CHECKLIST, "escort_arranged": "no"})
    with pytest.raises(ConfirmationNeeded) as ask:
        rec.start_infusion("RN7", rate="1.2", rate_unit="mg/kg/h", ask=True)
    found = ask.value.warnings
    assert len(found) == 3
    assert any("BP 185/115" in w for w in found)
    assert any("Escort arranged" in w for w in found)
    assert any("sedation-level dosing" in w for w in found)
    ev = ask.value.retry()
    assert ev.payload["confirmed"] == found and rec.session.phase == "infusing"


# -- 22 #13: typed clock times across daylight-saving changes -------------------------------

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.hazard("H-088")
@pytest.mark.parametrize(("zone", "now", "typed", "expected"), [
    # Spring, London, 29 March 2026: 01:00 GMT → 02:00 BST. Now 02:30 BST = 01:30 UTC.
    (LONDON, utc(2026, 3, 29, 1, 30), "00:50", utc(2026, 3, 29, 0, 50)),   # GMT (was 23:50)
    (LONDON, utc(2026, 3, 29, 1, 30), "02:10", utc(2026, 3, 29, 1, 10)),   # BST
    # Autumn, London, 25 October 2026: 02:00 BST → 01:00 GMT. Now 03:00 GMT.
    (LONDON, utc(2026, 10, 25, 3, 0), "00:30", utc(2026, 10, 24, 23, 30)),  # BST
    (LONDON, utc(2026, 10, 25, 3, 0), "02:30", utc(2026, 10, 25, 2, 30)),   # GMT
    # New York, 8 March 2026: 02:00 EST → 03:00 EDT. Now 03:30 EDT = 07:30 UTC.
    (NEW_YORK, utc(2026, 3, 8, 7, 30), "01:45", utc(2026, 3, 8, 6, 45)),   # EST
    # Just after midnight: 23:50 typed is yesterday's.
    (LONDON, utc(2026, 7, 1, 23, 10), "23:50", utc(2026, 7, 1, 22, 50)),
])
def test_typed_times_are_local_wall_clock_across_dst(zone, now, typed, expected):
    found = parse_wall_clock(typed, now, zone)
    assert found is not None and found.when == expected and found.note == ""


@pytest.mark.hazard("H-088")
def test_a_time_that_never_existed_is_refused_and_said():
    with pytest.raises(ValueError, match="did not exist on 29 Mar"):
        parse_wall_clock("01:30", utc(2026, 3, 29, 1, 30), LONDON)


@pytest.mark.hazard("H-088")
@pytest.mark.parametrize(("now", "expected", "which"), [
    (utc(2026, 10, 25, 1, 45), utc(2026, 10, 25, 1, 30), "second one, 01:30 GMT"),  # 01:45 GMT
    (utc(2026, 10, 25, 0, 45), utc(2026, 10, 25, 0, 30), "first one, 01:30 BST"),   # 01:45 BST
])
def test_a_time_that_happened_twice_takes_the_latest_past_one_and_says_so(now, expected, which):
    found = parse_wall_clock("01:30", now, LONDON)
    assert found is not None and found.when == expected
    assert "happened twice" in found.note and which in found.note


def test_the_zone_setting_is_an_iana_name(monkeypatch):
    from monitor.wallclock import ZONE_ENV, clinic_zone
    monkeypatch.setenv(ZONE_ENV, "Europe/London")
    assert clinic_zone() == LONDON
    monkeypatch.setenv(ZONE_ENV, "Mars/Olympus")
    with pytest.raises(ConfigError, match="KETAMINE_MONITOR_TZ"):
        clinic_zone()


def test_back_dated_rate_change_across_dst_doses_by_real_time(store, protocols):
    """A rate change typed as 00:50 at 02:30 BST (29 March) lands at 00:50 UTC: 0.35 mg/kg/h
    × 70 kg = 24.5 mg/h from 00:00 UTC to 00:50 (0.8333 h = 20.4167 mg), then 0.5 × 70 =
    35 mg/h to 01:30 UTC (0.6667 h = 23.3333 mg): 43.75 mg."""
    from monitor.clock import ManualClock
    clock = ManualClock(utc(2026, 3, 28, 23, 30))
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    clock.set(utc(2026, 3, 29, 0, 0))
    start(rec)
    clock.set(utc(2026, 3, 29, 1, 30))
    typed = parse_wall_clock("00:50", clock.now(), LONDON)
    assert typed is not None
    rec.change_rate("RN7", "0.5", "mg/kg/h", observed_at=typed.when)
    assert rec.session.dose_mg(clock.now()) == pytest.approx(20.4166667 + 23.3333333)
    assert timedelta(0) < clock.now() - typed.when < timedelta(hours=1)


@pytest.mark.hazard("H-085")
@settings(max_examples=2000, deadline=None)
@given(rate=st.integers(1, 3000), weight=st.integers(200, 3000), conc=st.integers(10, 10000))
def test_every_shown_ml_per_h_programs_exactly_the_shown_mg_per_h(rate, weight, conc):
    """Any rate typed with up to 3 decimals (mg/kg/h), any weight with 1, any
    concentration with 2: the mL/h shown, times the concentration, is the mg/h shown,
    digit for digit; a figure that cannot end is marked ≈, never shown as exact."""
    r, w, c = rate / 1000, weight / 10, conc / 100
    figures = rate_text(r, "mg/kg/h", w, c).split(" = ")
    mg_h, ml_h = (Decimal(f.split()[0].lstrip("≈")) for f in figures[1:])
    exact_ml = Decimal(str(r)) * Decimal(str(w)) / Decimal(str(c))
    assert mg_h == Decimal(str(r)) * Decimal(str(w))
    if figures[2].startswith("≈"):
        assert ml_h != exact_ml and abs(ml_h - exact_ml) <= Decimal("0.00005")
    else:
        assert ml_h == exact_ml and ml_h * Decimal(str(c)) == mg_h


@pytest.mark.hazard("H-084")
def test_a_device_sending_hr_0_or_sbp_30_keeps_it_as_an_artifact(recorder):
    """A device cannot confirm: its probe-off HR 0 and cuff-error SBP 30 stay in the record
    as artifacts (no alarm), beside its plausible values."""
    (ev,) = recorder.record_device_vitals([({"hr": 0, "sbp": 30, "dbp": 20, "spo2": 97},
                                            recorder.clock.now(), "monitor-1")])
    assert not isinstance(ev, ValidationError)
    assert ev.payload["artifact_values"] == {"hr": "0", "sbp": "30"}
    assert ev.payload["spo2"] == 97 and "hr" not in ev.payload


@pytest.mark.hazard("H-089")
@pytest.mark.hazard("H-085")
def test_re_weigh_and_ml_per_h_survive_export_and_import(store, clock, protocols, tmp_path):
    """The JSON export (schema-valid) imports into another database, checked like live
    entries, and folds to the same dose: 2.45 mL/h × 10 mg/mL = 24.5 mg/h for 1 h, then
    re-weighed and a rate of 0.5 mg/kg/h × 80 kg = 40 mg/h for 1 h: 64.5 mg."""
    import json

    import jsonschema

    from monitor.export import export_session
    from monitor.export.json_io import import_file
    from monitor.log.sqlite.store import Store
    rec = opened(store, clock, protocols)
    baseline_vitals(rec)
    rec.start_infusion("RN7", rate="2.45", rate_unit="mL/h", concentration="10")
    clock.advance(3600)
    rec.change_weight("RN7", "80", "re-weigh")
    rec.change_rate("RN7", "0.5", "mg/kg/h")
    clock.advance(3600)
    assert rec.session.dose_mg(clock.now()) == pytest.approx(64.5)
    path = export_session(store, rec.session.session_id, "json", tmp_path / "s.json",
                          clock=clock)
    schema = json.loads((Path(__file__).parents[3] / "docs" / "session-export.schema.json")
                        .read_text())
    jsonschema.validate(json.loads(path.read_text()), schema)
    with Store(tmp_path / "other.db") as other:
        sid, _count = import_file(other, path, protocols, clock.now())
        again = fold(sid, other.events(sid))
    assert again.dose_mg(clock.now()) == pytest.approx(64.5) and again.weight_kg == 80
