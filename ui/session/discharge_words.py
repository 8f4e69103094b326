"""The discharge panel's words, kept short so the panel fits with the banner at its
maximum at 1280×800: the refusal says what is still missing, and the alarm check names
the alarms by the banner's headlines (the banner above shows the rest).

The core's refusal of a discharge without its basis lists every unmet item; the panel
already lists them (✗) right above, so the refusal names only what the nurse must
choose, and it stays true as items change (the panel re-checks it on each change)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from monitor.clinical.discharge import Check, active_alarm_headlines
from monitor.clinical.discharge_override import BASIS_NEEDED, NAME_MIN_LETTERS, REASON_MIN_WORDS
from monitor.clinical.protocols import Protocol
from monitor.errors import FieldError, ValidationError
from monitor.model.session import Session

T = TypeVar("T")
BASIS_SHORT = f"{BASIS_NEEDED} below: the ✗ items are not met"
TICKS = ("escort_present", "no_driving_advice")


DECISION = {"prescriber": f"the prescriber's name (at least {NAME_MIN_LETTERS} letters)",
            "override_reason": f"a reason of at least {REASON_MIN_WORDS} words"}


def concise(errors: list[FieldError]) -> list[FieldError]:
    """``errors`` with the basis refusal pointing at the checklist, not repeating it,
    the prescriber's name and reason asked for in one line, and the unticked
    confirmations named together."""
    out = [FieldError(e.field, e.label, e.value, BASIS_SHORT) if e.field == "override" else e
           for e in errors if e.field not in TICKS and e.field not in DECISION]
    decision = [DECISION[e.field] for e in errors if e.field in DECISION]
    if decision:
        out.append(FieldError("prescriber", "Prescriber's decision", "", " and ".join(decision)))
    unticked = [e for e in errors if e.field in TICKS]
    if unticked:
        out.append(FieldError(unticked[0].field, " and ".join(e.label for e in unticked), "",
                              "tick to " + unticked[0].allowed))
    return out


def headline(check: Check, session: Session, protocol: Protocol, now: datetime) -> Check:
    """``check`` as the live checklist shows it: an unmet alarm check names each alarm
    by its headline (the stored check and the confirmation keep every reason)."""
    if check.key != "no_active_alarm" or check.ok:
        return check
    return Check(check.key, check.label, check.ok,
                 active_alarm_headlines(session, protocol, now))


def concisely(fn: Callable[[], T]) -> Callable[[], T]:
    """``fn``, its ValidationError made concise (``concise``)."""
    def run() -> T:
        try:
            return fn()
        except ValidationError as exc:
            raise ValidationError(concise(exc.errors)) from exc
    return run
