"""Where NEWS2's consciousness comes from (CLINICAL §7): the sedation score wins when
newer than the last ACVPU, and within one assessment the worse level wins; the source
and the overruled ACVPU are named so the screen can say why."""

from __future__ import annotations

import pytest

from monitor.clinical.rules.consciousness import consciousness_level
from monitor.clinical.rules.news2_live import news2_now
from monitor.record.recorder import Recorder
from tests.conftest import baseline_vitals


@pytest.mark.hazard("H-334")
def test_moaas_4_with_acvpu_a_scores_v_and_says_so(recorder: Recorder) -> None:
    baseline_vitals(recorder)  # MOAA/S 5 and ACVPU A: A, from the nurse's ACVPU or MOAA/S 5
    recorder.clock.advance(60)
    recorder.record_assessment({"moaas": 4, "acvpu": "A"}, "RN7")
    level = consciousness_level(recorder.session, recorder.protocol)
    assert level is not None and (level.level, level.scale, level.chosen) == ("V", "moaas", "A")
    assert level.short() == "C: V from MOAA/S 4"
    assert "the ACVPU A recorded is overruled" in level.explained()
    assert news2_now(recorder.session, recorder.protocol, recorder.clock.now()).scores[
        "acvpu"] == 3


def test_an_acvpu_newer_than_the_score_is_read_as_recorded(recorder: Recorder) -> None:
    baseline_vitals(recorder)
    recorder.clock.advance(60)
    recorder.record_assessment({"moaas": 4}, "RN7")
    recorder.clock.advance(60)
    recorder.record_assessment({"acvpu": "A"}, "RN7")
    level = consciousness_level(recorder.session, recorder.protocol)
    assert level is not None and (level.level, level.scale, level.short()) == ("A", None, "")
