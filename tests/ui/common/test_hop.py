"""The window's one thread-to-GUI hop: at once on the GUI thread, queued from any other,
arguments and all, in the order called."""

from __future__ import annotations

import threading

from ui.common.bridge import Hop


def test_a_call_on_the_gui_thread_runs_at_once(qtbot) -> None:
    calls: list[tuple[int, object]] = []
    hop = Hop(lambda value: calls.append((threading.get_ident(), value)))
    hop("now")
    assert calls == [(threading.get_ident(), "now")]  # before any event is processed


def test_calls_from_another_thread_run_on_the_gui_thread_in_order(qtbot) -> None:
    gui = threading.get_ident()
    calls: list[tuple[int, int, bool]] = []
    hop = Hop(lambda n, up: calls.append((threading.get_ident(), n, up)))

    def feed() -> None:
        for n in range(100):
            hop(n, n % 2 == 0)

    worker = threading.Thread(target=feed)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(calls) == 100, timeout=5000)
    assert calls == [(gui, n, n % 2 == 0) for n in range(100)]
