"""The board tile's vitals come from the registry (parameters marked ``board``) and are
decided by the value rail, as at the bedside: a BP is one reading, never a systolic of
one reading beside the diastolic of another."""

from __future__ import annotations

import pytest

from monitor.board.vitals import BOARD_ROWS, age_text, tile_vitals
from monitor.record.recorder import Recorder
from tests.conftest import baseline_vitals


def test_the_shipped_board_rows_are_the_registry_s() -> None:
    assert BOARD_ROWS == ("bp", "hr", "spo2")


def test_nothing_recorded_reads_as_a_dash(recorder: Recorder) -> None:
    now = recorder.clock.now()
    assert tile_vitals(recorder.session, recorder.protocol, now) == [
        ("BP", "—", ""), ("HR", "—", ""), ("SpO2", "—", "")]


@pytest.mark.hazard("H-303")
def test_a_bp_on_the_board_is_one_reading(recorder: Recorder) -> None:
    baseline_vitals(recorder)                               # 128/82 at T0
    recorder.clock.advance(600)
    assert tile_vitals(recorder.session, recorder.protocol, recorder.clock.now())[0] == (
        "BP", "128/82", "10 min")
    # A cuff sends only the systolic: the tile shows 150 alone, as the rail does, never
    # "150/82" (a diastolic ten minutes older under the new reading's age).
    recorder.record_vitals({"sbp": "150"}, "monitor-1", source="device")
    recorder.clock.advance(30)
    bp, hr, spo2 = tile_vitals(recorder.session, recorder.protocol, recorder.clock.now())
    assert bp == ("BP", "150", "30 s")
    assert hr == ("HR", "72", "10 min") and spo2 == ("SpO2", "98", "10 min")


def test_age_text() -> None:
    assert [age_text(s) for s in (-3, 59, 61, 3600 + 5 * 60)] == [
        "0 s", "59 s", "1 min", "1 h 05 min"]
