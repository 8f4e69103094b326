"""The PDF report draws every script it is given, embeds every font, and fits
US Letter as well as A4 (issue 24, point 10). Read back by pypdf (text) and
poppler's pdffonts (fonts), neither of which is ours."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock
from monitor.export.course_out import export_course
from monitor.export.pdf_fonts import missing_note
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals, export_file

PATIENT = "MRN-Ø42-李"
NAME = "Zażółć Gęślą Jaźń · Ελένη Παπαδοπούλου · 王秀英"
NOTE = "Nudności ustąpiły 😀 💉 ☺ 患者は落ち着いている"
UNDRAWABLE = "\U0001F972"  # smiling face with tear (Unicode 13): in none of our fonts
NOW = T0 + timedelta(hours=3)
MM = 72 / 25.4


@pytest.fixture
def unicode_db(tmp_path: Path, clock: ManualClock) -> tuple[Path, str]:
    db = tmp_path / "u.db"
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, load_protocols(),
                                {**OPENING, "patient_id": PATIENT, "display_name": NAME})
        baseline_vitals(rec)
        rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
        clock.advance(300)
        rec.add_note("RN7", NOTE)
        rec.add_note("RN7", f"tearful {UNDRAWABLE} but settled")
        return db, rec.session.session_id


def _text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def _bare(text: str) -> str:
    """Without white space: a wrapped cell, or a change of font inside a line, reads
    back with a line break."""
    return "".join(text.split())


def _fonts(path: Path) -> list[list[str]]:
    """pdffonts' table: name, type, encoding, emb, sub, uni, object, generation."""
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts (Debian poppler-utils) is needed: .ci/sysdeps.sh installs it")
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:]]


@pytest.mark.hazard("H-154")
def test_every_script_is_drawn_and_every_font_embedded(unicode_db, tmp_path) -> None:
    db, sid = unicode_db
    notes: list[str] = []
    out = export_file(db, sid, "pdf", tmp_path / "u.pdf", clock=ManualClock(NOW), notes=notes)
    text = _bare(_text(out))
    for needle in (PATIENT, NAME, NOTE, f"patient {PATIENT} · generated"):
        assert _bare(needle) in text, needle
    assert "■" not in text and notes == [f"PDF: {missing_note({UNDRAWABLE})}"]
    fonts = _fonts(out)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the emb column
    names = " ".join(row[0] for row in fonts)
    assert "DejaVuSans" in names and "Helvetica" not in names
    assert "DroidSansFallback" in names and "Symbola" in names  # CJK; the syringe


@pytest.mark.hazard("H-154")
def test_a_character_no_font_has_is_named_not_boxed(unicode_db, tmp_path) -> None:
    db, sid = unicode_db
    notes: list[str] = []
    out = export_file(db, sid, "pdf", tmp_path / "u.pdf", clock=ManualClock(NOW), notes=notes)
    text = _text(out)
    assert "tearful [U+1F972] but settled" in text
    assert "could not be drawn with the embedded fonts" in text and "U+1F972" in text
    assert notes == ["PDF: 1 character(s) could not be drawn with the embedded fonts and are "
                     "printed as their code: U+1F972"]
    # The command line says it too, after the file it wrote.
    cli = subprocess.run([sys.executable, "-m", "ui.entry", "export", sid, "--format", "pdf",
                          "--out", str(tmp_path / "c.pdf"), "--db", str(db)],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.splitlines()[1] == f"note: {notes[0]}"


def _footer_boxes(path: Path) -> list[tuple[float, float, float, float, float]]:
    """(x, y, page width, page height, text width) of every footer run on every page."""
    from pypdf.generic import RectangleObject
    reader = PdfReader(path)
    boxes = []
    for page in reader.pages:
        box: RectangleObject = page.mediabox
        found: list[tuple[float, float, str, float]] = []

        def visit(t, cm, tm, font, size, found=found):
            if t.strip() and ("Ketamine session report ·" in t or t.startswith("page ")):
                found.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3], t, size))
        page.extract_text(visitor_text=visit)
        assert len(found) >= 2, found
        from reportlab.pdfbase.pdfmetrics import stringWidth
        for x, y, t, size in found:
            boxes.append((x, y, float(box.width), float(box.height),
                          stringWidth(t.strip(), "ReportSans", size)))
    return boxes


@pytest.mark.hazard("H-155")
@pytest.mark.parametrize(("size", "points"), [("a4", (595.3, 841.9)), ("letter", (612, 792))])
def test_the_footer_lies_inside_the_page(unicode_db, tmp_path, size, points) -> None:
    db, sid = unicode_db
    out = export_file(db, sid, "pdf", tmp_path / f"{size}.pdf", clock=ManualClock(NOW),
                      page_size=size)
    reader = PdfReader(out)
    assert [round(float(v), 1) for v in reader.pages[0].mediabox[2:]] == list(points)
    for x, y, width, _height, text_width in _footer_boxes(out):
        # Inside the printable area of an office printer (about 5 mm at each edge).
        assert x >= 5 * MM and x + text_width <= width - 5 * MM, (x, text_width, width)
        assert y >= 5 * MM
    assert "page 1 of" in _text(out)


def test_page_size_on_the_command_line(unicode_db, tmp_path) -> None:
    db, sid = unicode_db

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ui.entry", "export", sid, "--db", str(db),
                               *args], capture_output=True, text=True, timeout=120)

    ok = run("--format", "pdf", "--out", str(tmp_path / "l.pdf"), "--page-size", "letter")
    assert ok.returncode == 0, ok.stderr
    assert [float(v) for v in PdfReader(tmp_path / "l.pdf").pages[0].mediabox[2:]] == [612, 792]
    wrong = run("--format", "csv", "--out", str(tmp_path / "l.csv"), "--page-size", "letter")
    assert wrong.returncode == 2 and "--page-size is for --format pdf" in wrong.stderr
    unknown = run("--format", "pdf", "--out", str(tmp_path / "x.pdf"), "--page-size", "legal")
    assert unknown.returncode == 2 and "a4" in unknown.stderr and "letter" in unknown.stderr
    assert not (tmp_path / "l.csv").exists() and not (tmp_path / "x.pdf").exists()


@pytest.mark.hazard("H-154")
@pytest.mark.parametrize("size", ["a4", "letter"])
def test_course_report_draws_the_patient_and_embeds_its_fonts(unicode_db, tmp_path,
                                                              size) -> None:
    db, _sid = unicode_db
    with Store(db, readonly=True) as log:
        out = export_course(log, PATIENT, "pdf", tmp_path / "s.pdf", load_protocols(),
                            clock=ManualClock(NOW), page_size=size)
    assert _bare(f"Patient {PATIENT}") in _bare(_text(out))
    assert all(row[-5] == "yes" for row in _fonts(out))
