"""The threading contract: a recorder belongs to one thread; feeds on other threads
reach it through the one inbox, the capture station's, and the owner drains it in
batches. The feeds here are four bedside monitors sending over real MLLP connections
to a real listener."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from monitor.devices.sender import Ack
from monitor.devices.station import Station
from monitor.errors import WrongThread
from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind
from monitor.record.recorder import Change, Recorder
from tests.support.device_rig import feed_device, feed_messages, send_pipelined

FEEDS, EACH = 4, 1000


def test_four_monitors_into_one_session(recorder: Recorder, db_path) -> None:
    opened = recorder.session.opened_at
    recorder.clock.advance(2 * 3600)
    changes: list[tuple[int, Change]] = []
    recorder.subscribe(lambda c: changes.append((threading.get_ident(), c)))
    station = Station(recorder.clock, port=0)
    port = station.start()
    for n in range(FEEDS):
        station.capture.bind(feed_device(n), recorder)

    def feed(n: int) -> list[Ack]:
        return send_pipelined(port, feed_messages(n, opened, EACH))

    try:
        with ThreadPoolExecutor(FEEDS) as pool:
            futures = [pool.submit(feed, n) for n in range(FEEDS)]
            for f in futures:
                f.add_done_callback(lambda _f: station.inbox.wake())
            while not all(f.done() for f in futures):
                station.pump(0.05)  # this thread owns the recorder: it drains
            acks = [a for f in futures for a in f.result()]
    finally:
        station.stop()
    assert Counter(a.code for a in acks) == {"AA": FEEDS * EACH}
    owner = threading.get_ident()
    assert changes and {who for who, _ in changes} == {owner}  # notified on the owner only
    assert len(changes) < FEEDS * EACH  # batches: one notification for many sets
    assert sum(len(c.events) for _, c in changes) >= FEEDS * EACH

    with Store(db_path, readonly=True) as log:
        events = log.events(recorder.session.session_id)
        assert log.verify() == (1, len(events))
    stored = [e for e in events if e.kind is EventKind.VITALS and e.source == "device"]
    each = Counter((e.author, e.observed_at) for e in stored)
    assert len(each) == FEEDS * EACH and set(each.values()) == {1}  # each exactly once
    assert {e.author: e.payload["hr"] for e in stored} == {feed_device(n): 60 + n
                                                           for n in range(FEEDS)}
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


def test_a_recorder_refuses_other_threads(recorder: Recorder) -> None:
    caught: list[BaseException] = []

    def record() -> None:
        try:
            recorder.record_vitals({"hr": "70"}, "RN7")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            caught.append(exc)

    t = threading.Thread(target=record)
    t.start()
    t.join()
    assert len(caught) == 1 and isinstance(caught[0], WrongThread)
    assert "capture station's inbox" in str(caught[0])
    assert recorder.session.latest("hr") is None  # nothing half-recorded
    recorder.record_vitals({"hr": "70"}, "RN7")  # the owner records as before
    assert recorder.session.latest("hr")[1] == 70
