"""The board's link to the clinic server: the log opened read-only as the board role,
joined again after the server went away, and a listener for wake-ups.

The board's window is given the model and a listener from here; it never holds the
log nor names its errors (``ui`` does not import ``monitor.log``).
"""

from __future__ import annotations

from collections.abc import Callable

from monitor.board.chairs import BoardModel
from monitor.clinical.protocols import ProtocolSet
from monitor.clock import Clock
from monitor.errors import StoreError
from monitor.log.eventlog import open_log, redact
from monitor.log.postgres.listen import Listener
from monitor.log.postgres.log import PgLog, ServerUnavailable


def open_model(url: str, clock: Clock, protocols: ProtocolSet, *, chairs: int,
               patient_label: str = "initials") -> BoardModel:
    """A board model reading ``url`` (a clinic server) read-only; StoreError when it
    cannot be opened or is not a clinic server."""
    log = open_log(url, readonly=True)
    if not isinstance(log, PgLog):
        log.close()
        raise StoreError(f"The board reads a clinic server (postgresql://ROLE@HOST/DB), "
                         f"not {redact(url)}")
    try:
        return BoardModel(log, clock, protocols, chairs=chairs, patient_label=patient_label)
    except BaseException:
        log.close()
        raise


def rejoin(model: BoardModel) -> None:
    """Connect again and read everything (at start and after the link came back: the
    notifications sent meanwhile are lost). A connection from before a server restart
    fails once, so the read is tried twice; StoreError when the server stays away."""
    for attempt in (1, 2):
        model.log.reconnect(force=True)
        try:
            model.resync()
        except ServerUnavailable:
            if attempt == 2:
                raise
        else:
            return


def listen(url: str, on_wake: Callable[[], None], on_link: Callable[[bool], None]
           ) -> Listener:
    """A listener for the clinic's commit notifications (not started): ``on_wake`` for
    each, ``on_link(up)`` when the link is made or lost; both on its own thread."""
    return Listener(url, on_wake, on_link)
