"""Bad input to the listener: each case gets a clear ACK or log line, nothing is
recorded wrongly, and the listener (and the same connection) keeps working."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.devices.sender import START, MllpSender
from monitor.log.sqlite.store import Store
from tests.conftest import T0
from tests.support.device_rig import DEVICE, oru, running_rig

SPO2, HR = 150456, 147842
END = b"\x1c\r"
GOOD_AT = T0 + timedelta(minutes=9)


@pytest.fixture
def rig(recorder, clock):
    clock.set(T0 + timedelta(minutes=10))
    with running_rig(recorder, clock) as r:
        r.capture.bind(DEVICE, recorder)
        yield r


def framed(text: str | bytes) -> bytes:
    return START + (text.encode() if isinstance(text, str) else text) + END


def exchange(rig, raw: bytes, answers: int, *, then_good: bool = True):
    """Send raw bytes, then (on the same connection) one good message; return the ACKs."""
    def work():
        with MllpSender("127.0.0.1", rig.port) as s:
            s.send_raw(raw + (framed(oru("GOOD", GOOD_AT, {HR: 66})) if then_good else b""))
            return [s.read_ack() for _ in range(answers + then_good)]
    acks = rig.owner(work)
    if then_good:
        assert (acks[-1].code, acks[-1].control_id) == ("AA", "GOOD")
    return acks[:answers] if then_good else acks


def recorded(rig, db_path):
    with Store(db_path, readonly=True) as store:
        return [p for _, p, _ in rig.device_entries(store)]


def lines(rig):
    return "\n".join(rig.diagnostics.snapshot().lines)


def test_non_hl7_bytes_with_an_end_block_are_logged_and_ignored(rig, db_path):
    assert exchange(rig, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + END, 0) == []
    assert "bytes ending in an end block but with no start block (0x0B): ignored" in lines(rig)
    assert recorded(rig, db_path) == [{"hr": 66}]


def test_framed_non_hl7_is_rejected(rig, db_path):
    [ack] = exchange(rig, framed(b"hello world"), 1)
    assert (ack.code, ack.text) == ("AR", "not an HL7 message: no MSH segment")
    assert "ERR|||100^" in ack.raw
    assert recorded(rig, db_path) == [{"hr": 66}]


def test_bytes_before_the_start_block_are_discarded_and_the_message_read(rig, db_path):
    [ack] = exchange(rig, b"\x00\x01noise" + framed(oru("B1", GOOD_AT, {SPO2: 95})), 1)
    assert (ack.code, ack.control_id) == ("AA", "B1")
    assert "7 bytes before the start block discarded" in lines(rig)
    assert recorded(rig, db_path) == [{"spo2": 95}, {"hr": 66}]


def test_a_2_mib_message_is_refused_unread_and_the_connection_goes_on(rig, db_path):
    big = oru("BIG", GOOD_AT, {SPO2: 91}) + "NTE|1||" + "x" * (2 << 20) + "\r"
    [ack] = exchange(rig, framed(big), 1)
    assert (ack.code, ack.control_id) == ("AR", "BIG")
    assert ack.text == "message larger than 1048576 bytes: refused unread"
    assert recorded(rig, db_path) == [{"hr": 66}]   # its SpO2 row is not recorded


def test_a_truncated_frame_is_dropped_and_the_next_one_read(rig, db_path):
    cut = framed(oru("CUT", GOOD_AT, {SPO2: 93}))[:-60]   # no end block ever comes
    [ack] = exchange(rig, cut + framed(oru("T2", GOOD_AT, {SPO2: 94})), 1)
    assert (ack.code, ack.control_id) == ("AA", "T2")
    assert "bytes before the start block discarded (noise or an unfinished message)" in lines(rig)
    assert recorded(rig, db_path) == [{"spo2": 94}, {"hr": 66}]


def test_a_connection_dropped_mid_message_records_nothing(rig, db_path):
    def work():
        with MllpSender("127.0.0.1", rig.port) as s:
            s.send_raw(framed(oru("DROP", GOOD_AT, {SPO2: 90}))[:120])
    rig.owner(work)
    assert exchange(rig, b"", 0) == []   # a new connection still works
    assert "closed mid-message: 120 bytes without an end block discarded" in lines(rig)
    assert recorded(rig, db_path) == [{"hr": 66}]


def test_wrong_message_type_is_rejected_with_err_200(rig, db_path):
    adt = oru("W1", GOOD_AT, {SPO2: 97}).replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01")
    [ack] = exchange(rig, framed(adt), 1)
    assert (ack.code, ack.control_id) == ("AR", "W1")
    assert ack.text == "MSH-9 message type ADT^A01 is not supported: only ORU^R01 (IHE PCD-01)"
    assert "ERR|||200^" in ack.raw
    assert recorded(rig, db_path) == [{"hr": 66}]


def test_rows_with_missing_trailing_fields_give_ae_and_keep_the_good_rows(rig, db_path):
    msg = oru("M1", GOOD_AT, {SPO2: 96}) + "OBX|2|NM|147842^HR^MDC|1.1.1.2|70\rOBX|3|NM\r"
    [ack] = exchange(rig, framed(msg), 1)
    assert (ack.code, ack.control_id) == ("AE", "M1")
    assert ack.text == ("OBX 2 (HR): OBX-6 unit '(empty)' is not allowed; expected /min "
                        "(MDC or UCUM)")
    assert recorded(rig, db_path) == [{"spo2": 96}, {"hr": 66}]


def test_lone_surrogates_are_rejected(rig, db_path):
    raw = oru("L1", GOOD_AT, {SPO2: 97}).encode().replace(b"INF^^3", b"INF\xed\xb2\x80^^3")
    [ack] = exchange(rig, framed(raw), 1)
    assert (ack.code, ack.control_id) == ("AR", "L1")
    assert "invalid byte sequence" in ack.text
    assert recorded(rig, db_path) == [{"hr": 66}]


@pytest.mark.parametrize(("when", "reason"), [
    (T0 - timedelta(minutes=1), "before the session opened (2026-03-02T09:00:00+00:00)"),
    (T0 + timedelta(minutes=12), "more than 60 s in the future (check the monitor's clock)"),
])
def test_samples_outside_the_session_are_refused_with_ae(rig, db_path, when, reason):
    [ack] = exchange(rig, framed(oru("O1", when, {SPO2: 97})), 1)
    assert (ack.code, ack.control_id) == ("AE", "O1")
    assert ack.text == f"SpO2 97 at {when.isoformat()} refused: {reason}"
    assert recorded(rig, db_path) == [{"hr": 66}]


def test_an_implausible_device_value_is_refused_by_validation_and_named(rig, db_path):
    [ack] = exchange(rig, framed(oru("P1", GOOD_AT, {HR: 400})), 1)
    assert (ack.code, ack.control_id) == ("AE", "P1")
    assert ack.text.startswith(f"values at {GOOD_AT.isoformat()} not recorded: ")
    assert "400" in ack.text
    assert recorded(rig, db_path) == [{"hr": 66}]


def test_a_flood_of_10000_messages_is_answered_and_recorded(rig, db_path):
    count = 10_000
    start = T0 + timedelta(seconds=30)
    payload = b"".join(framed(oru(f"F{i}", start + timedelta(milliseconds=50 * i),
                                  {HR: 60 + i % 40})) for i in range(count))

    def work():
        with MllpSender("127.0.0.1", rig.port, timeout=60) as s:
            s.send_raw(payload)
            return [s.read_ack() for _ in range(count)]

    acks = rig.owner(work, timeout=300)
    assert [a.control_id for a in acks] == [f"F{i}" for i in range(count)]
    assert {a.code for a in acks} == {"AA"}
    got = recorded(rig, db_path)
    assert [p["hr"] for p in got] == [60 + i % 40 for i in range(count)]
    assert rig.listener.port and exchange(rig, b"", 0) == []   # still up
