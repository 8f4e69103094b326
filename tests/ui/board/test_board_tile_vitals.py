"""The board tile draws the registry's board vitals as the core decided them (no
server needed: the tile is given what it shows)."""

from __future__ import annotations

import pytest

from monitor.board.chairs import Tile
from monitor.board.vitals import tile_vitals
from monitor.record.recorder import Recorder
from tests.conftest import baseline_vitals
from ui.board.tile import VITAL_SHARE, TileView


@pytest.mark.hazard("H-303")
def test_the_tile_shows_one_reading_s_bp_with_its_age(qtbot, recorder: Recorder) -> None:
    baseline_vitals(recorder)
    recorder.clock.advance(600)
    recorder.record_vitals({"sbp": "150"}, "monitor-1", source="device")
    view = TileView("km_chair_1", "Chair 1")
    qtbot.addWidget(view)
    now = recorder.clock.now()
    view.show_tile(Tile("km_chair_1", recorder.session.session_id, "J.D.", live=True,
                        vitals=tile_vitals(recorder.session, recorder.protocol, now)))
    text = view.text()
    assert "BP 150 0 s" in text and "150/82" not in text, text
    assert "HR 72 10 min" in text and "SpO2 98 10 min" in text, text
    assert [v.accessibleName() for v in view.vitals] == ["Latest bp", "Latest hr",
                                                          "Latest spo2"]
    assert VITAL_SHARE == (7, 4, 4)  # BP's two values get the widest share
