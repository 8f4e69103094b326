"""A Qt-free inbox between feeds and the thread that owns a recorder.

Feeds run on their own threads and only ``put`` items here: the capture station's
(``monitor/devices/station.py``) is the one the product fills, from its MLLP
listener (a real monitor, or the demo's simulated one). The owner thread (the
window's GUI thread, or the command line's main thread) ``drain``s them in batches
and records each batch in one transaction with one notification. A recorder is
therefore only ever touched by the thread that owns it.

``on_ready`` is called (on the feed's thread) when the inbox goes from empty
to non-empty, so an owner with an event loop can schedule one drain per
batch; an owner without one calls ``wait``.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Inbox(Generic[T]):
    """A bounded, thread-safe FIFO drained in batches by one owner thread."""

    def __init__(self, *, capacity: int = 10_000,
                 on_ready: Callable[[], None] | None = None) -> None:
        self.capacity = capacity
        self.on_ready = on_ready
        self._items: deque[T] = deque()
        self._cond = threading.Condition()
        self._woken = False

    def put(self, item: T) -> bool:
        """Queue one item; False (nothing queued) when the inbox is full."""
        with self._cond:
            if len(self._items) >= self.capacity:
                return False
            was_empty = not self._items
            self._items.append(item)
            self._cond.notify_all()
        if was_empty and self.on_ready is not None:
            self.on_ready()
        return True

    def drain(self, limit: int | None = None) -> list[T]:
        """Take up to ``limit`` items (all by default), oldest first."""
        with self._cond:
            count = len(self._items) if limit is None else min(limit, len(self._items))
            return [self._items.popleft() for _ in range(count)]

    def wait(self, timeout: float) -> bool:
        """Block until an item is queued, ``wake`` is called or ``timeout`` seconds pass;
        True if any item is queued."""
        with self._cond:
            self._cond.wait_for(lambda: bool(self._items) or self._woken, timeout)
            self._woken = False
            return bool(self._items)

    def wake(self) -> None:
        """Let a waiting owner return at once (for example when its own work is done)."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)
