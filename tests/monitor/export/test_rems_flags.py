"""The REMS form's sedation, dissociation and respiratory-depression answers (CLINICAL §7:
the flags count only readings after dosing). Nothing assessed after dosing is "not
assessed after dosing", never "no". Respiratory depression is read as the alarms read
it: the protocol's high limits (esketamine: RR ≤ 8, SpO2 ≤ 91; the session's own
changes too), a monitor's value only after the 10 s persistence delay, and the
sedation-with-respiratory-depression alarm (MOAA/S ≤ 3 with RR ≤ 9) when it was raised."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from monitor.export.context import ExportContext
from monitor.export.rems import DISSOCIATION_KEY, RESP_KEY, SEDATION_KEY, rems_items
from monitor.export.rems_flags import NOT_ASSESSED
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals


def dosed(store, clock, protocols) -> Recorder:
    rec = Recorder.open_new(store, clock, protocols,
                            {**OPENING, "protocol": "esketamine-nasal"})
    baseline_vitals(rec)                    # pre-dose 128/82, SpO2 98, RR 14, MOAA/S 5
    rec.start_infusion("RN7", dose_mg="56", lot="L1")
    clock.advance(20 * 60)
    return rec


def form(rec: Recorder) -> dict[str, str]:
    return rems_items(ExportContext(rec.session, rec.protocol, False, rec.clock.now()))


@pytest.mark.hazard("H-023")
@pytest.mark.parametrize(("after", "sedation", "dissociation"), [
    (None, NOT_ASSESSED, NOT_ASSESSED),                      # nothing after dosing
    ({"moaas": 5}, "no", NOT_ASSESSED),
    ({"moaas": 4}, "yes", NOT_ASSESSED),
    ({"dissociation": 0}, NOT_ASSESSED, "no"),
    ({"cadss6": [1, 0, 0, 0, 0, 0]}, NOT_ASSESSED, "yes"),
    ({"moaas": 5, "cadss6": [0] * 6}, "no", "no"),
])
def test_sedation_and_dissociation_not_assessed_after_dosing_say_so(
        store, clock, protocols, after, sedation, dissociation):
    rec = dosed(store, clock, protocols)
    if after:
        rec.record_assessment(after, "RN7")
    items = form(rec)
    assert (items[SEDATION_KEY], items[DISSOCIATION_KEY]) == (sedation, dissociation)


def _manual(**values: str) -> Callable[[Recorder], None]:
    return lambda rec: rec.record_vitals(dict(values), "RN7")


def _device(seconds: int, then: str | None = "97", **values: str) -> Callable[[Recorder], None]:
    """Device samples at 1 Hz for ``seconds`` + 1 samples, then one back in range."""
    def run(rec: Recorder) -> None:
        for i in range(seconds + 1):
            if i:
                rec.clock.advance(1)
            rec.record_vitals(dict(values), "RN7", source="device")
        if then:
            rec.clock.advance(1)
            rec.record_vitals({next(iter(values)): then}, "RN7", source="device")
    return run


def _sedated_rr(moaas: int, rr: str) -> Callable[[Recorder], None]:
    def run(rec: Recorder) -> None:
        rec.record_assessment({"moaas": moaas}, "RN7")
        rec.record_vitals({"rr": rr}, "RN7")
    return run


def _session_limit(rr: str) -> Callable[[Recorder], None]:
    def run(rec: Recorder) -> None:
        rec.change_limit("RN7", "rr.high_low", "9", "COPD, physician's order")
        rec.record_vitals({"rr": rr}, "RN7")
    return run


@pytest.mark.hazard("H-024")
@pytest.mark.parametrize(("meanwhile", "expected"), [
    (None, NOT_ASSESSED),                                    # no RR or SpO2 after dosing
    (_manual(rr="14"), "no"),
    (_manual(rr="9"), "no"),                                  # the protocol's limit is ≤ 8
    (_manual(rr="8"), "yes (RR 8 ≤ 8 at "),
    (_manual(spo2="92"), "no"),
    (_manual(spo2="91"), "yes (SpO2 91 ≤ 91 at "),
    (_device(0, spo2="89"), "no"),                            # one 1 s sample: no alarm, no
    (_device(9, spo2="89"), "no"),                            # 9 s: short of the delay
    (_device(10, spo2="89"), "yes (SpO2 89 ≤ 91 at "),        # held 10 s: as the alarm
    (_sedated_rr(4, "9"), "no"),                              # expected effects only
    (_sedated_rr(3, "9"), "yes (alarm at "),                  # the HIGH picture was raised
    (_session_limit("10"), "no"),
    (_session_limit("9"), "yes (RR 9 ≤ 9 at "),               # this session's limit
])
def test_respiratory_depression_is_read_as_the_alarms_read_it(store, clock, protocols,
                                                              meanwhile, expected):
    rec = dosed(store, clock, protocols)
    if meanwhile:
        meanwhile(rec)
    answer = form(rec)[RESP_KEY]
    assert answer.startswith(expected), answer
    if expected == "yes (alarm at ":
        assert "Sedation with respiratory depression: MOAA/S 3 ≤ 3; RR 9 ≤ 9" in answer
