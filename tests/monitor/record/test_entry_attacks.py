"""Attacks through amendments, text fields and nurse IDs: nothing a form would refuse
reaches the log, and nothing in the log can make a session unopenable."""

from __future__ import annotations

import json
import sqlite3

import pytest

from monitor.clock import ManualClock
from monitor.errors import ValidationError
from monitor.export import FORMATS
from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind
from monitor.model.session import fold
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, export_file
from tests.support import tamper


def refused(rec: Recorder, seq: int, values: dict, field: str) -> None:
    n = len(rec.store.events(rec.session.session_id))
    with pytest.raises(ValidationError) as err:
        rec.amend("RN7", seq, values, "typo")
    assert field in err.value.by_field(), str(err.value)
    assert len(rec.store.events(rec.session.session_id)) == n


def test_amend_cannot_switch_an_infusion_start_to_single_dose(infusing):
    start = infusing.session.entries_of(EventKind.INFUSION_STARTED)[0]
    refused(infusing, start.seq, {"mode": "single"}, "mode")


def test_amend_cannot_give_the_opening_an_unknown_protocol(infusing):
    refused(infusing, 1, {"protocol": "made-up"}, "protocol")
    refused(infusing, 1, {"protocol": "depression-iv"}, "protocol")  # dosing has started
    refused(infusing, 1, {"protocol_snapshot": {}}, "protocol_snapshot")
    refused(infusing, 1, {"weight_kg": "heavy"}, "weight")


@pytest.mark.parametrize(("values", "field"), [
    ({"dose": -5}, "med_dose"), ({"dose": "abc"}, "med_dose"), ({"unit": "buckets"}, "unit"),
    ({"reason": "x" * 1_000_000}, "reason"), ({"drug": "ok\x1b[31m"}, "drug"),
    ({"drug": "nul\x00"}, "drug"), ({"colour": "red"}, "colour"),
])
def test_amend_of_a_medication_goes_through_the_medication_validator(infusing, values, field):
    med = infusing.give_medication("RN7", "ondansetron", "4", "mg", "IV")
    refused(infusing, med.seq, values, field)


def test_amend_of_a_note_refuses_a_megabyte_and_control_characters(infusing):
    n = infusing.add_note("RN7", "first")
    refused(infusing, n.seq, {"text": "y" * 1_000_000}, "text")
    refused(infusing, n.seq, {"text": "esc \x1b and nul \x00"}, "text")


def test_valid_amendments_still_work_for_every_clinical_kind(infusing):
    rec = infusing
    med = rec.give_medication("RN7", "ondansetron", "4", "mg", "IV")
    rec.amend("RN7", med.seq, {"dose": "8"}, "typo")
    bolus = rec.give_bolus("RN7", "5")
    rec.amend("RN7", bolus.seq, {"dose_mg": "10"}, "typo")
    rec.amend("RN7", 1, {"weight_kg": "72"}, "typed 70", weight_change="typing error")
    assert rec.session.entries[med.seq].payload["dose"] == 8
    assert rec.session.weight_kg == 72
    assert fold(rec.session.session_id, rec.store.events(rec.session.session_id)).unreadable == []


def test_a_log_holding_an_unapplicable_amendment_still_opens_and_exports(
        db_path, clock, protocols, tmp_path):
    """Written by an older version (or by hand): shown as unreadable, never a lock-out."""
    with Store(db_path) as store:
        # What the old amend stored: a single-dose start without a dose; and an alarm
        # acknowledgement for an alarm that never existed.
        sid, start_seq = tamper.unapplicable_amendment(store, clock, protocols)
        store.append(sid, EventKind.ALARM_ACKNOWLEDGED, {"alarm_id": 999, "action": "x"},
                     author="RN7", observed_at=clock.now(), recorded_at=clock.now())
        again = Recorder(store, sid, clock, protocols)
        session = again.session
        assert [why.split(":")[0] for _ev, why in session.unreadable] == ["KeyError", "KeyError"]
        assert session.entries[start_seq].status == "unreadable"
        again.record_vitals({"hr": "70"}, "RN7")  # and it keeps recording
    for fmt in FORMATS:
        export_file(db_path, sid, fmt, tmp_path / f"s.{fmt}", clock=ManualClock(T0))
    from pypdf import PdfReader
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "s.pdf").pages)
    assert "Unreadable entries" in text


@pytest.mark.parametrize("nurse", ["\u200b\u200b\u200b", "RN\u202e7", "RN\n7", "RN\u2028X",
                                   " \u00a0 ", "\ufeffRN7"])
def test_nurse_id_without_a_visible_name_or_with_hidden_characters_is_refused(recorder, nurse):
    with pytest.raises(ValidationError, match="Nurse ID"):
        recorder.add_note(nurse, "hello")


def test_nurse_id_is_normalised(recorder):
    ev = recorder.add_note("ＲＮ７", "full-width letters typed")
    assert ev.author == "RN7"


def test_crlf_pasted_into_a_note_is_a_line_break(recorder):
    ev = recorder.add_note("RN7", "first line\r\nsecond line\rthird")
    assert ev.payload["text"] == "first line\nsecond line\nthird"


def test_lone_surrogate_in_a_note_is_refused_with_a_message(recorder):
    with pytest.raises(ValidationError, match="printable text only"):
        recorder.add_note("RN7", "bad \ud800 text")


def test_stored_payload_is_what_the_validator_made(db_path, clock, protocols):
    with Store(db_path) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        rec.give_medication("RN7", "ondansetron", "4", "mg", "IV")
    conn = sqlite3.connect(db_path)
    payload = json.loads(conn.execute("SELECT payload FROM events WHERE kind = ?",
                                      ("medication_given",)).fetchone()[0])
    conn.close()
    assert payload == {"drug": "ondansetron", "dose": 4, "unit": "mg", "route": "IV"}


def test_amend_keeps_confirmed_warnings_as_text_only(infusing):
    n = infusing.add_note("RN7", "first")
    refused(infusing, n.seq, {"confirmed": "yes"}, "confirmed")
    refused(infusing, n.seq, {"confirmed": ["ok", "bad \x00"]}, "confirmed")
    infusing.amend("RN7", n.seq, {"confirmed": ["checked twice"]}, "typo")
    assert infusing.session.entries[n.seq].payload == {"text": "first",
                                                       "confirmed": ["checked twice"]}


def test_opening_spo2_scale_is_one_or_two(store, clock, protocols):
    with pytest.raises(ValidationError, match="SpO2 scale"):
        Recorder.open_new(store, clock, protocols, {**OPENING, "spo2_scale": "3"})
    rec = Recorder.open_new(store, clock, protocols, {**OPENING, "spo2_scale": "2"})
    assert rec.session.opening["spo2_scale"] == 2
