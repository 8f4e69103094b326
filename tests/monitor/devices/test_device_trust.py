"""Device data a clinic can trust, through a real listener, real sockets, a real
SQLite file: the right patient, every mapped value, each once, statuses and
corrections, units, the ACK's header."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import hl7
import pytest

from monitor.clinical.protocols import load_protocols
from monitor.devices.ack import AckIds
from monitor.devices.messages import pcd01_message
from monitor.devices.pcd01 import parse_message, parse_time
from monitor.devices.sender import MllpSender
from monitor.export import render
from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind
from monitor.model.session import fold
from tests.conftest import OPENING, T0
from tests.monitor.devices.hl7 import samples
from tests.support.device_rig import DEVICE, running_rig

SPO2, HR, PULSE_OXIM, PULSE_NIBP, PULSE_ART = 150456, 147842, 149530, 149546, 149522
SBP, DBP, ETCO2, TEMP_BODY = 150021, 150022, 151708, 150364
AT = T0 + timedelta(minutes=9)
PATIENT = OPENING["patient_id"]


@pytest.fixture
def rig(recorder, clock):
    clock.set(T0 + timedelta(minutes=10))
    with running_rig(recorder, clock) as r:
        r.capture.bind(DEVICE, recorder)
        yield r


def send(rig, *messages: str):
    def work():
        with MllpSender("127.0.0.1", rig.port) as s:
            return [s.send(m) for m in messages]
    return rig.owner(work)


def entries(rig, db_path):
    with Store(db_path, readonly=True) as store:
        return [(when, payload) for when, payload, _ in rig.device_entries(store)]


def values(rig, db_path):
    return [{k: v for k, v in p.items() if k not in ("map", "map_measured", "as_sent")}
            for _, p in entries(rig, db_path)]


# -- the right patient --------------------------------------------------------------------
@pytest.mark.hazard("H-130", "H-202")
def test_a_message_for_another_patient_is_refused_naming_both_identifiers(rig, db_path):
    [other, ours, no_pid] = send(
        rig, pcd01_message(DEVICE, "W1", AT, {SPO2: 91}, patient_id="HED12"),
        pcd01_message(DEVICE, "W2", AT, {SPO2: 97}, patient_id=PATIENT.lower()),
        pcd01_message(DEVICE, "W3", AT + timedelta(seconds=1), {SPO2: 96}))
    assert other.code == "AE"
    assert "PID-3 patient HED12 is not this session's patient MRN-0042" in other.text
    assert "nothing recorded" in other.text
    assert (ours.code, no_pid.code) == ("AA", "AA")   # same id in another case; no PID
    assert values(rig, db_path) == [{"spo2": 97}, {"spo2": 96}]
    dev = rig.diagnostics.device(DEVICE)
    assert dev is not None and dev.patient_id == "" and dev.bed == "INF 3"


def test_vendor_samples_name_patient_bed_and_sender():
    who = {name: (p.patient_id, p.bed, p.sender_name) for name, p in (
        (n, parse_message(getattr(samples, n).encode(), UTC))
        for n in ("GE_B40", "MINDRAY_VS900", "COMEN_NC5", "NIST_ACME_UCUM"))}
    assert who["GE_B40"] == ("HED12", "SURGERY V2", "B40_GE")
    assert who["COMEN_NC5"][0] == "MRN12123"
    assert who["MINDRAY_VS900"][2] == "MINDRAY_VS900"


def test_demo_flagged_values_are_not_clinical_data():
    text = pcd01_message(DEVICE, "D1", AT, {SPO2: 97, HR: 70})
    text = text.replace("|||||R|||", "||DEMO|||R|||", 1)   # OBX-8 of the first row
    p = parse_message(text.encode(), UTC)
    assert [s.param for s in p.samples] == ["hr"]
    assert p.skipped == {"demo values (OBX-8 DEMO)": 1}


# -- every value --------------------------------------------------------------------------
@pytest.mark.hazard("H-131")
def test_pulse_rate_and_body_temperature_codes_are_recorded_with_a_rank(rig, db_path):
    acks = send(rig,
                pcd01_message(DEVICE, "P1", AT, {PULSE_NIBP: 63}),
                pcd01_message(DEVICE, "P2", AT + timedelta(seconds=1),
                              {PULSE_ART: 90, PULSE_OXIM: 81, HR: 80}),
                pcd01_message(DEVICE, "P3", AT + timedelta(seconds=2),
                              {PULSE_ART: 90, PULSE_OXIM: 81}),
                pcd01_message(DEVICE, "P4", AT + timedelta(seconds=3), {TEMP_BODY: 36.8}))
    assert [a.code for a in acks] == ["AA"] * 4
    # ECG beats oximeter beats cuff pulse beats the arterial line's pulse.
    assert values(rig, db_path) == [{"hr": 63}, {"hr": 80}, {"hr": 81}, {"temp": 36.8}]


def test_unmapped_codes_are_named_in_msa3_even_with_aa(rig, db_path):
    [ack] = send(rig, pcd01_message(DEVICE, "U1", AT, {SPO2: 97, 150488: 3.1}))
    assert ack.code == "AA"
    assert ack.text == "not mapped, not recorded: 150488"


@pytest.mark.hazard("H-132")
def test_retracted_rows_are_refused_and_named_and_final_rows_kept(rig, db_path):
    for status in ("W", "D", "N", "I"):
        message = pcd01_message(DEVICE, f"S{status}", AT, {SPO2: 88, HR: 71})
        message = message.replace("|||||R|||", f"|||||{status}|||", 1)   # the SpO2 row
        [ack] = send(rig, message)
        assert ack.code == "AE", status
        assert ack.text.startswith(f"OBX 1 (150456): OBX-11 status {status} ("), ack.text
    kept = [send(rig, pcd01_message(DEVICE, f"K{s or 'E'}", AT + timedelta(seconds=i),
                                    {SPO2: 90 + i}, status=s))[0].code
            for i, s in enumerate(("F", "P", "R", "S", ""), start=1)]
    assert kept == ["AA"] * 5
    assert values(rig, db_path) == [{"hr": 71}] + [{"spo2": 90 + i} for i in range(1, 6)]


@pytest.mark.hazard("H-132")
def test_a_correction_amends_the_earlier_value_instead_of_a_second_reading(rig, db_path):
    first = pcd01_message(DEVICE, "C1", AT, {SBP: 182, DBP: 95})
    fixed = pcd01_message(DEVICE, "C2", AT, {SBP: 128}, status="C")
    acks = send(rig, first, fixed, fixed)   # the correction resent: amended once
    assert [a.code for a in acks] == ["AA"] * 3
    with Store(db_path, readonly=True) as store:
        events = store.events(rig.recorder.session.session_id)
    amended = [e for e in events if e.kind is EventKind.AMENDED]
    assert len(amended) == 1
    assert amended[0].author == DEVICE
    assert "OBX-11 C: correction sent by device" in amended[0].payload["reason"]
    assert len([e for e in events if e.kind is EventKind.VITALS]) == 1
    session = rig.recorder.session
    assert list(session.series["sbp"].v) == [128.0]
    # The export read back by csv: the original 182 and the current 128, one entry.
    with Store(db_path, readonly=True) as store:
        folded = fold(session.session_id, store.events(session.session_id))
    text = render(folded, load_protocols(), "csv", now=T0 + timedelta(hours=1))
    sbp = [(r["value"], r["version"], r["status"]) for r in
           csv.DictReader(io.StringIO(text.decode("utf-8-sig"))) if r["parameter"] == "sbp"]
    assert sbp == [("182", "original", "amended"), ("128", "current", "amended")]


def test_a_correction_with_nothing_to_correct_is_named(rig, db_path):
    [ack] = send(rig, pcd01_message(DEVICE, "C9", AT, {SBP: 128}, status="C"))
    assert ack.code == "AE"
    assert "recorded no SBP at that time" in ack.text
    assert values(rig, db_path) == []


# -- once ---------------------------------------------------------------------------------
@pytest.mark.hazard("H-133")
def test_a_restart_or_a_rebind_never_records_a_repeated_value_twice(recorder, clock, db_path):
    clock.set(T0 + timedelta(minutes=10))
    cuff = T0 + timedelta(minutes=5)
    message = pcd01_message(DEVICE, "R1", AT, {SBP: 131, DBP: 84, SPO2: 97},
                            row_times={SBP: cuff, DBP: cuff})
    again = pcd01_message(DEVICE, "R2", AT + timedelta(seconds=5), {SBP: 131, DBP: 84, SPO2: 96},
                          row_times={SBP: cuff, DBP: cuff})
    for _ in range(2):   # two listener lifetimes: the second knows nothing in memory
        with running_rig(recorder, clock) as rig:
            rig.capture.bind(DEVICE, recorder)
            assert [a.code for a in send(rig, message, again)] == ["AA", "AA"]
            rig.capture.unbind(DEVICE)
            rig.capture.bind(DEVICE, recorder)
            assert [a.code for a in send(rig, message)] == ["AA"]
    with Store(db_path, readonly=True) as store:
        got = [(e.observed_at, {k: v for k, v in e.payload.items() if k in ("sbp", "dbp", "spo2")})
               for e in store.events(recorder.session.session_id) if e.source == "device"]
    assert got == [(cuff, {"sbp": 131, "dbp": 84}), (AT, {"spo2": 97}),
                   (AT + timedelta(seconds=5), {"spo2": 96})]


def test_two_messages_of_one_batch_repeating_a_reading_record_it_once(rig, db_path):
    cuff = T0 + timedelta(minutes=5)

    def work():
        with MllpSender("127.0.0.1", rig.port) as s:
            for i in range(2):   # both in flight before the owner drains
                s.send_raw(b"\x0b" + pcd01_message(
                    DEVICE, f"B{i}", AT + timedelta(seconds=i), {SBP: 140, DBP: 90},
                    row_times={SBP: cuff, DBP: cuff}).encode() + b"\x1c\r")
            return [s.read_ack() for _ in range(2)]
    assert [a.code for a in rig.owner(work)] == ["AA", "AA"]
    assert values(rig, db_path) == [{"sbp": 140, "dbp": 90}]


# -- units and times ----------------------------------------------------------------------
@pytest.mark.hazard("H-134")
def test_kilopascal_is_converted_exactly_and_kept_as_sent(rig, db_path):
    message = pcd01_message(DEVICE, "K1", AT, {ETCO2: 5.3, SBP: 16, DBP: 10})
    rows = message.split("\r")
    rows = [r.replace("266016^MDC_DIM_MMHG^MDC", "3843^MDC_DIM_KILO_PA^MDC") for r in rows]
    [ack] = send(rig, "\r".join(rows))
    assert ack.code == "AA"
    [(_, payload)] = entries(rig, db_path)
    # 5.3 kPa = 39.753... mmHg; 16 kPa = 120.0079; 10 kPa = 75.0062 (760/101.325 exactly)
    assert (payload["etco2"], payload["sbp"], payload["dbp"]) == (40, 120, 75)
    assert payload["as_sent"] == {"etco2": "5.3 kPa", "sbp": "16 kPa", "dbp": "10 kPa"}
    p = parse_message("\r".join(rows).encode(), UTC)
    assert p.samples[0].value == pytest.approx(5.3 * 760 / 101.325, abs=1e-12)


@pytest.mark.hazard("H-134")
def test_times_without_offset_are_read_in_the_clinic_zone_across_dst():
    berlin = ZoneInfo("Europe/Berlin")
    # 29 March 2026: clocks go from 02:00 CET to 03:00 CEST.
    before = parse_time("20260329013000", berlin)
    after = parse_time("20260329033000", berlin)
    assert before.astimezone(UTC) == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert after.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_default_zone_is_this_computers_iana_zone(monkeypatch, tmp_path):
    from monitor.app.device_commands import clinic_zone
    from monitor.devices.zones import machine_zone_name
    from monitor.errors import MonitorError
    monkeypatch.setenv("TZ", "America/New_York")
    assert machine_zone_name() == "America/New_York"
    assert clinic_zone(None) == ZoneInfo("America/New_York")
    monkeypatch.delenv("TZ")
    assert machine_zone_name(tmp_path / "none", tmp_path / "none") == "UTC"
    with pytest.raises(MonitorError, match="'Mars/Base' is not an IANA zone name"):
        clinic_zone("Mars/Base")


# -- the ACK's header ---------------------------------------------------------------------
def test_ack_echoes_processing_id_version_and_trigger(rig):
    test_message = pcd01_message(DEVICE, "H1", AT, {SPO2: 97}).replace("|H1|P|2.6", "|H1|T|2.5")
    adt = pcd01_message(DEVICE, "H2", AT, {SPO2: 97}).replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01")
    [ok, refused] = send(rig, test_message, adt)
    # Read back by python-hl7, not by our own parser.
    msh = [hl7.parse(a.raw).segment("MSH") for a in (ok, refused)]
    assert [str(msh[0][n]) for n in (9, 11, 12)] == ["ACK^R01^ACK", "T", "2.5"]
    assert (refused.code, str(msh[1][9]), str(msh[1][12])) == ("AR", "ACK^A01^ACK", "2.6")
    assert str(msh[0][10]) != str(msh[1][10])


def test_ack_control_ids_are_unique_across_restarts():
    first, second = AckIds(1_800_000_000_000_000), AckIds(1_800_000_000_000_001)
    ids = [first.next() for _ in range(3)] + [second.next() for _ in range(3)]
    assert len(set(ids)) == 6
    assert all(len(i) <= 20 for i in ids)
