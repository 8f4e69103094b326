"""Faults on the listener's thread are said, never swallowed or left waiting: a port it
cannot take is an error at once, a malformed header is refused and the connection goes
on, and a fault of ours while handling a message answers AE and reaches
``threading.excepthook`` (which the window routes to the problem bar)."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from monitor.clock import SystemClock
from monitor.devices.messages import pcd01_message
from monitor.devices.sender import END, START, Ack, MllpSender
from monitor.devices.station import Station
from monitor.errors import MonitorError
from tests.conftest import T0

DEVICE = "0011223344556677"
T = TypeVar("T")


def owned(station: Station, work: Callable[[], T]) -> T:
    """Run the monitor's side on another thread while this one, the owner, drains."""
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(work)
        future.add_done_callback(lambda _f: station.inbox.wake())
        while not future.done():
            station.pump(0.05)
        return future.result()


@pytest.mark.hazard("H-283")
def test_a_port_past_65535_is_an_error_not_a_frozen_start() -> None:
    station = Station(SystemClock(), port=65536)
    caught: list[MonitorError] = []

    def start() -> None:
        try:
            station.start()
        except MonitorError as exc:
            caught.append(exc)

    starting = threading.Thread(target=start, daemon=True)
    starting.start()
    starting.join(20)
    assert not starting.is_alive(), "start() is still waiting for a thread that died"
    assert [str(e) for e in caught] == [
        "Cannot listen on 127.0.0.1:65536: bind(): port must be 0-65535."]
    assert not station.listener._thread.is_alive()


@pytest.mark.hazard("H-284")
def test_a_header_without_a_field_separator_is_refused_and_the_connection_goes_on() -> None:
    station = Station(SystemClock(), port=0)
    port = station.start()
    try:
        def monitor() -> tuple[Ack, Ack]:
            with MllpSender("127.0.0.1", port, timeout=10) as sender:
                bad = sender.send("MSH\rPID|||P1^^^^MR\r")  # before the fix: no ACK, ever
                return bad, sender.send(pcd01_message(DEVICE, "G1", datetime.now(UTC),
                                                      {150456: 97}))

        bad, good = owned(station, monitor)
    finally:
        station.stop()
    assert (bad.code, bad.text) == ("AR", "not an HL7 message: no MSH segment")
    assert (good.code, good.control_id) == ("AA", "G1")


@pytest.mark.hazard("H-280")
def test_a_failing_report_is_handed_to_the_thread_hook_and_capture_goes_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", handed.append)
    out = io.StringIO()
    out.close()  # `ketamine-monitor listen | head -1`: the reader has gone
    station = Station(SystemClock(), port=0, report=out.write)
    port = station.start()
    try:
        def monitor() -> list[Ack]:
            with MllpSender("127.0.0.1", port, timeout=10) as sender:
                return [sender.send(pcd01_message(DEVICE, f"R{i}", T0, {150456: 97}))
                        for i in range(2)]

        acks = owned(station, monitor)
    finally:
        station.stop()
    assert [(a.code, a.control_id) for a in acks] == [("AA", "R0"), ("AA", "R1")]
    assert handed and {h.exc_type for h in handed} == {ValueError}
    assert {h.thread.name for h in handed if h.thread is not None} == {"mllp-listener"}
    assert "I/O operation on closed file" in str(handed[0].exc_value)
    assert station.diagnostics.snapshot().lines  # what it heard is still kept


@pytest.mark.hazard("H-280", "H-284")
def test_a_fault_while_handling_a_message_answers_ae_and_the_connection_goes_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault of ours on one message (here a clinic zone that is not a tzinfo, as a
    bug elsewhere could leave it) costs that message only, and is handed on."""
    handed: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", handed.append)
    station = Station(SystemClock(), port=0)
    port = station.start()
    station.listener.clinic_tz = "Europe/Berlin"  # type: ignore[assignment]
    no_offset = pcd01_message(DEVICE, "Z1", T0, {150456: 97}).replace("+0000", "")
    try:
        def monitor() -> tuple[Ack, Ack]:
            with MllpSender("127.0.0.1", port, timeout=10) as sender:
                sender.send_raw(START + no_offset.encode() + END)
                faulty = sender.read_ack()
                return faulty, sender.send(pcd01_message(DEVICE, "Z2", T0, {150456: 97}))

        faulty, good = owned(station, monitor)
    finally:
        station.stop()
    assert (faulty.code, faulty.control_id) == ("AE", "Z1")
    assert faulty.text.startswith("internal error in the listener (TypeError)")
    assert (good.code, good.control_id) == ("AA", "Z2")
    assert [h.exc_type for h in handed] == [TypeError]
