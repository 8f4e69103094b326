"""Usable controls look usable and locked ones look locked, read from the pixels the
window paints (issue 23 #8): an unticked check box has an outline of at least 3:1 against
what it sits on (WCAG 1.4.11; Fusion drew it a shade darker than the dark window), an
enabled field (the signing ID on the close-and-sign step) has one too, and a locked field
or box has not, though a locked box still shows its tick."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QStyle, QStyleOptionButton

from tests.support.contrast import UI_COMPONENT, outline_share, rect_in, strongest_inside
from tests.support.window import click, recovery_panel

THEMES = pytest.mark.parametrize("themed", ["dark", "light"], indirect=True)
VISIBLE, FAINT = 0.8, 0.2  # share of an outline's pixels at 3:1 or more


def indicator(box: QAbstractButton) -> QRect:
    """Where a check box draws its square (a radio button its circle), in its own
    coordinates."""
    opt = QStyleOptionButton()
    box.initStyleOption(opt)  # type: ignore[attr-defined]
    element = (QStyle.SubElement.SE_CheckBoxIndicator if isinstance(box, QCheckBox)
               else QStyle.SubElement.SE_RadioButtonIndicator)
    return box.style().subElementRect(element, opt, box)


def painted(panel):
    return panel.grab().toImage()


def box_rect(panel, box: QAbstractButton) -> QRect:
    return rect_in(panel, box, indicator(box))


@pytest.mark.hazard("H-270")
@THEMES
def test_an_unticked_box_has_a_visible_outline_and_a_ticked_one_a_visible_tick(
        qtbot, themed, store, clock, protocols):
    window, _rec, d = recovery_panel(qtbot, store, clock, protocols)
    for box in (d.escort, d.advice):
        assert box.isEnabled() and not box.isChecked()
        share = outline_share(painted(d), box_rect(d, box))
        assert share >= VISIBLE, f"{box.text()}: {share:.0%} of its outline at 3:1"
    click(qtbot, d.escort)                                   # ticked by a click,
    d.advice.setFocus()
    qtbot.keyClick(d.advice, Qt.Key.Key_Space)               # and by Space
    assert d.escort.isChecked() and d.advice.isChecked()
    image = painted(d)
    for box in (d.escort, d.advice):                         # without focus, and with it
        rect = box_rect(d, box)
        assert outline_share(image, rect) >= VISIBLE, box.text()
        assert strongest_inside(image, rect) >= UI_COMPONENT, box.text()  # the tick reads
    window.shutdown()


@pytest.mark.hazard("H-271")
@THEMES
def test_the_signing_id_looks_enabled_once_discharged_and_locked_before(
        qtbot, themed, store, clock, protocols):
    window, _rec, d = recovery_panel(qtbot, store, clock, protocols)
    assert not d.sign_nurse.isEnabled() and d.ready.isEnabled()
    image = painted(d)
    assert outline_share(image, rect_in(d, d.sign_nurse)) <= FAINT     # locked: faint
    assert outline_share(image, rect_in(d, d.ready)) >= VISIBLE        # live: outlined
    window.shutdown()

    window, _rec, d = recovery_panel(qtbot, store, clock, protocols, discharged=True)
    assert d.sign_nurse.isEnabled() and not d.ready.isEnabled()
    image = painted(d)
    assert outline_share(image, rect_in(d, d.sign_nurse)) >= VISIBLE
    for locked in (d.ready, d.prescriber, *d.aldrete.values()):
        assert outline_share(image, rect_in(d, locked)) <= FAINT, locked.accessibleName()
    window.shutdown()


@pytest.mark.hazard("H-270")
@THEMES
def test_a_locked_ticked_box_looks_locked_and_still_shows_its_tick(
        qtbot, themed, store, clock, protocols):
    """After discharge the boxes are locked: no live outline, but what was saved reads."""
    window, _rec, d = recovery_panel(qtbot, store, clock, protocols, discharged=True)
    for box in (d.escort, d.advice):
        assert not box.isEnabled() and box.isChecked()
        image, rect = painted(d), box_rect(d, box)
        assert outline_share(image, rect) <= FAINT, box.text()
        assert strongest_inside(image, rect) >= UI_COMPONENT, box.text()
    window.shutdown()


@pytest.mark.hazard("H-270")
@THEMES
def test_the_weight_choice_radio_buttons_show_their_outline_and_the_choice(
        qtbot, themed, bedside, clock):
    """A weight changed after dosing asks "typing error or re-weighed" with two radio
    buttons: both visible before the choice, the chosen one marked after the click."""
    _window, page, rec = bedside
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(3600)
    page.show_tab(page.log)
    assert page.log.select_seq(1)                              # the opening entry
    click(qtbot, page.log.amend_button)
    form = page.log.amend_dialog
    choices = (form.typing_error, form.reweighed)
    for radio in choices:
        assert not radio.isChecked()
        share = outline_share(painted(form), box_rect(form, radio), round_=True)
        assert share >= VISIBLE, radio.text()
    click(qtbot, form.reweighed)
    image = painted(form)
    # 6 px in: inside the 20 px ring (a square 3 px in still touches it at its corners)
    marks = [strongest_inside(image, box_rect(form, radio), inset=6) for radio in choices]
    assert marks[1] >= UI_COMPONENT and marks[0] < 1.5        # only the chosen one: a dot
    form.close()
