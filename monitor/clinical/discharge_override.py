"""Discharge before the criteria are met (CLINICAL §7): a different act from discharge.

Free text alone waives nothing. When any discharge check is unmet, the nurse records
either a named prescriber's decision with a reason of substance, or that the patient
left against advice; and the discharge is stored only after a confirmation that
lists every unmet item (``unmet_lines``), so nothing unmet goes through unseen.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from monitor.clinical.validation import validate_text
from monitor.errors import FieldError

PRESCRIBER = "prescriber"
AGAINST_ADVICE = "left_against_advice"
OVERRIDES = {
    PRESCRIBER: "prescriber's decision",
    AGAINST_ADVICE: "left against advice",
}
BASIS_LABEL = "Discharge before the criteria are met"
BASIS_NEEDED = "a prescriber's decision (name and reason) or \"left against advice\""
# A reason of substance: at least this many words and letters ("." or "ok" is not one).
REASON_MIN_WORDS = 3
REASON_MIN_LETTERS = 12
NAME_MIN_LETTERS = 3
_WORD = re.compile(r"[^\W\d_]{2,}")


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def reason_problem(text: str) -> str | None:
    """Why ``text`` is not a reason of substance, or None when it is."""
    words = _WORD.findall(text)
    if len(words) < REASON_MIN_WORDS or _letters(text) < REASON_MIN_LETTERS:
        return (f"a reason of substance: at least {REASON_MIN_WORDS} words and "
                f"{REASON_MIN_LETTERS} letters (e.g. \"reviewed, BP settling, stable\")")
    return None


def unmet_lines(checks: dict[str, dict[str, Any]]) -> list[str]:
    """Every unmet check of a discharge payload as one line the confirmation lists."""
    return [f"{c.get('label', key)}: {c['detail']}" for key, c in checks.items() if not c["ok"]]


def validate_override(checklist: dict[str, Any], failing: list[Any],
                      errors: list[FieldError]) -> dict[str, Any]:
    """The override part of the discharge payload: who decided and why (or that the
    patient left against advice); every field None when all checks are met."""
    none = {"override": None, "prescriber": None, "override_reason": None}
    if not failing:
        return none
    kind = checklist.get("override")
    reason = validate_text(checklist.get("override_reason"), "override_reason",
                           "Reason to discharge before the criteria are met", errors,
                           max_len=500) or ""
    unmet = "; ".join(f"{c.label}: {c.detail}" for c in failing)
    if kind not in OVERRIDES:
        errors.append(FieldError("override", BASIS_LABEL, str(kind or ""),
                                 f"{BASIS_NEEDED}, because not met: {unmet}"))
        return none
    out = {"override": kind, "prescriber": None, "override_reason": reason or None}
    if kind == PRESCRIBER:
        name = validate_text(checklist.get("prescriber"), "prescriber", "Prescriber",
                             errors, max_len=100) or ""
        if _letters(name) < NAME_MIN_LETTERS:
            errors.append(FieldError("prescriber", "Prescriber", name,
                                     f"the prescriber's name (at least {NAME_MIN_LETTERS} "
                                     "letters)"))
        problem = reason_problem(reason)
        if problem:
            errors.append(FieldError("override_reason", "Prescriber's reason", reason, problem))
        out["prescriber"] = name or None
    return out


def _kept(free_text: bool) -> Callable[[str | None], str]:
    return (lambda t: t or "") if free_text else (lambda _t: "")


def override_text(discharge: dict[str, Any], *, free_text: bool = True,
                  text: Callable[[str | None], str] | None = None) -> str:
    """What the record says about how the patient left: "" for a discharge with every
    criterion met, else the act with its prescriber and reason (without the typed
    name and reason when ``free_text`` is off: de-identified files; ``text``, when
    given, filters the typed name and reason instead)."""
    keep = text or _kept(free_text)
    kind = discharge.get("override")
    reason = keep(discharge.get("override_reason"))
    if kind == PRESCRIBER:
        who = keep(discharge.get("prescriber")) or "a prescriber"
        return (f"Discharged before the criteria were met on the decision of {who}"
                + (f": {reason}" if reason else ""))
    if kind == AGAINST_ADVICE:
        return "Left against advice" + (f": {reason}" if reason else "")
    if discharge.get("override_reason"):  # a record made before prescriber decisions existed
        return "Discharged despite failed checks" + (f": {reason}" if reason else "")
    return ""


ALL_MET = "Discharged with every criterion met"


def discharge_text(discharge: dict[str, Any],
                   text: Callable[[str | None], str] | None = None) -> str:
    """Which act the discharge was and who decided, in one sentence: every criterion
    met, a named prescriber's decision (and why), or the patient leaving against
    advice. The log, the PDF's event list and the discharge panel say it alike."""
    return override_text(discharge, text=text) or ALL_MET
