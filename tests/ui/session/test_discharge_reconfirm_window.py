"""By clicks: a HIGH alarm that starts while the discharge confirmation is open is not
discharged unseen. "Discharge anyway" on the old list asks again, naming the new alarm
(marked NEW), and only the second answer discharges (docs/alarms-and-protocols.md)."""

from __future__ import annotations

import pytest

from tests.conftest import PRESCRIBED
from tests.support.window import click, type_into
from tests.ui.session.test_discharge_window import _esketamine_unsafe


@pytest.mark.hazard("H-021")
def test_a_high_alarm_during_the_confirmation_is_asked_again_by_clicks(qtbot, store, clock,
                                                                       protocols):
    window, _page, rec, d = _esketamine_unsafe(qtbot, store, clock, protocols)
    click(qtbot, d.escort)
    click(qtbot, d.advice)
    d.override_kind.setCurrentIndex(d.override_kind.findData("prescriber"))
    type_into(qtbot, d.prescriber, PRESCRIBED["prescriber"])
    type_into(qtbot, d.override, PRESCRIBED["override_reason"])
    click(qtbot, d.discharge_button)
    dialog = d.unmet_dialog
    assert dialog.isVisible()
    first = dialog.items.text()
    assert "HIGH HR 135" not in first and "NEW:" not in first
    rec.record_vitals({"hr": "135"}, "RN7")             # a HIGH HR while the question is open
    click(qtbot, dialog.confirm_button)                   # "Discharge anyway" on the old list
    assert rec.session.phase == "recovery" and rec.session.discharge is None
    assert dialog.isVisible()                             # asked again
    assert dialog.question.text().startswith("The list changed since you answered.")
    listed = dialog.items.text()
    alarm_line = next(line for line in listed.splitlines() if "No active alarm" in line)
    assert alarm_line.startswith("• NEW: No active alarm:") and "HIGH HR 135" in alarm_line
    click(qtbot, dialog.confirm_button)                   # answered on what was shown
    assert rec.session.phase == "discharged"
    confirmed = rec.session.discharge["confirmed_unmet"]
    assert any("HIGH HR 135" in line for line in confirmed)
    window.shutdown()
