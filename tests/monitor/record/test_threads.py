"""The threading contract: a recorder belongs to one thread; feeds on other threads
only put device sets into its inbox, and the owner drains them in batches."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from monitor.errors import WrongThread
from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind
from monitor.record.recorder import Change, Recorder

FEEDS, EACH = 4, 1000


def test_four_feeds_into_one_session(recorder: Recorder, db_path) -> None:
    opened = recorder.session.opened_at
    recorder.clock.advance(2 * 3600)
    changes: list[tuple[int, Change]] = []
    recorder.subscribe(lambda c: changes.append((threading.get_ident(), c)))

    def feed(n: int) -> None:
        for j in range(EACH):
            at = opened + timedelta(seconds=1 + j, milliseconds=10 * n)
            while not recorder.inbox.put(({"hr": str(60 + n), "spo2": "97"}, at, f"dev-{n}")):
                recorder.inbox.wait(0.01)  # full: let the owner catch up

    threads = [threading.Thread(target=feed, args=(n,)) for n in range(FEEDS)]
    for t in threads:
        t.start()
    results = []
    while any(t.is_alive() for t in threads) or len(recorder.inbox):
        recorder.inbox.wait(0.05)
        results += recorder.drain()
    for t in threads:
        t.join()
    assert len(results) == FEEDS * EACH
    assert not [r for r in results if not hasattr(r, "seq")]  # none refused
    owner = threading.get_ident()
    assert changes and {who for who, _ in changes} == {owner}  # notified on the owner only
    assert len(changes) < FEEDS * EACH  # batches: one notification for many sets
    assert sum(len(c.events) for _, c in changes) >= FEEDS * EACH

    with Store(db_path, readonly=True) as log:
        events = log.events(recorder.session.session_id)
        assert log.verify() == (1, len(events))
    device = [e for e in events if e.kind is EventKind.VITALS and e.source == "device"]
    stored = Counter((e.author, e.observed_at) for e in device)
    assert len(stored) == FEEDS * EACH and set(stored.values()) == {1}  # each exactly once
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
    assert "recorder.inbox" in str(caught[0])
    assert recorder.session.latest("hr") is None  # nothing half-recorded
    recorder.record_vitals({"hr": "70"}, "RN7")  # the owner records as before
    assert recorder.session.latest("hr")[1] == 70
