"""With the plugin's added parameter: the window's value rail and charts show it
(run by tests/ui/session/test_parameter_registry_ui.py in its own interpreter)."""

from __future__ import annotations

from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.window import make_window

KEY = "tcco2"


def test_rail_and_charts_show_the_added_parameter(qtbot, store, clock, protocols) -> None:
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    page = window.open_session(rec)
    qtbot.waitUntil(lambda: page.charts is not None, timeout=10_000)
    clock.advance(60)
    rec.record_vitals({KEY: "30"}, "RN7")
    page.tick()
    assert page.rail.values[KEY].text() == "30"
    assert "TcCO2" in page.rail.values[KEY].accessibleName()
    charts = page.charts
    assert KEY in charts.curves and charts.marks[KEY].points().size == 1
    x = (rec.clock.now().timestamp() - charts.ref) / 60.0
    assert "TcCO2 30" in charts.show_crosshair(x)
    window.shutdown()
