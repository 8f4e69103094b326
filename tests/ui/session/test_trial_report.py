"""A new nurse's trial of the PDF report, reproduced through the window: the session
is exported with the export dialog by clicks and keys, and the file is read back by
independent readers (pypdf for its text, poppler's pdftotext for where each word
sits and pdftoppm for the pixels a reader sees)."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt

from monitor.clinical.discharge import NURSE_CONFIRMS
from monitor.errors import ConfirmationNeeded
from tests.conftest import PRESCRIBED, discharge_confirmed
from tests.support.window import click, type_into
from ui.session.export_dialog import LAST_FOLDER_KEY, OVERWRITE

DPI = 150
BP = ["sbp", "dbp", "map"]


def _trial_session(rec, clock) -> None:
    """As in the trial: a baseline set a few seconds before the start, sets during the
    infusion, one with a bad cuff (190/115) whose HR 96 and SpO2 89 are real, flagged
    BP only; stopped, and discharged on a prescriber's decision."""
    clock.advance(20)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
    clock.advance(60)
    rec.record_vitals({"sbp": "134/86", "hr": "82", "spo2": "97", "rr": "13"}, "RN7")
    clock.advance(60)
    bad = rec.record_vitals({"sbp": "190/115", "hr": "96", "spo2": "89", "rr": "16"}, "RN7")
    try:
        rec.flag_artifact("RN7", bad.seq, "cuff moved, patient talking", parameters=BP)
    except ConfirmationNeeded as asked:
        asked.retry()
    clock.advance(60)
    rec.record_vitals({"sbp": "130/80", "hr": "78", "spo2": "98", "rr": "14"}, "RN7")
    clock.advance(60)
    rec.stop_infusion("RN7")
    clock.advance(60)
    discharge_confirmed(rec, {"escort_present": True, "no_driving_advice": True,
                              "ready_to_leave_at": clock.now(), **PRESCRIBED})


def _export_by_clicks(qtbot, page, path: Path):
    """Discharge panel → "Export PDF" → the file name typed → Export clicked."""
    page.show_tab(page.discharge)
    page.discharge.refresh()
    pdf_button = next(b for b in page.discharge.export_buttons if b.text() == "Export PDF")
    click(qtbot, pdf_button)
    dialog = page.export_dialog
    assert dialog is not None and dialog.format.currentText() == "pdf"
    type_into(qtbot, dialog.path, str(path))
    click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: "Wrote" in dialog.result_label.text() or dialog.error.isVisible())
    return dialog


@pytest.fixture
def report(qtbot, bedside, clock, tmp_path) -> Path:
    _window, page, rec = bedside
    page.export_folder = tmp_path
    _trial_session(rec, clock)
    dialog = _export_by_clicks(qtbot, page, tmp_path / "trial.pdf")
    assert "Wrote" in dialog.result_label.text(), dialog.error.text()
    dialog.close()
    return tmp_path / "trial.pdf"


def _text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def _words(path: Path) -> list[tuple[int, float, float, float, float, str]]:
    """Every word with its page and box in points (poppler, top-left origin)."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r"([^<]*)</word>", line)
        if m:
            out.append((page, *map(float, m.groups()[:4]), m.group(5)))
    return out


def _page_pixels(path: Path, page: int, tmp: Path) -> np.ndarray:
    stem = tmp / f"page{page}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), "-png",
                    "-singlefile", str(path), str(stem)], check=True)
    return np.asarray(Image.open(f"{stem}.png").convert("L"))


def _darkest(pixels: np.ndarray, box: tuple[float, float, float, float]) -> int:
    """The darkest grey level (0 black … 255 white) inside a word's box."""
    x0, y0, x1, y1 = (round(v * DPI / 72) for v in box)
    return int(pixels[y0:y1 + 1, x0:x1 + 1].min())


def _vitals_row(words, first: str) -> list[tuple[int, float, float, float, float, str]]:
    """The words on the same line of the vitals table as the word ``first``."""
    page, _x0, y0, _x1, y1, _w = next(w for w in words if w[5] == first)
    middle = (y0 + y1) / 2
    return [w for w in words if w[0] == page and w[2] <= middle <= w[4]]


@pytest.mark.hazard("H-335")
def test_a_bp_artifact_marks_only_the_bp_and_keeps_hr_and_spo2_valid(report, tmp_path):
    words = _words(report)
    row = _vitals_row(words, "190/115")
    texts = [w[5] for w in row]
    assert "96" in texts and "89" in texts, texts
    pixels = _page_pixels(report, row[0][0], tmp_path)
    level = {w[5]: _darkest(pixels, w[1:5]) for w in row}
    # The real HR 96 and SpO2 89 print as every valid value does (black) …
    valid = next(w for w in words if w[5] == "134/86")
    black = _darkest(_page_pixels(report, valid[0], tmp_path), valid[1:5])
    assert level["96"] <= black + 40 and level["89"] <= black + 40, level
    # … the flagged BP alone is grey, and struck through (pypdf still reads the value).
    assert level["190/115"] > black + 60, level
    text = _text(report)
    assert "190/115" in text
    # The status names the flagged values in clinical words and stays inside the table.
    status = [w for w in row if w[5].startswith("artifact")]
    assert status, texts
    assert re.search(r"artifact:\s*SBP\s+DBP\s+MAP", text), text
    table_right = max(w[3] for w in words if w[0] == row[0][0] and w[5] == "Status") + 60
    right_edge = max(w[3] for w in _vitals_row(words, "134/86"))
    assert all(w[3] <= max(table_right, right_edge + 5) for w in row), row
    page_width = float(PdfReader(report).pages[0].mediabox.width)
    assert all(w[3] < page_width - 15 * 72 / 25.4 for w in row), row


