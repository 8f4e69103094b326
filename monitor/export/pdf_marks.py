"""How one reading's values look in the report's vitals table: a value flagged as
artifact is struck and grey, every other value of the same set prints as valid
(a bad cuff reading discounts the BP, not the SpO2 and HR taken with it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from monitor.model.parameters import PARAMETERS, fmt
from monitor.model.session import SERIES_PARAMS, Entry

DISCOUNTED = "#808080"  # grey: the colour of a struck row, for one value alone


def minute_text(minutes: float | None) -> str:
    """Whole minutes from the infusion start; a reading just before it is 0, never -0."""
    if minutes is None:
        return ""
    return str(round(minutes))  # an int: -0.3 gives 0, never "-0"


def _marked(markup: str) -> str:
    return f'<font color="{DISCOUNTED}"><strike>{markup}</strike></font>'


def value_markup(entry: Entry, name: str, escape: Callable[[object], str]) -> str:
    """One value as paragraph markup: struck and grey when it alone is flagged."""
    value = entry.payload.get(name)
    if value is None:
        return ""
    text = escape(fmt(value))
    return _marked(text) if partial(entry) and entry.is_artifact(name) else text


def bp_markup(entry: Entry, escape: Callable[[object], str]) -> str:
    """'128/82': each pressure marked on its own (a flag may name only one)."""
    present = [k for k in ("sbp", "dbp") if k in entry.payload]
    if partial(entry) and all(entry.is_artifact(k) for k in present):  # the whole pair
        return _marked("/".join(escape(fmt(entry.payload[k])) for k in present))
    return "/".join(value_markup(entry, k, escape) for k in present)


def partial(entry: Entry) -> bool:
    """Some values of a live entry flagged, not all: marked value by value (a struck
    entry or one flagged whole is greyed as a row)."""
    return bool(entry.flagged) and not entry.artifact and entry.counts


def status_text(entry: Entry) -> str:
    """The status as the window says it: 'artifact: SBP DBP MAP' in clinical names."""
    if not partial(entry):
        return entry.status
    names = [PARAMETERS[k].label for k in SERIES_PARAMS if k in entry.flagged]
    return "artifact: " + " ".join(names)


def row_markup(entry: Entry, keys: tuple[str, ...], escape: Callable[[object], str]
               ) -> list[Any]:
    """The BP cell then one cell per key, as paragraph markup."""
    return [bp_markup(entry, escape), *(value_markup(entry, k, escape) for k in keys)]
