"""The course view's figures, from five sessions recorded through the recorder,
against hand computation (the arithmetic is in the comments)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.app.course_demo import NOW, OPENED, PATIENT, build_course
from monitor.clinical.outcomes import measures
from monitor.clinical.protocols import load_protocols
from monitor.courses.course import Extreme, course_facts, load_course, previous_session
from monitor.errors import ValidationError
from monitor.log.sqlite.store import Store

NO_INTERVENTIONS = {"antiemetic": 0, "benzodiazepine": 0, "antihypertensive": 0, "pauses": 0}


@pytest.fixture(scope="module")
def course_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    db = tmp_path_factory.mktemp("series") / "series.db"
    with Store(db) as log:
        return db, build_course(log)


@pytest.fixture(scope="module")
def facts(course_db):
    with Store(course_db[0], readonly=True) as store:
        return course_facts(load_course(store, PATIENT), load_protocols(), NOW)


def test_the_course_is_the_patients_sessions_in_time_order(course_db, facts) -> None:
    assert [f.session_id for f in facts] == course_db[1]
    assert [f.number for f in facts] == [1, 2, 3, 4, 5]
    assert [f.opened_at for f in facts] == OPENED
    assert [f.days_since_first for f in facts] == [0, 1, 2, 5, 9]
    assert [f.days_since_previous for f in facts] == [None, 1, 1, 3, 4]
    assert [f.protocol for f in facts] == ["chronic-pain-iv"] * 3 + ["depression-iv"] * 2
    assert [f.phase for f in facts] == ["recovery"] * 4 + ["infusing"]


def test_dose_and_duration(facts) -> None:
    # 1: 0.35 mg/kg/h × 70 kg = 24.5 mg/h × 40/60 h = 16.33 mg = 0.233 mg/kg
    # 2: 35 mg/h × (15 + 20)/60 h (paused 5 of 40 min) = 20.42 mg = 0.292 mg/kg
    # 3: 24.5 mg/h × 1 h = 24.5 mg = 0.35 mg/kg
    # 4: 0.5 × 72 kg = 36 mg/h × 40/60 h = 24 mg = 0.333 mg/kg
    # 5: 36 mg/h × 12/60 h so far = 7.2 mg = 0.1 mg/kg
    assert [f.dose_mg for f in facts] == [16.3, 20.4, 24.5, 24.0, 7.2]
    assert [f.dose_mg_per_kg for f in facts] == [0.23, 0.29, 0.35, 0.33, 0.1]
    assert [f.duration_min for f in facts] == [40, 40, 60, 40, 12]


def test_peaks_and_lowest_values_with_their_minute_from_infusion_start(facts) -> None:
    assert [f.peak_sbp for f in facts] == [
        Extreme(142, 20), Extreme(185, 20),
        Extreme(145, 20),   # 158 at 10 min was flagged artifact; 140 at 20 amended to 145
        Extreme(138, 20), Extreme(140, 10)]
    assert [f.peak_dbp for f in facts] == [
        Extreme(88, 20), Extreme(112, 20), Extreme(88, 20), Extreme(86, 20), Extreme(90, 10)]
    assert [f.lowest_spo2 for f in facts] == [
        Extreme(95, 30), Extreme(96, 10), Extreme(94, 20), Extreme(92, 20), Extreme(97, 10)]
    # Baseline MOAA/S 5 at 5 min before the start; only session 1 went lower.
    assert [f.lowest_sedation for f in facts] == [Extreme(4, 20)] + [Extreme(5, -5)] * 4
    assert {f.sedation_scale for f in facts} == {"moaas"}
    assert [f.peak_dissociation for f in facts] == [
        Extreme(5, 20), None, None, Extreme(6, 10), Extreme(2, 10)]
    assert [f.peak_cadss6 for f in facts] == [Extreme(3, 20), None, None, None, None]


def test_alarm_counts(facts) -> None:
    # 1: MOAA/S 4 < baseline 5 (medium), left unacknowledged: escalated to high.
    # 2: one alarm for the BP parameter (one row per parameter, CLINICAL §5): SBP 185 ≥ 180
    #    (high), its other reasons (DBP 112 ≥ 110, SBP +57 and DBP +30 over baseline, SBP +35
    #    in 10 min) listed with it, not counted again. Overdue sedation is low: not counted.
    # 4: SpO2 92 ≤ 93 (medium); the overdue round after it is low: not counted.
    assert [f.alarms_high for f in facts] == [1, 1, 0, 0, 0]
    assert [f.alarms_medium for f in facts] == [0, 0, 0, 1, 0]


def test_interventions(facts) -> None:
    assert facts[0].interventions == {**NO_INTERVENTIONS, "antiemetic": 1}
    # Ondansetron and midazolam as medications; antihypertensive as a quick event and
    # labetalol as a medication; one pause.
    assert facts[1].interventions == {"antiemetic": 1, "benzodiazepine": 1,
                                      "antihypertensive": 2, "pauses": 1}
    assert [f.interventions for f in facts[2:]] == [NO_INTERVENTIONS] * 3


def test_outcomes_before_after_and_relief_reported_at_the_next_visit(facts) -> None:
    assert facts[0].outcomes == {"pain_before": 7, "pain_after": 3}
    # Recorded pain before (6) wins over the baseline rating (7); after falls back to
    # the last pain rating after the start (2).
    assert facts[1].outcomes == {"relief_hours": 20, "pain_before": 6, "pain_after": 2}
    assert facts[2].outcomes == {"relief_hours": 36, "pain_before": 5, "pain_after": 4}
    assert facts[3].outcomes == {"relief_hours": 48, "phq9": 18, "madrs_before": 30,
                                 "madrs_after": 22}
    assert facts[4].outcomes == {"relief_hours": 24, "phq9": 12}
    assert [f.relief_hours_reported_next for f in facts] == [20, 36, 48, 24, None]


def test_previous_session_is_the_latest_earlier_one_of_the_same_patient(course_db) -> None:
    db, ids = course_db
    with Store(db, readonly=True) as store:
        series = load_course(store, PATIENT)
        prev = previous_session(store, series[4])
        assert prev is not None and prev.session_id == ids[3]
        assert previous_session(store, series[0]) is None


def test_outcome_validation_names_the_field_and_stores_nothing(recorder) -> None:
    before = len(recorder.store.events(recorder.session.session_id))
    with pytest.raises(ValidationError) as exc:
        recorder.record_outcome({"phq9": "28", "madrs_before": "abc", "relief_hours": "-1",
                                 "madrs_item3": "4"}, "RN7")
    by = exc.value.by_field()
    assert "0 to 27" in by["phq9"].allowed
    assert "0 to 60" in by["madrs_before"].allowed
    assert "from 0 to 720 h" in by["relief_hours"].allowed
    assert "phq9" in by["madrs_item3"].allowed
    with pytest.raises(ValidationError, match="at least one"):
        recorder.record_outcome({"phq9": " "}, "RN7")
    with pytest.raises(ValidationError, match="whole number"):
        recorder.record_outcome({"pain_before": "6.5"}, "RN7")
    assert len(recorder.store.events(recorder.session.session_id)) == before


def test_outcomes_are_amended_and_struck_like_any_entry(recorder, clock) -> None:
    from monitor.courses.course import summarize
    ev = recorder.record_outcome({"phq9": "15", "relief_hours": "12,5"}, "RN7")
    assert ev.payload == {"phq9": 15, "relief_hours": 12.5}
    with pytest.raises(ValidationError, match="0 to 27"):
        recorder.amend("RN7", ev.seq, {"phq9": "30"}, "typo")
    recorder.amend("RN7", ev.seq, {"phq9": "16"}, "typo")
    facts = summarize(recorder.session, "moaas", clock.now())
    assert facts.outcomes["phq9"] == 16
    recorder.strike("RN7", ev.seq, "wrong patient")
    assert "phq9" not in summarize(recorder.session, "moaas", clock.now()).outcomes


def test_madrs_is_a_total_only() -> None:
    madrs = [m for k, m in measures().items() if k.startswith("madrs")]
    assert madrs and all(m.rater == "clinician" and m.range.high == 60 for m in madrs)
    assert measures()["phq9"].rater == "patient" and measures()["phq9"].range.high == 27
