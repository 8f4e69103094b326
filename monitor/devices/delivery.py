"""One parsed message on its way from the listener's thread to the owner's,
and the outcome that travels back to become the ACK."""

from __future__ import annotations

import asyncio
import threading
from contextlib import suppress
from dataclasses import dataclass, field

from monitor.devices.pcd01 import Parsed


@dataclass(frozen=True)
class Outcome:
    recorded: int = 0
    problems: list[str] = field(default_factory=list)
    note: str = ""


class Delivery:
    """Claimed by the owner or expired by the listener, never both: an ACK never
    says "not recorded" for values that were recorded."""

    def __init__(self, parsed: Parsed, peer: str, loop: asyncio.AbstractEventLoop,
                 future: asyncio.Future[Outcome]) -> None:
        self.parsed = parsed
        self.peer = peer
        self._loop = loop
        self._future = future
        self._lock = threading.Lock()
        self._state = "pending"

    def _move(self, to: str) -> bool:
        with self._lock:
            if self._state != "pending":
                return False
            self._state = to
            return True

    def claim(self) -> bool:
        """Owner thread: True when the listener still waits for this message."""
        return self._move("claimed")

    def expire(self) -> bool:
        """Listener thread: True when the owner had not yet claimed it (and now never will)."""
        return self._move("expired")

    def resolve(self, outcome: Outcome) -> None:
        """Owner thread: hand the outcome back to the listener's event loop."""
        def _set() -> None:
            if not self._future.done():
                self._future.set_result(outcome)

        with suppress(RuntimeError):  # the listener has stopped: nobody waits any more
            self._loop.call_soon_threadsafe(_set)
