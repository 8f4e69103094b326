"""Four bedside monitors send over real MLLP connections to the window's listener
while the window shows the session they record into: every set is stored once, the
chain verifies, and the window's views are only ever touched on the GUI thread (the
drain runs there, one batch at a time, through the window's one hop)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

from monitor.log.sqlite.store import Store
from monitor.model.events import EventKind
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, baseline_vitals
from tests.support.device_rig import feed_device, feed_messages, send_pipelined
from tests.support.window import make_window
from ui.charts.charts import ChartsView
from ui.session.log_rows import DeviceMinute
from ui.session.log_view import LogView
from ui.session.value_rail import ValueRail

FEEDS, EACH = 4, 1000


def test_four_feed_threads_one_session_views_on_the_gui_thread(
        qtbot, store, db_path, clock, protocols, monkeypatch) -> None:
    gui = threading.get_ident()
    touched: list[int] = []
    # observe (not replace) the views' redraws
    for view, method in ((ChartsView, "apply"), (LogView, "apply"), (ValueRail, "refresh")):
        original = getattr(view, method)

        def watch(self, *args, _original=original, **kw):  # type: ignore[no-untyped-def]
            touched.append(threading.get_ident())
            return _original(self, *args, **kw)

        monkeypatch.setattr(view, method, watch)
    window = make_window(qtbot, store, clock, protocols)
    rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
    baseline_vitals(rec)
    page = window.open_session(rec)
    qtbot.waitUntil(lambda: page.charts is not None, timeout=10_000)
    changes: list[int] = []
    page.bridge.changed.connect(lambda _c: changes.append(threading.get_ident()))
    opened = rec.session.opened_at
    clock.advance(2 * 3600)

    port = window.devices.start(0, UTC)
    for n in range(FEEDS):
        window.devices.station.capture.bind(feed_device(n), rec)

    def feed(n: int) -> set[str]:
        return {a.code for a in send_pipelined(port, feed_messages(n, opened, EACH))}

    with ThreadPoolExecutor(FEEDS) as pool:
        futures = [pool.submit(feed, n) for n in range(FEEDS)]
        # the GUI thread drains meanwhile (the hop queues the drain to it)
        qtbot.waitUntil(lambda: all(f.done() for f in futures), timeout=120_000)
    assert set().union(*(f.result() for f in futures)) == {"AA"}
    assert len([e for e in rec.session.events if e.source == "device"]) == FEEDS * EACH
    touched_before_close = list(touched)
    # Drawn from the notifications alone (batches out of time order rebuild): every
    # point and every entry is on screen once.
    assert len(page.charts.curves["hr"].xData) == len(rec.session.series["hr"])
    # the log folds a minute of device samples into one row (issue 23 #15): every
    # entry is in exactly one row
    shown = [e.seq for row in page.log.model.rows
             for e in (row.events if isinstance(row, DeviceMinute) else [row])]
    assert sorted(shown) == [e.seq for e in rec.session.events]
    window.shutdown()

    assert changes and set(changes) == {gui}
    assert len(changes) < FEEDS * EACH  # drained in batches
    assert touched_before_close and set(touched_before_close) == {gui}
    with Store(db_path, readonly=True) as log:
        events = log.events(rec.session.session_id)
        assert log.verify() == (1, len(events))
    stored = Counter((e.author, e.observed_at) for e in events
                     if e.kind is EventKind.VITALS and e.source == "device")
    assert len(stored) == FEEDS * EACH and set(stored.values()) == {1}
