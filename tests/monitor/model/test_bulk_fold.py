"""Property: folding a whole log at once (``fold``, as a reopen does) gives exactly the
state that applying its events one by one gives (as a recording window does), for any
mix of readings in and out of time order, values that are not numbers, device and
manual sources, dose events, corrections of every kind, and a closed session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.model.events import Event, EventKind
from monitor.model.session import Session, fold

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
READING = st.one_of(st.integers(0, 250), st.floats(30, 42), st.sampled_from(["72", "x", None]))
VITAL_KEYS = ["sbp", "dbp", "hr", "spo2", "rr", "temp", "etco2", "o2", "acvpu", "map_measured"]
SCORE_KEYS = ["moaas", "pain", "dissociation", "cadss6_total"]


def draft(d: st.DataObject, seq: int, minutes: int) -> tuple[EventKind, dict[str, Any], str]:
    kind = d.draw(st.sampled_from(
        [EventKind.VITALS] * 6 + [EventKind.ASSESSMENT] * 2 + [
            EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED, EventKind.INFUSION_PAUSED,
            EventKind.INFUSION_RESUMED, EventKind.BOLUS, EventKind.INFUSION_STOPPED,
            EventKind.NOTE, EventKind.AMENDED, EventKind.STRUCK, EventKind.ARTIFACT,
            EventKind.CLOSED]))
    source = d.draw(st.sampled_from(["manual", "device"]))
    if kind in (EventKind.VITALS, EventKind.ASSESSMENT):
        keys = VITAL_KEYS if kind is EventKind.VITALS else SCORE_KEYS
        payload = d.draw(st.dictionaries(st.sampled_from(keys), READING, min_size=1))
        if "o2" in payload:
            payload["o2"] = d.draw(st.sampled_from(["air", "2 L/min"]))
    elif kind in (EventKind.INFUSION_STARTED, EventKind.RATE_CHANGED):
        payload = {"rate": d.draw(st.sampled_from([0.35, 0.5, "x"])), "rate_unit": "mg/kg/h",
                   "dose_mg": 20}
    elif kind is EventKind.BOLUS:
        payload = {"dose_mg": d.draw(st.sampled_from([5, "?"]))}
    elif kind in (EventKind.AMENDED, EventKind.STRUCK, EventKind.ARTIFACT):
        target = d.draw(st.integers(0, max(seq - 1, 0)))
        payload = {"target_seq": target, "reason": "r",
                   "values": d.draw(st.dictionaries(st.sampled_from(VITAL_KEYS + SCORE_KEYS),
                                                    READING, max_size=3)),
                   "old": {}}
    else:
        payload = {"text": "n"}
    return kind, payload, source


@st.composite
def logs(draw: Any) -> list[Event]:
    d = draw(st.data())
    events = [Event("s", 0, EventKind.SESSION_OPENED, {"weight_kg": "70", "protocol": "p"},
                    "RN7", T0, T0, "manual", "")]
    minutes = 0
    for seq in range(1, draw(st.integers(1, 60))):
        minutes += draw(st.integers(-30, 20))  # negative: recorded late, at its real time
        kind, payload, source = draft(d, seq, minutes)
        at = T0 + timedelta(minutes=minutes)
        events.append(Event("s", seq, kind, payload, "RN7", at, at, source, ""))
    return events


def state(s: Session) -> dict[str, Any]:
    return {
        "events": [e.seq for e in s.events],
        "entries": {q: (e.status, e.payload, [c.seq for c in e.corrections], e.addendum)
                    for q, e in s.entries.items()},
        "series": {n: (list(x._t), list(x._v), list(x._seq), list(x._art), list(x._dev))
                   for n, x in s.series.items()},
        "choices": dict(s.latest_choice), "device_last": dict(s.device_last),
        "unreadable": [(e.seq, why) for e, why in s.unreadable],
        "rebuilds": s.rebuilds, "phase": s.phase, "baseline": s.baseline(),
        "dose": s.dose_mg(T0 + timedelta(hours=30)),
        "rate": s.rate_mg_per_h(T0 + timedelta(hours=30)),
    }


@settings(max_examples=300, deadline=None)
@given(logs())
def test_bulk_fold_is_one_by_one(events: list[Event]) -> None:
    one_by_one = Session("s")
    for ev in events:
        one_by_one.apply(ev)
    assert state(fold("s", events)) == state(one_by_one)


def test_bulk_fold_of_an_ordered_day_does_not_rebuild() -> None:
    """A long stream in time order is folded without a rebuild, and every reading lands."""
    events = [Event("s", 0, EventKind.SESSION_OPENED, {"weight_kg": "70"}, "RN7", T0, T0,
                    "manual", "")]
    for i in range(1, 5000):
        at = T0 + timedelta(seconds=i)
        events.append(Event("s", i, EventKind.VITALS, {"hr": 60 + i % 30, "spo2": 97},
                            "monitor", at, at, "device", ""))
    session = fold("s", events)
    assert session.rebuilds == 0
    assert len(session.series["hr"]) == 4999
    assert list(session.series["hr"]._v[:3]) == [61.0, 62.0, 63.0]
    assert session.device_last["spo2"] == (T0 + timedelta(seconds=4999)).timestamp()


@pytest.mark.hazard("H-020")
@settings(max_examples=300, deadline=None)
@given(logs())
def test_a_live_fold_that_reads_the_baseline_after_every_event_is_the_bulk_fold(
        events: list[Event]) -> None:
    """The recorder's rules read the baseline after every commit (it is cached); a
    reading back-dated before the start must still change it, as a fresh fold says."""
    live = Session("s")
    for ev in events:
        live.apply(ev)
        live.baseline()
    assert state(fold("s", events)) == state(live)
