"""Late device samples (older than the newest) fold in place: the series end up as
a full rebuild in time order makes them, without refolding the session."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.model.session import fold
from tests.conftest import T0, baseline_vitals


def _columns(session, name):
    s = session.series[name]
    return list(s.t), list(s.v), list(s.seq)


@pytest.mark.hazard("H-137")
def test_late_device_samples_fold_in_place_as_a_rebuild_would(recorder, clock, store):
    baseline_vitals(recorder)
    clock.advance(60)
    recorder.start_infusion("RN7", rate="0.2", rate_unit="mg/kg/h", confirmed=True)
    start = clock.now()
    clock.advance(600)
    recorder.record_device_vitals([({"hr": 70 + i % 5, "spo2": 97}, start + timedelta(
        seconds=10 * i), "DEV") for i in range(1, 50)])
    hr_series = recorder.session.series["hr"]
    dose = recorder.session.dose_mg(clock.now())
    late = [({"hr": 90 + i, "spo2": 94}, start + timedelta(seconds=10 * i + 5), "DEV")
            for i in range(1, 40, 3)]
    late.append(({"hr": 88}, start + timedelta(seconds=10), "DEV"))   # same time as one stored
    late.append(({"hr": 66}, T0 + timedelta(seconds=30), "DEV"))      # before the infusion
    results = recorder.record_device_vitals(late)
    assert all(not isinstance(r, Exception) for r in results)
    session = recorder.session
    assert session.series["hr"] is hr_series        # folded in place, not rebuilt
    assert session.dose_mg(clock.now()) == dose     # a device sample changes no dose
    rebuilt = fold(session.session_id, store.events(session.session_id))
    rebuilt.rebuild()
    for name in ("hr", "spo2", "sbp"):
        assert _columns(session, name) == _columns(rebuilt, name), name
    assert session.baseline() == rebuilt.baseline()
    assert session.device_last == rebuilt.device_last
