"""Optional patient details of the opening entry that the REMS Patient Monitoring Form
asks for (CLINICAL §7): date of birth and sex. Both may be left out; when given they
are checked like every other field."""

from __future__ import annotations

from datetime import date
from typing import Any

from monitor.errors import FieldError

SEXES = ("female", "male", "other")
OLDEST_YEAR = 1900
ALLOWED = f"a date YYYY-MM-DD between {OLDEST_YEAR}-01-01 and today"


def date_of_birth(value: object, errors: list[FieldError]) -> str | None:
    """A date of birth as YYYY-MM-DD from 1900 on (None when left out); the recorder
    also refuses one after its clock's today (``not_born_yet``)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    allowed = ALLOWED
    try:
        born = date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError("date_of_birth", "Date of birth", text[:20], allowed))
        return None
    if len(text) != 10 or born.year < OLDEST_YEAR:
        errors.append(FieldError("date_of_birth", "Date of birth", text, allowed))
        return None
    return born.isoformat()


def not_born_yet(payload: dict[str, Any], today: date, errors: list[FieldError]) -> None:
    born = payload.get("date_of_birth")
    if born and born > today.isoformat():
        errors.append(FieldError("date_of_birth", "Date of birth", born, ALLOWED))


def sex(value: object, errors: list[FieldError]) -> str | None:
    text = "" if value is None else str(value).strip().lower()
    if not text:
        return None
    if text not in SEXES:
        errors.append(FieldError("sex", "Sex", str(value)[:20], "one of: " + ", ".join(SEXES)))
        return None
    return text


def patient_details(fields: dict[str, Any], errors: list[FieldError]) -> dict[str, str]:
    """The optional details that were given, checked."""
    out = {"date_of_birth": date_of_birth(fields.get("date_of_birth"), errors),
           "sex": sex(fields.get("sex"), errors)}
    return {k: v for k, v in out.items() if v is not None}