@pytest.mark.hazard("H-336")
def test_a_reading_just_before_the_start_is_minute_0_never_minus_0(report):
    words = _words(report)
    row = [w[5] for w in _vitals_row(words, "128/82")]
    assert row[1] == "0", row
    assert "-0" not in [w[5] for w in words]


@pytest.mark.hazard("H-337")
def test_discharge_checklist_prints_the_windows_wording(report):
    text = " ".join(_text(report).split())
    for words in ("Minimum observation time met", "Sedation back to baseline",
                  "Dissociation resolved", "SpO2 and RR in band", "No active alarm",
                  *NURSE_CONFIRMS.values(), "Ready to leave at"):
        assert words in text, words
    for key in ("min observation met", "spo2 rr in band", "no active alarm",
                "sedation at baseline", "bp in band", "escort present"):
        assert key not in text, key


@pytest.mark.hazard("H-336")
def test_trend_axis_of_a_short_session_has_start_middle_and_end(report):
    page1 = [w for w in _words(report) if w[0] == 1]
    ticks = []  # seconds from the start, from labels "0:30 min" or "4 min"
    for here, unit in itertools.pairwise(page1):
        m = re.fullmatch(r"(\d+)(?::(\d\d))?", here[5])
        if m and unit[5] == "min" and abs(unit[2] - here[2]) < 1:
            ticks.append((here[1], int(m.group(1)) * 60 + int(m.group(2) or 0)))
    ticks.sort()
    seconds = [t for _x, t in ticks]
    # The charts span 4 min 20 s (to the stop): start, middle and end are labelled,
    # evenly, in order, left to right.
    assert len(seconds) >= 3 and seconds[0] == 0, seconds
    steps = {b - a for a, b in itertools.pairwise(seconds)}
    assert len(steps) == 1, seconds
    assert seconds[-1] >= 260 - steps.pop(), seconds


@pytest.mark.hazard("H-338")
def test_existing_file_names_the_overwrite_box_and_ticking_it_writes(
        qtbot, report, bedside, tmp_path):
    _window, page, _rec = bedside
    before = report.stat().st_mtime_ns
    dialog = page.open_export("pdf")
    type_into(qtbot, dialog.path, str(report))
    click(qtbot, dialog.write_button)
    qtbot.waitUntil(dialog.error.isVisible)
    said = dialog.error.text()
    assert "--force" not in said
    assert OVERWRITE in said and "trial.pdf" in said, said
    error = dialog.error  # the whole message is inside the dialog, not cut at its foot
    qtbot.waitUntil(lambda: error.height() >= error.heightForWidth(error.width()))
    assert error.geometry().bottom() < dialog.height(), (error.geometry(), dialog.size())
    assert report.stat().st_mtime_ns == before
    # The focus is on the box the message names: Space ticks it, Export writes.
    assert dialog.overwrite.hasFocus()
    qtbot.keyClick(dialog.overwrite, Qt.Key.Key_Space)
    assert dialog.overwrite.isChecked()
    click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: "Wrote" in dialog.result_label.text())
    assert report.stat().st_mtime_ns != before
    dialog.close()


@pytest.fixture
def no_last_folder():
    """No export written yet from this computer's window (and none left behind: the
    settings are the process's)."""
    QSettings().remove(LAST_FOLDER_KEY)
    yield
    QSettings().remove(LAST_FOLDER_KEY)


@pytest.mark.hazard("H-339")
def test_default_folder_is_documents_then_the_last_used_and_is_said(
        qtbot, bedside, no_last_folder, tmp_path, monkeypatch):
    docs = tmp_path / "home" / "Documents"
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(docs))
    _window, page, _rec = bedside
    assert page.export_folder is None
    dialog = page.open_export("csv")
    target = Path(dialog.path.text())
    assert target.parent == docs, target
    assert target.parent != Path.home()
    assert "Documents" in dialog.where.text() and str(docs) in dialog.where.text()
    click(qtbot, dialog.write_button)  # the folder is made when it is not there yet
    qtbot.waitUntil(lambda: "Wrote" in dialog.result_label.text())
    assert target.is_file()
    # The nurse then picks another folder: the next export starts there, and says so.
    chosen = tmp_path / "ward-exports"
    chosen.mkdir()
    type_into(qtbot, dialog.path, str(chosen / "a.csv"))
    click(qtbot, dialog.write_button)
    qtbot.waitUntil(lambda: "a.csv" in dialog.result_label.text())
    dialog.close()
    page.export_dialog = None
    again = page.open_export("pdf")
    assert Path(again.path.text()).parent == chosen
    assert "last folder used" in again.where.text()
    again.close()
