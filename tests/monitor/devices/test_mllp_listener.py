"""The MLLP listener end to end: real sockets on 127.0.0.1, a real session in
SQLite, the test thread as the recorder's owner."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from monitor.devices.sender import START, MllpSender
from monitor.log.sqlite.store import Store
from tests.conftest import T0
from tests.support.device_rig import DEVICE, oru, running_rig

SPO2, HR, RR, NIBP_SYS, NIBP_DIA, NIBP_MEAN = 150456, 147842, 151562, 150021, 150022, 150023
END = b"\x1c\r"


@pytest.fixture
def rig(recorder, clock):
    clock.set(T0 + timedelta(minutes=10))
    with running_rig(recorder, clock) as r:
        yield r


def sent(rig, *messages):
    def work():
        with MllpSender("127.0.0.1", rig.port) as s:
            return [s.send(m) for m in messages]
    return rig.owner(work)


def test_bound_device_is_acknowledged_and_recorded_value_by_value(rig, db_path):
    rig.capture.bind(DEVICE, rig.recorder)
    t1, t2 = T0 + timedelta(minutes=5), T0 + timedelta(minutes=5, seconds=1)
    acks = sent(rig, oru("A1", t1, {SPO2: 97, HR: 72, RR: 14}),
                oru("A2", t2, {SPO2: 96, HR: 74, NIBP_SYS: 128, NIBP_DIA: 82, NIBP_MEAN: 97}))
    assert [(a.code, a.control_id) for a in acks] == [("AA", "A1"), ("AA", "A2")]
    with Store(db_path, readonly=True) as store:
        assert rig.device_entries(store) == [
            (t1, {"hr": 72, "spo2": 97, "rr": 14}, DEVICE),
            (t2, {"sbp": 128, "dbp": 82, "hr": 74, "spo2": 96, "map": 97,
                  "map_measured": True}, DEVICE)]
    status = rig.diagnostics.device(DEVICE)
    assert status.messages == 2 and status.recorded == 8
    assert status.last_values["spo2"] == (96, t2)


def test_unbound_device_is_heard_but_never_recorded(rig, db_path):
    [ack] = sent(rig, oru("U1", T0 + timedelta(minutes=5), {SPO2: 97}))
    assert (ack.code, ack.text) == ("AA", f"device {DEVICE} is not bound to a session: "
                                          "nothing recorded")
    with Store(db_path, readonly=True) as store:
        assert rig.device_entries(store) == []
    assert [d.device_id for d in rig.diagnostics.heard_within(60)] == [DEVICE]


def test_nibp_repeated_in_every_message_is_recorded_once(rig, db_path):
    rig.capture.bind(DEVICE, rig.recorder)
    cuff = T0 + timedelta(minutes=4)
    nibp = {NIBP_SYS: 131, NIBP_DIA: 85}
    msgs = []
    for i in range(3):
        text = oru(f"N{i}", T0 + timedelta(minutes=5, seconds=i), {SPO2: 97 - i})
        # the NIBP rows keep the cuff time in OBX-14 while SpO2 moves on
        msgs.append(text + oru("x", cuff, nibp).split("\r", 3)[3])
    acks = sent(rig, *msgs)
    assert {a.code for a in acks} == {"AA"}
    with Store(db_path, readonly=True) as store:
        entries = rig.device_entries(store)
    assert [p for t, p, _ in entries if t == cuff] == [
        {"sbp": 131, "dbp": 85, "map": 100.3, "map_measured": False}]
    assert [p["spo2"] for _, p, _ in entries if "spo2" in p] == [97, 96, 95]


def test_split_frames_are_reassembled_and_pipelined_messages_answered_in_order(rig, db_path):
    rig.capture.bind(DEVICE, rig.recorder)
    one = (START + oru("S1", T0 + timedelta(minutes=6), {HR: 70}).encode() + END)
    two = (START + oru("S2", T0 + timedelta(minutes=7), {HR: 71}).encode() + END)
    three = (START + oru("S3", T0 + timedelta(minutes=8), {HR: 72}).encode() + END)

    def work():
        with MllpSender("127.0.0.1", rig.port) as s:
            for piece in (one[:1], one[1:40], one[40:], two + three[:-1], three[-1:]):
                s.send_raw(piece)
            return [s.read_ack() for _ in range(3)]

    assert [(a.code, a.control_id) for a in rig.owner(work)] == [
        ("AA", "S1"), ("AA", "S2"), ("AA", "S3")]
    with Store(db_path, readonly=True) as store:
        assert [p["hr"] for _, p, _ in rig.device_entries(store)] == [70, 71, 72]


def test_many_connections_at_once(rig, db_path):
    from concurrent.futures import ThreadPoolExecutor
    devices = [f"00000000000000{i:02d}" for i in range(4)]
    for d in devices:
        rig.capture.bind(d, rig.recorder)

    def monitor(i):
        with MllpSender("127.0.0.1", rig.port) as s:
            return [s.send(oru(f"C{i}-{k}", T0 + timedelta(minutes=5, seconds=k),
                               {HR: 60 + i}, device=devices[i])).code for k in range(5)]

    def work():
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(monitor, range(4)))

    assert rig.owner(work) == [["AA"] * 5] * 4
    with Store(db_path, readonly=True) as store:
        entries = rig.device_entries(store)
    assert sorted((a, p["hr"]) for _, p, a in entries) == sorted(
        (d, 60 + i) for i, d in enumerate(devices) for _ in range(5))
    assert len(list(rig.diagnostics.snapshot().peers)) == 4


def test_listener_binds_loopback_by_default(rig):
    assert rig.listener.host == "127.0.0.1"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", rig.port), timeout=1).close()
