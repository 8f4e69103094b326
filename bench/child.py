"""Child processes for cold start and memory (fresh interpreters)."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _paint_waiter(widget, exit_on_paint: bool, then=None):
    """Print the time of the first paint; a bare window exits there; ``then`` runs."""
    from PySide6.QtCore import QEvent, QObject

    class Painted(QObject):
        done = False

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and not self.done:
                self.done = True
                print(f"PAINTED {time.time():.6f}", flush=True)
                if then is not None:
                    then()
                if exit_on_paint:
                    os._exit(0)
            return False

    f = Painted()
    widget.installEventFilter(f)
    return f


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication(sys.argv[:1])
    w = QMainWindow()
    w.resize(1400, 900)
    keep = _paint_waiter(w, exit_on_paint=True)
    w.show()
    app.exec()
    del keep


def imports(names: list[str]) -> None:
    """Import each module (``module:name``: a name from it) in turn and print what each
    cost (wall and CPU ms), given what was imported before it."""
    import importlib
    for name in names:
        module, _, attr = name.partition(":")
        wall, cpu = time.perf_counter(), time.process_time()
        got = importlib.import_module(module)
        for part in filter(None, attr.split(",")):
            getattr(got, part)
        print(f"IMPORT {name} {(time.perf_counter() - wall) * 1000:.3f} "
              f"{(time.process_time() - cpu) * 1000:.3f}", flush=True)


def app(db: str, sid: str, plain: bool = False, after_paint: list[str] | None = None) -> None:
    """The real program (`ketamine-monitor --db DB`), reopening the open session as it
    does at start; the only addition is a hook that reports paints, set on the window
    class once the program has imported it (where it installs its lighter PySide6
    import check, ui/common/startup.py). ``plain``: without that check, to measure it."""
    from PySide6.QtCore import QSettings, QTimer

    import ui.common.startup as startup
    from ui import entry

    lighten = startup.lighten_imports

    def lighten_then_hook() -> bool:
        installed = False if plain else lighten()
        import ui.main_window as mw
        QSettings("ketamine-monitor", "ketamine-monitor").setValue(mw.OPEN_KEY, sid)
        original_show = mw.MainWindow.show

        def show(window: Any) -> None:
            then = None if after_paint is None else (lambda: imports(after_paint))
            window._bench_paint = _paint_waiter(window, exit_on_paint=after_paint is not None,
                                                then=then)

            def finish() -> None:
                window.repaint()  # charts and tabs drawn
                print(f"COMPLETE {time.time():.6f}", flush=True)
                os._exit(0)

            if window.page is not None:
                window.page.completed.connect(lambda: QTimer.singleShot(0, finish))
            original_show(window)

        mw.MainWindow.show = show
        return installed

    startup.lighten_imports = lighten_then_hook
    entry.main(["--db", db])


def memory(db: str, sid: str, at: str) -> None:
    from datetime import datetime

    from PySide6.QtWidgets import QApplication

    from monitor.clinical.protocols import load_protocols
    from monitor.clock import ManualClock
    from monitor.log.sqlite.store import Store
    from monitor.record.recorder import Recorder
    from ui.common.theme import apply_theme
    from ui.main_window import MainWindow
    qapp = QApplication(sys.argv[:1])
    apply_theme(qapp, "dark")
    clock = ManualClock(datetime.fromisoformat(at))
    store = Store(db)
    protocols = load_protocols()
    window = MainWindow(store, clock, protocols)
    window.resize(1400, 900)
    page = window.open_session(Recorder(store, sid, clock, protocols))
    page.charts.window_min = 24 * 60
    window.show()
    for _ in range(20):
        qapp.processEvents()
    page.charts.redraw(clock.now())
    page.charts.glw.viewport().repaint()
    qapp.processEvents()
    # VmHWM is this process image's own peak; ru_maxrss would include the parent's
    # peak carried over fork and exec when the bench process is large.
    with open("/proc/self/status") as fh:
        peak_kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    print(f"PEAK_RSS_MB {peak_kb / 1024:.1f}", flush=True)
    os._exit(0)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        bare()
    elif mode in ("app", "app-plain"):
        app(sys.argv[2], sys.argv[3], plain=mode == "app-plain")
    elif mode in ("paint", "paint-plain"):  # DB SID: the app, ended at its first paint
        app(sys.argv[2], sys.argv[3], plain=mode == "paint-plain", after_paint=[])
    elif mode == "imports-window":   # DB SID MODULE...: each imported after the first paint
        app(sys.argv[2], sys.argv[3], after_paint=sys.argv[4:])
    elif mode == "imports-cli":      # MODULE...: each imported after the command line's own
        import ui.entry  # noqa: F401  (what every command, the window too, starts with)
        imports(sys.argv[2:])
    else:
        memory(sys.argv[2], sys.argv[3], sys.argv[4])
