"""NEWS2 exactly as the RCP chart: every band boundary, both SpO2 scales."""

from __future__ import annotations

import pytest

from monitor.clinical.rules import news2 as n

BOUNDARIES = [
    (n.score_rr, [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)]),
    (n.score_spo2_scale1, [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]),
    (n.score_sbp, [(90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0),
                   (220, 3)]),
    (n.score_hr, [(40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2),
                  (130, 2), (131, 3)]),
    (n.score_temp, [(35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1),
                    (39.0, 1), (39.1, 2)]),
]


@pytest.mark.parametrize(("fn", "value", "score"),
                         [(fn, v, s) for fn, cases in BOUNDARIES for v, s in cases])
def test_band_boundaries(fn, value, score):
    assert fn(value) == score


@pytest.mark.parametrize(("spo2", "oxygen", "score"), [
    (83, False, 3), (84, False, 2), (85, False, 2), (86, False, 1), (87, False, 1),
    (88, False, 0), (92, False, 0), (93, False, 0), (99, False, 0),
    (92, True, 0), (93, True, 1), (94, True, 1), (95, True, 2), (96, True, 2), (97, True, 3),
])
def test_spo2_scale2(spo2, oxygen, score):
    assert n.score_spo2_scale2(spo2, oxygen) == score


def test_air_oxygen_and_consciousness():
    assert (n.score_o2("air"), n.score_o2("oxygen")) == (0, 2)
    assert [n.score_acvpu(x) for x in "ACVPU"] == [0, 3, 3, 3, 3]


NORMAL = {"rr": 14, "spo2": 98, "o2": "air", "sbp": 128, "hr": 72, "acvpu": "A", "temp": 36.8}


@pytest.mark.parametrize(("changes", "total", "band"), [
    ({}, 0, "low"),
    ({"hr": 95}, 1, "low"),
    ({"hr": 95, "rr": 22, "temp": 38.5}, 4, "low"),
    ({"rr": 8}, 3, "low-medium"),
    ({"hr": 115, "rr": 22, "temp": 38.5}, 5, "medium"),
    ({"hr": 115, "rr": 22, "temp": 38.5, "spo2": 95}, 6, "medium"),
    ({"hr": 115, "rr": 22, "temp": 38.5, "o2": "oxygen"}, 7, "high"),
])
def test_totals_and_bands(changes, total, band):
    result = n.news2({**NORMAL, **changes})
    assert (result.total, result.band) == (total, band)
    assert result.response


def test_incomplete_set_names_what_is_missing():
    result = n.news2({**NORMAL, "temp": None, "acvpu": None})
    assert result.total is None and result.band == "incomplete"
    assert result.response == "NEWS2 not scored: missing consciousness, temperature"


def test_session_news2_uses_window_and_skips_artifacts(recorder, clock):
    from monitor.clinical.rules.conditions import news2_now
    recorder.record_vitals({"sbp": "128/82", "hr": "72", "spo2": "98", "rr": "14",
                            "temp": "36.8"}, "RN7")
    recorder.record_assessment({"acvpu": "A"}, "RN7")
    assert news2_now(recorder.session, recorder.protocol, clock.now()).total == 0
    ev = recorder.record_vitals({"hr": "135"}, "RN7")
    assert news2_now(recorder.session, recorder.protocol, clock.now()).total == 3
    recorder.flag_artifact("RN7", ev.seq, "motion")
    assert news2_now(recorder.session, recorder.protocol, clock.now()).total == 0
    clock.advance(61 * 60)
    stale = news2_now(recorder.session, recorder.protocol, clock.now())
    assert stale.total is None and "pulse" in stale.response
