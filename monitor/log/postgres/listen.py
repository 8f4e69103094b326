"""LISTEN for the clinic's commit notifications on a thread of its own.

A notification is a wake-up, never data: any login may send one on the channel,
with any text (``SELECT pg_notify('km_events', 'x')``), so its payload is not even
parsed. ``on_wake()`` is called for each; the owner then reads the table.
``on_link(up)`` is called when the connection is made (again) or lost.
Notifications sent while the link was down are lost by PostgreSQL's design, so the
owner re-reads on every ``on_link(True)`` (and periodically anyway).

Nothing a notification or a callback does ends this thread: every error is logged
(an unexpected one is handed to ``threading.excepthook``, which the board shows) and
the link is made again. The callbacks run on this thread: a Qt owner re-emits
them as queued signals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg

from monitor.errors import hand_on
from monitor.log.postgres.functions import CHANNEL
from monitor.log.postgres.log import ServerUnavailable, connect

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0


class Listener:
    def __init__(self, url: str, on_wake: Callable[[], None],
                 on_link: Callable[[bool], None]) -> None:
        self.url = url
        self.on_wake = on_wake
        self.on_link = on_link
        self.errors = 0  # notifications or links that failed (logged), for the owner
        self.listening = threading.Event()  # set while LISTEN is in force
        self.wakes = 0  # notifications received
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="clinic-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn = connect(self.url, application="ketamine-monitor board")
            except ServerUnavailable:
                self._stop.wait(RETRY_SECONDS)
                continue
            try:
                self._listen(conn)
            except psycopg.OperationalError as exc:
                log.warning("board lost the clinic server: %s", type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 - shown (and logged) by the hook
                self.errors += 1
                hand_on(exc)  # then listening again
            finally:
                self.listening.clear()
                conn.close()
            if not self._stop.is_set():
                self._call(self.on_link, False)
                self._stop.wait(RETRY_SECONDS)

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(f"LISTEN {CHANNEL}")
        self.listening.set()
        self._call(self.on_link, True)
        while not self._stop.is_set():
            for _note in conn.notifies(timeout=0.5):
                self.wakes += 1
                self._call(self.on_wake)

    def _call(self, callback: Callable[..., None], *args: object) -> None:
        try:
            callback(*args)
        except Exception:
            self.errors += 1
            log.exception("board listener callback failed; listening on")
