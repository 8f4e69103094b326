"""The window's one thread-to-GUI hop, and the recorder's notifications as signals.

The core never imports Qt: a feed (the MLLP listener, the clinic's LISTEN thread)
calls a plain Python callable on its own thread. ``Hop`` is that callable: called on
the thread that owns it (the GUI thread), it runs its target at once; called on any
other thread, it posts the call, arguments and all, to the GUI thread's event loop
(a queued signal). Qt picks between the two when the call is made, so a caller never
needs to know which thread it is on.

The recorder belongs to the GUI thread: it records and notifies there, and
``RecorderBridge`` re-emits each notification (a ``Change``) as Qt signals through
its hop. Device samples reach the recorder through the capture station's inbox
(``monitor/devices/station.py``), drained on the GUI thread by the window's device
capture (``ui/devices/capture_service.py``) when its hop says the inbox has mail.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from monitor.record.recorder import Change, Recorder


class Hop(QObject):
    """Run ``target(*args)`` on this object's thread, whichever thread calls it."""

    _called = Signal(tuple)

    def __init__(self, target: Callable[..., object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._target = target
        # The receiver is this object (not a bare callable), so Qt decides per call:
        # direct on the owner thread, queued from any other.
        self._called.connect(self._run)

    def __call__(self, *args: object) -> None:
        self._called.emit(args)

    @Slot(tuple)
    def _run(self, args: tuple[object, ...]) -> None:
        self._target(*args)


class RecorderBridge(QObject):
    recorded = Signal(object, object)  # list[Event], Evaluation
    changed = Signal(object)  # Change: what the commit changed

    def __init__(self, recorder: Recorder, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.recorder = recorder
        self._hop = Hop(self._on_change, self)
        self._unsubscribe = recorder.subscribe(self._hop)

    def _on_change(self, change: Change) -> None:
        self.changed.emit(change)
        self.recorded.emit(change.events, change.evaluation)

    def detach(self) -> None:
        self._unsubscribe()
