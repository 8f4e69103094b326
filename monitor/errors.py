"""Precise exceptions of the core. Each message says what to do about it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class MonitorError(Exception):
    """Base of every user-facing error raised by the core."""


@dataclass(frozen=True)
class FieldError:
    field: str
    label: str
    value: str
    allowed: str

    def __str__(self) -> str:
        if self.value == "":  # nothing typed: what is needed, not "(empty) — ..."
            return f"{self.label}: {self.allowed}"
        return f"{self.label}: {self.value!s} — {self.allowed}"


class ValidationError(MonitorError):
    """One or more typed values were refused; nothing was stored."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    def by_field(self) -> dict[str, FieldError]:
        return {e.field: e for e in self.errors}


class WrongThread(RuntimeError):
    """A recorder was used from a thread that does not own it (a programming error,
    never a user's): feeds hand their messages to the capture station's inbox instead."""


def hand_on(exc: BaseException) -> None:
    """Hand an exception a worker thread caught, but did not expect, to
    ``threading.excepthook`` as if it had ended the thread, so it is seen (the window
    routes the hook to the nurse's problem bar) while the thread serves on."""
    threading.excepthook(threading.ExceptHookArgs(
        (type(exc), exc, exc.__traceback__, threading.current_thread())))


class StoreError(MonitorError):
    """The database could not be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds the database open for writing."""


class ChainError(StoreError):
    """The tamper-evidence chain does not verify."""


class SessionStateError(MonitorError):
    """The action does not fit the session's phase (e.g. resume when not paused)."""


class ConfigError(MonitorError):
    """A protocol or settings file is broken; the message names file and key."""


class ConfirmationNeeded(MonitorError):
    """The entry is valid but unusual: it is stored only once the nurse confirms.

    ``warnings`` say what is unusual; ``retry`` records the same entry with the
    confirmation (the warnings are kept in the stored entry).
    """

    def __init__(self, warnings: list[str], retry: Callable[[], Any]) -> None:
        self.warnings = list(warnings)
        self.retry = retry
        super().__init__("Confirm: " + "; ".join(self.warnings))
