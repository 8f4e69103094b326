"""The one place the window shows problems; uncaught exceptions land here too,
from the GUI thread (``sys.excepthook``) and from every other thread
(``threading.excepthook``: the MLLP listener, the clinic's reconnect and LISTEN
threads). A problem reported off the GUI thread hops to it (``ui/common/bridge.py``)
before any view sees it."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)
_handlers: list[Callable[[str], None]] = []
_to_gui: Callable[[str], None] | None = None  # the hop, once the hooks are installed
# The product's threads by what a nurse knows them as (monitor/devices/listener.py,
# monitor/log/postgres/log.py and listen.py name them).
THREAD_NAMES = {"mllp-listener": "the bedside-monitor listener",
                "clinic-reconnect": "the clinic-server reconnect",
                "clinic-listen": "the clinic-board listener"}


def add_problem_handler(handler: Callable[[str], None]) -> Callable[[], None]:
    _handlers.append(handler)
    return lambda: _handlers.remove(handler) if handler in _handlers else None


def report(message: str) -> None:
    """Show a problem to the nurse (every registered view) and log it. Safe on any
    thread: the views are only ever called on the GUI thread."""
    if _to_gui is not None:
        _to_gui(message)
    else:
        _show(message)


# A problem is one line on the bar: an exception's text may hold newlines or be huge
# (a whole query, a message's content), and must not grow the bar over the session.
LONGEST = 600


def one_line(message: str) -> str:
    """``message`` on one line (runs of whitespace made one space), cut to LONGEST."""
    flat = " ".join(message.split())
    return flat if len(flat) <= LONGEST else flat[:LONGEST - 1] + "…"


def _show(message: str) -> None:
    log.error("a problem was shown to the user (%d characters; not logged: it may name "
              "a patient or a file)", len(message))
    message = one_line(message)
    for handler in list(_handlers):
        handler(message)
    if not _handlers:
        print(f"ketamine-monitor: {message}", file=sys.stderr)


def _hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    log.critical("uncaught exception", exc_info=(kind, exc, tb))
    report(f"Unexpected error: {kind.__name__}: {exc}. Recorded entries are safe; "
           "the details are in the log.")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    """An exception that ended (or was handed on by) a thread other than the GUI's."""
    if args.exc_type is SystemExit:
        return  # a thread that chose to end, as Python's own hook treats it
    name = args.thread.name if args.thread is not None else "background"
    where = THREAD_NAMES.get(name, f"the {name} thread")
    # the exception carries its traceback (logging reads it from there)
    log.critical("uncaught exception on the %s thread", name, exc_info=args.exc_value)
    report(f"Unexpected error in {where}: {args.exc_type.__name__}: {args.exc_value}. "
           "Entries already recorded are safe; check that what it brings (device values, "
           "the clinic server's link) still arrives. The details are in the log.")


def install_excepthook() -> None:
    """Route uncaught exceptions of every thread to the problem bar. Call it on the
    GUI thread once the QApplication exists: the hop is made here, on that thread."""
    global _to_gui
    if _to_gui is None:
        from ui.common.bridge import Hop
        _to_gui = Hop(_show)
    sys.excepthook = _hook
    threading.excepthook = _thread_hook
