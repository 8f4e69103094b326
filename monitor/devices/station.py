"""A capture station: listener, inbox, diagnostics and bindings wired together,
owned by one thread that drains the inbox. The command line's ``listen``, the
HL7 demo and the window use it."""

from __future__ import annotations

from datetime import UTC, tzinfo

from monitor.clock import Clock
from monitor.devices.capture import Capture
from monitor.devices.delivery import Delivery
from monitor.devices.diagnostics import Diagnostics, Report
from monitor.devices.exposure import Exposure
from monitor.devices.listener import DEFAULT_PORT, MllpListener
from monitor.record.inbox import Inbox


class Station:
    def __init__(self, clock: Clock, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 clinic_tz: tzinfo = UTC, report: Report | None = None,
                 exposure: Exposure | None = None, forget_after: float = 3600.0) -> None:
        self.inbox: Inbox[Delivery] = Inbox()
        self.diagnostics = Diagnostics(clock, report, forget_after=forget_after)
        self.capture = Capture(self.inbox, self.diagnostics)
        self.listener = MllpListener(self.inbox, self.diagnostics, clock, host=host, port=port,
                                     clinic_tz=clinic_tz, exposure=exposure)

    def start(self) -> int:
        return self.listener.start()

    def pump(self, timeout: float) -> int:
        """Owner thread: wait up to ``timeout`` s for messages and record them."""
        return self.capture.drain() if self.inbox.wait(timeout) else 0

    def stop(self) -> None:
        self.listener.stop()
        self.capture.drain()   # answer what is left (the listener no longer waits)
