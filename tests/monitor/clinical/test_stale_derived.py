"""A monitor's value that has gone stale ("no data": chronic-pain-iv ``stale_device_s``
30, so stale once MORE than 30 s have passed since the last sample) stops driving
every derived rule as it stops driving the limit rules (CLINICAL §5): NEWS2, the
sedation-with-respiratory-depression picture and the SpO2 trend. Both sides of the
boundary: 30 s of silence still reads the value, 31 s does not."""

from __future__ import annotations

import pytest

from monitor.clinical.rules.conditions import evaluate_conditions
from monitor.clinical.rules.news2_live import news2_now
from monitor.record.recorder import Recorder
from tests.conftest import started


def started_a_minute_ago(rec: Recorder) -> Recorder:
    started(rec)            # 128/82, HR 72, SpO2 98, RR 14, 36.8, MOAA/S 5, A: NEWS2 0
    rec.clock.advance(60)
    return rec


def stream(rec: Recorder, seconds: int, **values: str) -> None:
    """One device sample a second for ``seconds`` + 1 samples."""
    for i in range(seconds + 1):
        if i:
            rec.clock.advance(1)
        rec.record_vitals(dict(values), "RN7", source="device")


def reasons(rec: Recorder):
    return evaluate_conditions(rec.session, rec.protocol, rec.clock.now())[0]


@pytest.mark.hazard("H-022")
@pytest.mark.parametrize(("silence_s", "stale"), [(0, False), (30, False), (31, True),
                                                  (40, True)])
def test_a_stale_device_spo2_stops_driving_news2(recorder, clock, silence_s, stale):
    rec = started_a_minute_ago(recorder)
    stream(rec, 14, spo2="88")                    # 15 samples of SpO2 88 (NEWS2 3)
    clock.advance(silence_s)
    score = news2_now(rec.session, rec.protocol, clock.now())
    found = reasons(rec)
    if not stale:
        assert (score.total, score.scores["spo2"]) == (3, 3)
        assert found["news2"].message.startswith("NEWS2 3 with 3 in one parameter")
        assert "stale:spo2" not in found
        return
    assert score.total is None and score.reason == "SpO2: no data from the monitor"
    assert "news2" not in found                   # no MEDIUM "3 in one parameter"
    assert "limit:spo2:low" not in found and "stale:spo2" in found


@pytest.mark.hazard("H-022")
def test_a_manual_spo2_after_the_stream_stopped_scores_again(recorder, clock):
    rec = started_a_minute_ago(recorder)
    stream(rec, 14, spo2="88")
    clock.advance(40)
    rec.record_vitals({"spo2": "97"}, "RN7")        # the nurse's reading: newest, not stale
    score = news2_now(rec.session, rec.protocol, clock.now())
    assert (score.total, score.scores["spo2"]) == (0, 0)


@pytest.mark.hazard("H-022")
@pytest.mark.parametrize(("silence_s", "fires"), [(30, True), (31, False)])
def test_a_stale_device_rr_stops_driving_the_respiratory_depression_alarm(
        recorder, clock, silence_s, fires):
    rec = started_a_minute_ago(recorder)
    rec.record_assessment({"moaas": 3}, "RN7")      # deeper than expected
    stream(rec, 12, rr="8")                         # RR 8 held 12 s (> the 10 s delay)
    clock.advance(silence_s)
    assert ("resp_depression" in reasons(rec)) is fires


@pytest.mark.hazard("H-022")
@pytest.mark.parametrize(("silence_s", "fires"), [(30, True), (31, False)])
def test_a_stale_falling_spo2_trend_ends(recorder, clock, silence_s, fires):
    rec = started_a_minute_ago(recorder)
    rec.record_vitals({"spo2": "98"}, "RN7", source="device")
    clock.advance(60)
    stream(rec, 12, spo2="94")                      # down 4 in 5 min, held 12 s
    clock.advance(silence_s)
    assert ("rate:spo2" in reasons(rec)) is fires
