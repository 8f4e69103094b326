"""A real listener on 127.0.0.1 (ephemeral port), a real session in a real
SQLite file, and the test thread as the recorder's owner that drains the inbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from monitor.clock import ManualClock
from monitor.devices.capture import Capture
from monitor.devices.delivery import Delivery
from monitor.devices.diagnostics import Diagnostics
from monitor.devices.listener import MllpListener
from monitor.devices.messages import pcd01_message
from monitor.devices.sender import END, START, Ack, MllpSender
from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind
from monitor.record.inbox import Inbox
from monitor.record.recorder import Recorder

DEVICE = "0011223344556677"
T = TypeVar("T")


@dataclass
class Rig:
    recorder: Recorder
    clock: ManualClock
    inbox: Inbox[Delivery]
    diagnostics: Diagnostics
    capture: Capture
    listener: MllpListener

    @property
    def port(self) -> int:
        return self.listener.port

    def owner(self, work: Callable[[], T], timeout: float = 60.0) -> T:
        """Run ``work`` (the bedside monitor's side) on another thread while this
        thread, the recorder's owner, drains the inbox."""
        deadline = datetime.now(UTC) + timedelta(seconds=timeout)
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(work)
            future.add_done_callback(lambda _f: self.inbox.wake())
            while not future.done():
                assert datetime.now(UTC) < deadline, "the exchange did not finish in time"
                if self.inbox.wait(0.02):
                    self.capture.drain()
            return future.result()

    def device_entries(self, store: Store) -> list[tuple[datetime, dict[str, object], str]]:
        return [(e.observed_at, dict(e.payload), e.author)
                for e in store.events(self.recorder.session.session_id)
                if e.kind is EventKind.VITALS and e.source == "device"]


@contextmanager
def running_rig(recorder: Recorder, clock: ManualClock) -> Iterator[Rig]:
    inbox: Inbox[Delivery] = Inbox()
    diagnostics = Diagnostics(clock)
    capture = Capture(inbox, diagnostics)
    listener = MllpListener(inbox, diagnostics, clock, port=0)
    listener.start()
    try:
        yield Rig(recorder, clock, inbox, diagnostics, capture, listener)
    finally:
        listener.stop()


def oru(control_id: str, when: datetime, rows: dict[int, float], *,
        device: str = DEVICE) -> str:
    """A PCD-01 ORU^R01 as a monitor sends it: one OBX per MDC code, time in OBX-14."""
    return pcd01_message(device, control_id, when, rows)


def send_pipelined(port: int, messages: list[str], *, window: int = 50) -> list[Ack]:
    """A monitor that sends ``window`` messages ahead of their ACKs (as the listener
    allows), over one real connection; every ACK, in order."""
    acks: list[Ack] = []
    with MllpSender("127.0.0.1", port, timeout=60) as sender:
        for at in range(0, len(messages), window):
            chunk = messages[at:at + window]
            sender.send_raw(b"".join(START + m.encode() + END for m in chunk))
            acks += [sender.read_ack() for _ in chunk]
    return acks


def feed_device(n: int) -> str:
    """The EUI-64 of the test's monitor number ``n``."""
    return f"00000000000000A{n}"


def feed_messages(n: int, first: datetime, count: int) -> list[str]:
    """Monitor ``n``'s stream: one ORU a second from ``first`` + 1 s, HR 60 + n and
    SpO2 97, offset by 10·n ms so that several monitors never share a time."""
    return [pcd01_message(feed_device(n), f"M{n}-{j}",
                          first + timedelta(seconds=1 + j, milliseconds=10 * n),
                          {147842: 60 + n, 150456: 97}) for j in range(count)]
