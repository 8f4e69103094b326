"""The PDF report lists the pre-infusion checklist's every answer and what was confirmed
at Start (a nurse's trial: neither was in the report); read back with pypdf. The ready
time stays on one line."""

from __future__ import annotations

import re

import pytest

from monitor.app.simulator import CHECKLIST
from monitor.model.events import EventKind
from monitor.model.vocabulary import CHECKLIST_ITEMS
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, PRESCRIBED, discharge_confirmed, export_file


@pytest.mark.hazard("H-114")
def test_pdf_lists_every_checklist_answer_and_the_start_confirmation(
        store, db_path, clock, protocols, tmp_path):
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    rec.record_vitals({"sbp": "188/112", "hr": "80", "spo2": "98", "rr": "14"}, "RN7")
    rec.record_assessment({"moaas": 5}, "RN7")
    answers = {**CHECKLIST, "gabapentinoids": "yes", "fasting": "no"}
    rec.record_checklist("RN7", answers)
    rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h", confirmed=True)
    confirmed = rec.session.entries_of(
        EventKind.INFUSION_STARTED)[0].payload["confirmed"]
    assert len(confirmed) >= 2
    clock.advance(600)
    rec.stop_infusion("RN7")
    discharge_confirmed(rec, {"escort_present": True, "no_driving_advice": True,
                              "ready_to_leave_at": clock.now(), **PRESCRIBED})
    from pypdf import PdfReader
    path = export_file(db_path, rec.session.session_id, "pdf", tmp_path / "r.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)
    assert "Pre-infusion checklist" in text
    for key in answers:                                      # every item, by its name
        assert " ".join(CHECKLIST_ITEMS[key].split())[:30] in text, key
    assert "Confirmed at Start" in text
    assert "188/112" in text
    assert "gabapentin" in text.lower()
    assert re.search(r"Ready to leave at \d{4}-\d{2}-\d{2} \d{2}:\d{2}", text), text[-800:]
