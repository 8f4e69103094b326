"""A beta-blocked patient (HR 50 before any drug): the alarms panel (F7) offers a
per-patient limit, and one click records it as a limit change with its reason."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import click, make_window


@pytest.mark.hazard("H-012")
def test_baseline_beyond_a_limit_is_offered_a_per_patient_limit(qtbot, store, clock, protocols):
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec, hr=50)                         # HR 50 ≤ 50: beyond the medium limit
    page = window.open_session(rec)
    try:
        qtbot.keyClick(page, Qt.Key.Key_F7)
        editor = page.alarm_history.limits
        qtbot.waitUntil(editor.offer_button.isVisible, timeout=2000)
        assert editor.offer.text() == ("Baseline HR 50 is beyond its limit (≤ 50): "
                                       "set this patient's limit to ≤ 45?")  # 50 × 0.9 = 45
        click(qtbot, editor.offer_button)
        (ev,) = [e for e in store.events(rec.session.session_id)
                 if e.kind is EventKind.LIMIT_CHANGED]
        assert (ev.payload["limit"], ev.payload["old"], ev.payload["new"]) == (
            "hr.medium_low", 50, 45)
        assert ev.payload["reason"].startswith("baseline HR 50 beyond the clinic limit ≤ 50")
        assert not editor.offer_button.isVisible()      # nothing more to offer
        assert "hr" not in rec.session.active_alarm_by_key  # HR 50 > 45: no alarm
    finally:
        window.shutdown()
