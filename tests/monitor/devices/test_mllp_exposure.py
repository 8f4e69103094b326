"""A listener that can face a network: timeouts, a connection cap, bounded
diagnostics, an allow-list, devices pinned to their address, MLLP over TLS.
Real sockets (plain and ssl) against a real listener."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.clock import ManualClock
from monitor.devices.capture import Capture
from monitor.devices.delivery import Delivery
from monitor.devices.diagnostics import Diagnostics
from monitor.devices.exposure import Exposure, parse_allow, server_tls
from monitor.devices.listener import MllpListener
from monitor.devices.messages import pcd01_message
from monitor.devices.pcd01 import parse_message
from monitor.devices.sender import END, START, MllpSender
from monitor.errors import MonitorError
from monitor.record.inbox import Inbox
from tests.conftest import T0
from tests.support.device_rig import DEVICE

SPO2 = 150456
AT = T0 + timedelta(minutes=9)


class Running:
    """A listener and an owner thread that answers every message (no device bound:
    each is heard, none recorded)."""

    def __init__(self, exposure: Exposure) -> None:
        clock = ManualClock(T0 + timedelta(minutes=10))
        inbox: Inbox[Delivery] = Inbox()
        self.diagnostics = Diagnostics(clock)
        capture = Capture(inbox, self.diagnostics)
        self.listener = MllpListener(inbox, self.diagnostics, clock, port=0, exposure=exposure)
        self.port = self.listener.start()
        self._stop = threading.Event()

        def owner() -> None:
            while not self._stop.is_set():
                if inbox.wait(0.05):
                    capture.drain()

        self._owner = threading.Thread(target=owner, daemon=True)
        self._owner.start()

    def stop(self) -> None:
        self.listener.stop()
        self._stop.set()
        self._owner.join(5)


def listener(exposure: Exposure) -> tuple[Running, Diagnostics]:
    running = Running(exposure)
    return running, running.diagnostics


def lines(diagnostics: Diagnostics) -> str:
    return "\n".join(diagnostics.snapshot().lines)


def wait_for(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def closed_by_peer(sock: socket.socket) -> bool:
    sock.settimeout(10)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


@pytest.mark.hazard("H-136")
def test_a_half_sent_frame_is_closed_after_the_frame_timeout():
    lst, diag = listener(Exposure(frame_timeout=0.3))
    try:
        with socket.create_connection(("127.0.0.1", lst.port)) as sock:
            sock.sendall(START + b"MSH|^~\\&|HALF")
            assert closed_by_peer(sock)
        wait_for(lambda: "frame timeout" in lines(diag))
        assert "message started but not ended within 0.3 s (frame timeout)" in lines(diag)
    finally:
        lst.stop()


def test_a_silent_connection_is_closed_after_the_idle_timeout():
    lst, diag = listener(Exposure(idle_timeout=0.3))
    try:
        with socket.create_connection(("127.0.0.1", lst.port)) as sock:
            assert closed_by_peer(sock)
        wait_for(lambda: "idle for 0.3 s (idle timeout)" in lines(diag))
    finally:
        lst.stop()


@pytest.mark.hazard("H-136")
def test_connections_over_the_cap_are_closed_with_a_log_line():
    lst, diag = listener(Exposure(max_connections=2))
    try:
        held = [socket.create_connection(("127.0.0.1", lst.port)) for _ in range(2)]
        wait_for(lambda: lines(diag).count("connection from") >= 2)
        with socket.create_connection(("127.0.0.1", lst.port)) as third:
            assert closed_by_peer(third)
        wait_for(lambda: "(connection cap 2)" in lines(diag))
        for sock in held:
            sock.close()
        wait_for(lambda: sum(p.open for p in diag.snapshot().peers) == 0)
        with socket.create_connection(("127.0.0.1", lst.port)):   # room again: admitted
            wait_for(lambda: lines(diag).count("connection from") - lines(diag).count(
                "refused") >= 3)
    finally:
        lst.stop()


def test_diagnostics_forget_devices_unheard_for_an_hour():
    clock = ManualClock(T0)
    diag = Diagnostics(clock)
    for i in range(3):
        diag.heard("127.0.0.1:1", parse_message(pcd01_message(
            f"00112233445566{i:02d}", f"M{i}", T0, {SPO2: 97}).encode(), T0.tzinfo))
    clock.advance(3601)
    diag.heard("127.0.0.1:1", parse_message(pcd01_message(
        DEVICE, "M9", T0, {SPO2: 97}).encode(), T0.tzinfo))
    assert [d.device_id for d in diag.snapshot().devices] == [DEVICE]
    assert "forgot 3 device(s) unheard for 3600 s" in lines(diag)


def test_diagnostics_keep_at_most_their_cap_of_devices():
    clock = ManualClock(T0)
    diag = Diagnostics(clock)
    diag.MAX_DEVICES = 50
    for i in range(120):
        clock.advance(1)
        diag.heard("127.0.0.1:1", parse_message(pcd01_message(
            f"{i:016X}", f"M{i}", T0, {SPO2: 97}).encode(), T0.tzinfo))
    devices = diag.snapshot().devices
    assert len(devices) <= 51
    assert f"{119:016X}" in {d.device_id for d in devices}


@pytest.mark.hazard("H-135")
def test_an_address_outside_the_allow_list_is_refused_unread():
    lst, diag = listener(Exposure(allow=parse_allow(["10.0.0.0/8"])))
    try:
        with socket.create_connection(("127.0.0.1", lst.port)) as sock:
            sock.sendall(START + pcd01_message(DEVICE, "A1", AT, {SPO2: 97}).encode() + END)
            assert closed_by_peer(sock)
        wait_for(lambda: "is not in the allow-list" in lines(diag))
        assert diag.device(DEVICE) is None   # nothing read, nothing heard
    finally:
        lst.stop()
    with pytest.raises(MonitorError, match="--allow 'ward 3'"):
        parse_allow(["ward 3"])


def _from(source: str, port: int) -> MllpSender:
    sender = MllpSender.__new__(MllpSender)
    sock = socket.socket()
    sock.settimeout(10)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    sender._sock, sender._buf = sock, bytearray()
    return sender


@pytest.mark.hazard("H-135")
def test_a_device_id_heard_from_one_address_cannot_be_spoken_for_by_another():
    lst, diag = listener(Exposure())
    try:
        with _from("127.0.0.1", lst.port) as first:
            assert first.send(pcd01_message(DEVICE, "D1", AT, {SPO2: 97})).code == "AA"
        with _from("127.0.0.2", lst.port) as other:
            ack = other.send(pcd01_message(DEVICE, "D2", AT, {SPO2: 80}))
        assert ack.code == "AR"
        assert ack.text.startswith(f"device {DEVICE} was first heard from 127.0.0.1, "
                                   "not 127.0.0.2: refused")
        dev = diag.device(DEVICE)
        assert dev is not None and dev.messages == 1
    finally:
        lst.stop()


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.mark.hazard("H-135")
def test_mllp_over_tls_with_a_self_signed_certificate(tmp_path):
    cert, key = _self_signed(tmp_path)
    lst, _diag = listener(Exposure(tls=server_tls(cert, key)))
    try:
        client = ssl.create_default_context(cafile=str(cert))
        with socket.create_connection(("127.0.0.1", lst.port), timeout=10) as raw, \
                client.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            sock.sendall(START + pcd01_message(DEVICE, "T1", AT, {SPO2: 97}).encode() + END)
            answer = b""
            while END not in answer:
                chunk = sock.recv(4096)
                assert chunk, "closed without an ACK"
                answer += chunk
        assert b"MSA|AA|T1" in answer
        # A plain-text client gets no ACK from a TLS listener.
        with socket.create_connection(("127.0.0.1", lst.port), timeout=10) as plain:
            plain.sendall(START + pcd01_message(DEVICE, "T2", AT, {SPO2: 97}).encode() + END)
            with contextlib.suppress(ConnectionResetError):
                assert b"MSA|" not in plain.recv(4096)
    finally:
        lst.stop()
    with pytest.raises(MonitorError, match="cannot load the certificate"):
        server_tls(tmp_path / "missing.pem")


def test_bad_limits_are_refused_naming_the_setting():
    with pytest.raises(MonitorError, match="--frame-timeout 0"):
        Exposure(frame_timeout=0)
    with pytest.raises(MonitorError, match="--max-connections 0"):
        Exposure(max_connections=0)


def test_unmapped_codes_are_named_once_per_device_in_the_listen_output():
    said: list[str] = []
    diag = Diagnostics(ManualClock(T0), said.append)   # listen prints each line
    message = pcd01_message(DEVICE, "U1", AT, {SPO2: 97, 150488: 3.1, 148066: 0})
    for _ in range(3):
        diag.heard("127.0.0.1:5", parse_message(message.encode(), T0.tzinfo))
    assert said == [f"127.0.0.1:5 {DEVICE}: codes not mapped, not recorded: 150488, 148066"]
