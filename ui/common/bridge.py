"""The window's side of a recorder: its notifications as Qt signals, and the
drain of its inbox on the GUI thread.

The recorder belongs to the GUI thread (it records and notifies there). A feed
on another thread only puts device sets into ``recorder.inbox``; the inbox's
``on_ready`` emits ``ready`` from that thread, a queued signal, so the drain (one
transaction, one notification, one repaint per batch) runs on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from monitor.record.recorder import Change, Recorder


class RecorderBridge(QObject):
    recorded = Signal(object, object)  # list[Event], Evaluation
    changed = Signal(object)  # Change: what the commit changed
    ready = Signal()  # the inbox has device sets (emitted from the feed's thread)

    def __init__(self, recorder: Recorder, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self._unsubscribe = recorder.subscribe(self._on_change)
        self.ready.connect(self._drain)  # emitted on a feed's thread: queued to ours
        recorder.inbox.on_ready = self.ready.emit

    def _on_change(self, change: Change) -> None:
        self.changed.emit(change)
        self.recorded.emit(change.events, change.evaluation)

    def _drain(self) -> None:
        self.recorder.drain()

    def detach(self) -> None:
        self.recorder.inbox.on_ready = None
        self._unsubscribe()
