"""The window's bedside-monitor capture: one ``Station`` (its MLLP listener thread,
its inbox, its bindings) that lives as long as the window, not as long as the
devices dialog. Closing the dialog leaves a bound monitor recording; closing the
window (after its question names the bound monitor) stops the listener and frees
the port.

The listener's thread only fills the station's inbox; the inbox's ``on_ready``
goes through the window's one hop (``ui/common/bridge.py``), so the drain (one
transaction and one notification per batch) runs on the GUI thread, which owns
the recorders."""

from __future__ import annotations

import logging
from datetime import tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from monitor.clock import Clock
from monitor.record.recorder import Recorder
from ui.common.bridge import Hop

if TYPE_CHECKING:
    from monitor.devices.station import Station

log = logging.getLogger(__name__)


class DeviceCapture(QObject):
    """Owns the station; the devices dialog shows and drives it."""

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.station: Station | None = None
        self.recorder: Recorder | None = None  # the window's open session
        self._hop = Hop(self._drain, self)

    @property
    def listening(self) -> bool:
        return self.station is not None

    def start(self, port: int, clinic_tz: tzinfo) -> int:
        """Listen on 127.0.0.1:``port``; the bound port (MonitorError when it cannot)."""
        if self.station is not None:
            return self.station.listener.port
        # Imported when listening starts, not with the window: the listener brings
        # asyncio and python-hl7, 100-300 ms of imports on this 2-core machine.
        from monitor.devices.station import Station
        station = Station(self.clock, port=port, clinic_tz=clinic_tz)
        station.inbox.on_ready = self._hop
        bound = station.start()
        self.station = station
        return bound

    def set_clinic_tz(self, clinic_tz: tzinfo) -> None:
        if self.station is not None:   # read by the listener for each message
            self.station.listener.clinic_tz = clinic_tz

    def _drain(self) -> None:
        if self.station is not None:
            self.station.capture.drain()

    def set_recorder(self, recorder: Recorder | None) -> None:
        """The window's open session. Devices bound to the session it replaces are
        unbound (the question before leaving it said so); the same session again
        (the theme redrawn, say) keeps its monitor."""
        if recorder is self.recorder:
            return
        if self.station is not None and self.recorder is not None:
            for device in self.station.capture.bound_devices(self.recorder):
                self.station.capture.unbind(device)
        self.recorder = recorder

    def bound_devices(self, recorder: Recorder | None = None) -> list[str]:
        """Devices recording into ``recorder`` (the open session by default)."""
        target = recorder or self.recorder
        if self.station is None or target is None:
            return []
        return self.station.capture.bound_devices(target)

    def stop(self) -> None:
        """Stop listening (the window closes): the port is free when this returns."""
        station, self.station = self.station, None
        if station is not None:
            station.inbox.on_ready = None
            station.stop()
            log.info("device capture stopped")
