"""A parameter added to the registry alone reaches the window: the vitals row (typed,
recorded, read back from the store), the amendment form, the limit editor under its
label and unit, the value rail, the chart key and read-out, and the clinic board's tile
(the core side: tests/monitor/model/test_parameter_registry.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from monitor.model.parameters import PARAMETERS, keys

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.hazard("H-300")
def test_an_added_parameter_reaches_every_view() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.added_parameter.plugin",
         "-p", "no:cacheprovider", "tests/added_parameter/probe_added_parameter_ui.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "4 passed" in out.stdout.splitlines()[-1], out.stdout[-3000:]


# -- the shipped registry, in the window -------------------------------------------------
@pytest.mark.hazard("H-301")
def test_the_limit_editor_names_every_limit_by_label_and_unit(qtbot, bedside) -> None:
    from monitor.model.events import EventKind
    from tests.support.window import click, pick_by_keys, type_into

    _window, page, rec = bedside
    qtbot.keyClick(page, Qt.Key.Key_F7)
    combo = page.alarm_history.limits.limit
    offered = {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}
    assert {k.partition(".")[0] for k in offered} == set(keys(limits=True))
    for key, text in offered.items():
        param = PARAMETERS[key.partition(".")[0]]
        assert text.startswith(f"{param.label} ({param.unit}): " if param.unit
                               else f"{param.label}: "), text
    assert offered["etco2.high_high"] == "EtCO2 (mmHg): upper limit, high alarm"
    assert offered["spo2.medium_low"] == "SpO2 (%): lower limit, warning"
    assert offered["moaas.high_low"] == "MOAA/S: lower limit, high alarm"
    editor = page.alarm_history.limits
    pick_by_keys(qtbot, combo, "EtCO2 (mmHg): upper limit, high alarm")
    type_into(qtbot, editor.limit_value, "55")
    type_into(qtbot, editor.limit_reason, "physician order")
    click(qtbot, editor.limit_button)
    (ev,) = [e for e in rec.store.events(rec.session.session_id)
             if e.kind is EventKind.LIMIT_CHANGED]
    assert (ev.payload["limit"], ev.payload["new"]) == ("etco2.high_high", 55)
    assert "EtCO2 (mmHg): upper limit, high alarm changed" in editor.last.text()


@pytest.mark.hazard("H-302")
def test_the_chart_key_names_every_curve_that_shares_a_lane(qtbot, bedside) -> None:
    from PySide6.QtGui import QTextDocumentFragment

    from ui.common import theme

    _window, page, _rec = bedside
    qtbot.waitUntil(lambda: page.charts is not None, timeout=10_000)
    charts = page.charts
    shown = QTextDocumentFragment.fromHtml(charts.key.text()).toPlainText()
    assert charts.key.toolTip() == charts.key.text()  # whole when a side panel cuts it
    assert shown == ("RR: ━ RR ━ EtCO2 (right) · "
                     "0–10: ━ Pain ━ Dissoc. ━ CADSS-6 (right)"), shown
    for curves in charts.keyed().values():
        for name in curves:  # the key's colour is the curve's
            assert (charts.curves[name].opts["pen"].color().name().lower()
                    == theme.series_color(name).lower())
            assert f'color:{theme.series_color(name)}">━ ' in charts.key.text()
    # The right-hand axes from the registry: EtCO2 60 mmHg at the top of RR's 0–40.
    right = charts.plots["rr"].getAxis("right")
    assert right.labelText == "EtCO2"
    assert [(round(v, 6), t) for v, t in right._tickLevels[0]] == [
        (0, "0"), (20, "30"), (40, "60")]


def test_the_vitals_row_is_the_registry_s_typed_vitals(qtbot, bedside) -> None:
    _window, page, _rec = bedside
    row = page.vitals
    assert list(row.edits) == ["sbp", "dbp", "hr", "spo2", "rr", "temp", "etco2"]
    assert [row.edits[k].accessibleName() for k in row.edits] == [
        PARAMETERS[k].label for k in row.edits]
    assert "map" not in row.edits  # derived from SBP and DBP, or sent by a monitor
