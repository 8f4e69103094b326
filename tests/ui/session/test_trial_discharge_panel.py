"""A new nurse's session at the ward's screen sizes, driven by keys and clicks: the
discharge panel holds still while she fills it (an Aldrete score that wrapped its
check moved Escort and the basis box under her next click), every control of it is
on screen with the banner at its maximum and a refusal shown, the refusal says what
is still missing as she fixes it, and the log says which act the discharge was."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget

from tests.support.window import CLIENT, at_screen, click, pick_by_keys, type_into

SIZES = list(CLIENT)


def where(widget: QWidget) -> QRect:
    top_left = widget.mapTo(widget.window(), widget.rect().topLeft())
    return QRect(top_left, widget.size())


def controls(d) -> list[QWidget]:
    """Everything the nurse clicks or types into in the discharge panel."""
    return [*d.aldrete.values(), d.escort, d.advice, d.ready, d.override_kind,
            d.discharge_button, d.sign_nurse, d.close_button, *d.export_buttons]


def recovery_with_full_banner(qtbot, page, rec, clock) -> None:
    """Infusion stopped with two HIGH alarms active, each with its "also:" line (the
    banner at its maximum), and the discharge panel opened by its key."""
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    qtbot.waitUntil(lambda: page.charts is not None, timeout=10_000)
    clock.advance(300)
    rec.record_assessment({"moaas": 3}, "RN7")
    v = page.vitals
    for key, text in (("sbp", "190/115"), ("hr", "135"), ("spo2", "89"), ("rr", "8")):
        type_into(qtbot, v.edits[key], text)
    click(qtbot, v.record_button)
    clock.advance(60)
    rec.stop_infusion("RN7")
    assert sum(r.others.isVisible() for r in page.banner.rows) == 2   # at its maximum
    qtbot.keyClick(page, Qt.Key.Key_F8)
    QApplication.processEvents()


def placed(d) -> list[QRect]:
    QApplication.processEvents()
    return [where(w) for w in controls(d)]


@pytest.mark.hazard("H-325")
@pytest.mark.parametrize("screen", SIZES)
def test_nothing_moves_while_the_nurse_fills_the_discharge_panel(qtbot, themed, bedside,
                                                                 clock, screen):
    window, page, rec = bedside
    at_screen(qtbot, window, screen)
    recovery_with_full_banner(qtbot, page, rec, clock)
    d = page.discharge
    before = placed(d)
    # Both Aldrete scores chosen: the Aldrete check goes from one line to two.
    aldrete_check = d.check_labels["aldrete"]
    one_line = aldrete_check.height()
    for combo in d.aldrete.values():
        pick_by_keys(qtbot, combo, combo.itemText(1))          # "… 2: …"
    QApplication.processEvents()
    assert "respiration 2" in aldrete_check.text(), aldrete_check.text()
    assert aldrete_check.height() > one_line                     # it did wrap
    assert placed(d) == before
    click(qtbot, d.discharge_button)                             # refused: no basis chosen
    assert d.general.isVisible()
    assert placed(d) == before
    click(qtbot, d.escort)                                       # the refusal shrinks
    assert d.escort.isChecked()
    assert placed(d) == before
    pick_by_keys(qtbot, d.override_kind, d.override_kind.itemText(
        d.override_kind.findData("prescriber")))                 # the reason field shows
    assert d.prescriber.isVisible() and d.override.isVisible()
    assert placed(d) == before
    window.grab().save(f"/tmp/t4d/discharge-{screen[0]}.png")


@pytest.mark.hazard("H-325")
@pytest.mark.parametrize("screen", SIZES)
def test_every_discharge_control_is_on_screen_after_a_refusal(qtbot, themed, bedside, clock,
                                                               screen):
    window, page, rec = bedside
    at_screen(qtbot, window, screen)
    recovery_with_full_banner(qtbot, page, rec, clock)
    d = page.discharge
    click(qtbot, d.discharge_button)           # nothing filled: the longest refusal
    QApplication.processEvents()
    assert d.general.isVisible() and "Escort present" in d.general.text()
    scroll = page.drawer.scrolls[d]
    assert scroll.verticalScrollBar().maximum() == 0
    view = scroll.viewport()
    shown = QRect(view.mapTo(window, view.rect().topLeft()), view.size())
    for w in [*controls(d), d.general]:
        assert shown.contains(where(w)), (w.accessibleName() or w.objectName(), where(w),
                                          shown)
    assert d.general.heightForWidth(d.general.width()) <= d.general.height()   # whole


@pytest.mark.hazard("H-326")
def test_the_refusal_follows_what_the_nurse_changes(qtbot, themed, bedside, clock):
    """Refused with nothing filled, then each fix by clicks and keys: the refusal keeps
    saying only what is still missing (never "0 of 60 min … rate activity" once those
    changed), and goes when nothing is."""
    _window, page, rec = bedside
    recovery_with_full_banner(qtbot, page, rec, clock)
    d = page.discharge
    click(qtbot, d.discharge_button)
    first = d.general.text()
    assert "Escort present and No-driving advice given" in first
    assert "of 60 min" not in first and "rate activity" not in first   # the ✗ list's words
    for combo in d.aldrete.values():
        pick_by_keys(qtbot, combo, combo.itemText(1))
    clock.advance(60)                                  # a minute on
    page.tick()
    assert "1 of 60 min" in d.check_labels["min_observation_met"].text()   # as the header
    assert d.general.text() == first                   # still true, word for word
    click(qtbot, d.escort)
    assert "Escort present" not in d.general.text()
    assert "No-driving advice given: tick" in d.general.text()
    pick_by_keys(qtbot, d.override_kind, d.override_kind.itemText(
        d.override_kind.findData("prescriber")))
    text = d.general.text()
    assert "Prescriber's decision: the prescriber's name" in text
    assert "left against advice" not in text          # the basis is chosen now
    type_into(qtbot, d.prescriber, "Dr Okafor")
    assert "prescriber's name" not in d.general.text()
    assert "a reason of at least 3 words" in d.general.text()
    type_into(qtbot, d.override, "reviewed at the bedside, stable, may go home")
    click(qtbot, d.advice)
    assert not d.general.isVisible()                  # nothing missing: it goes
    click(qtbot, d.discharge_button)                  # the unmet items, listed once more
    assert d.unmet_dialog.isVisible()
    click(qtbot, d.unmet_dialog.confirm_button)
    assert rec.session.phase == "discharged"


@pytest.mark.hazard("H-327")
def test_the_log_says_whose_decision_the_discharge_was(qtbot, themed, bedside, clock):
    _window, page, rec = bedside
    recovery_with_full_banner(qtbot, page, rec, clock)
    d = page.discharge
    click(qtbot, d.escort)
    click(qtbot, d.advice)
    pick_by_keys(qtbot, d.override_kind, d.override_kind.itemText(
        d.override_kind.findData("prescriber")))
    type_into(qtbot, d.prescriber, "Dr Okafor")
    type_into(qtbot, d.override, "reviewed at the bedside, BP treated, wants to go")
    click(qtbot, d.discharge_button)
    click(qtbot, d.unmet_dialog.confirm_button)
    assert rec.session.phase == "discharged"
    qtbot.keyClick(page, Qt.Key.Key_F6)
    log = page.log
    qtbot.waitUntil(lambda: log.table.isVisible())
    model = log.model
    rows = [model.cell(r, 2) for r in range(model.rowCount())
            if model.cell(r, 1) == "session discharged"]
    assert rows == ["discharged before the criteria were met on the decision of Dr Okafor: "
                    "reviewed at the bedside, BP treated, wants to go"]
