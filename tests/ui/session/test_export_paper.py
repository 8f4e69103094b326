"""The export dialog's paper setting: chosen with the keyboard, written by a click,
read back by pypdf; a note about characters the PDF could not draw reaches the
nurse."""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtCore import Qt

from tests.support.window import click, type_into


def test_paper_is_letter_when_chosen_and_only_for_pdf(qtbot, bedside, tmp_path) -> None:
    _window, page, _rec = bedside
    page.export_folder = tmp_path
    dialog = page.open_export("pdf")
    assert dialog.page_size.isEnabled() and dialog.page_size.currentText() == "A4"
    dialog.page_size.setFocus()
    qtbot.keyClick(dialog.page_size, Qt.Key.Key_Down)
    assert dialog.page_size.currentText() == "US Letter"
    type_into(qtbot, dialog.path, str(tmp_path / "letter.pdf"))
    click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: "Wrote" in dialog.result_label.text())
    box = PdfReader(tmp_path / "letter.pdf").pages[0].mediabox
    assert (float(box.width), float(box.height)) == (612, 792)
    dialog.format.setFocus()
    qtbot.keyClicks(dialog.format, "csv")
    assert dialog.format.currentText() == "csv" and not dialog.page_size.isEnabled()
    dialog.close()


def test_undrawable_characters_are_said_in_the_dialog(qtbot, bedside, tmp_path) -> None:
    _window, page, rec = bedside
    rec.add_note("RN7", "tearful \U0001F972")
    page.export_folder = tmp_path
    dialog = page.open_export("pdf")
    type_into(qtbot, dialog.path, str(tmp_path / "a4.pdf"))
    click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: "Wrote" in dialog.result_label.text())
    assert "could not be drawn" in dialog.result_label.text()
    assert "U+1F972" in dialog.result_label.text()
    dialog.close()
