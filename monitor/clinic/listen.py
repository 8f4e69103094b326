"""LISTEN for the clinic's commit notifications on a thread of its own.

``on_event(chair, session_id)`` is called for each notification; ``on_link(up)``
when the connection is made (again) or lost. Notifications sent while the link
was down are lost by PostgreSQL's design, so the owner re-reads on every
``on_link(True)``. The callbacks run on this thread: a Qt owner re-emits them as
queued signals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

from monitor.clinic.functions import CHANNEL
from monitor.pglog import ServerUnavailable, connect

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0


class Listener:
    def __init__(self, url: str, on_event: Callable[[str, str], None],
                 on_link: Callable[[bool], None]) -> None:
        self.url = url
        self.on_event = on_event
        self.on_link = on_link
        self._stop = threading.Event()
        self._conn: psycopg.Connection | None = None
        self._thread = threading.Thread(target=self._run, name="clinic-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn = connect(self.url, application="ketamine-monitor board")
            except ServerUnavailable:
                self._stop.wait(RETRY_SECONDS)
                continue
            try:
                conn.execute(f"LISTEN {CHANNEL}")
                self.on_link(True)
                while not self._stop.is_set():
                    for note in conn.notifies(timeout=0.5):
                        chair, sid, _id = note.payload.split(" ", 2)
                        self.on_event(chair, sid)
            except psycopg.OperationalError as exc:
                log.warning("board lost the clinic server: %s", type(exc).__name__)
                self.on_link(False)
                self._stop.wait(RETRY_SECONDS)
            finally:
                conn.close()
