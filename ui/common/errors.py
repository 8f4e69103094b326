"""The one place the window shows problems; uncaught exceptions land here too."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)
_handlers: list[Callable[[str], None]] = []


def add_problem_handler(handler: Callable[[str], None]) -> Callable[[], None]:
    _handlers.append(handler)
    return lambda: _handlers.remove(handler) if handler in _handlers else None


def report(message: str) -> None:
    """Show a problem to the nurse (every registered view) and log it."""
    log.error("a problem was shown to the user (%d characters; not logged: it may name "
              "a patient or a file)", len(message))
    for handler in list(_handlers):
        handler(message)
    if not _handlers:
        print(f"ketamine-monitor: {message}", file=sys.stderr)


def _hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    log.critical("uncaught exception", exc_info=(kind, exc, tb))
    report(f"Unexpected error: {kind.__name__}: {exc}. Recorded entries are safe; "
           "the details are in the log.")


def install_excepthook() -> None:
    sys.excepthook = _hook
