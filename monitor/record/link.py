"""The clinic server's link, kept alive by the window's tick and shown by its header.

A log that records into a server (the clinic's PostgreSQL, ``monitor.log.postgres``)
can lose it; it then records into its local spool and uploads when the server
returns. Trying the server again is the log's job (``keep_link``: never blocks, at
most every few seconds); calling it once a second is the window's tick, through
:meth:`monitor.record.service.Service.tick`, whether or not a session is shown. A
view only shows the text it is given. A file log (SQLite) has no link: its text is
always "".
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from monitor.log.eventlog import EventLog


@runtime_checkable
class ServerLink(Protocol):
    """What a log recording into a server offers beside the :class:`EventLog` calls."""

    def keep_link(self) -> str:
        """Try the server again when due (never blocks) and say how the link is."""
        ...

    def status(self) -> str:
        """How the link is, without trying it ('' while the server takes every entry)."""
        ...


class Link:
    """The link of one log: kept by ``tick`` once a second, read by ``text``."""

    def __init__(self, log: EventLog) -> None:
        self._server = log if isinstance(log, ServerLink) else None

    def tick(self) -> str:
        """Keep the link alive: the server is tried again when due (on a thread of the
        log's own, never here) and what it took meanwhile is uploaded. Returns ``text``."""
        return self._server.keep_link() if self._server is not None else ""

    def text(self) -> str:
        """One line for the header: '' while every entry reaches the server (or there
        is no server); else why entries stay on this computer. Tries nothing."""
        return self._server.status() if self._server is not None else ""
