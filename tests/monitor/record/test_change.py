"""What a notification says changed: the recorder says it after each commit, and a
reader of the same log (the clinic board, another process) says the same from what
it reads, so views draw from it alike."""

from __future__ import annotations

from datetime import timedelta

from monitor.model.events import EventKind
from monitor.model.session import fold
from monitor.record.change import Change, fold_read

VITALS = {"sbp": "130", "dbp": "80", "hr": "75", "spo2": "97", "rr": "14"}


def _reader(recorder, store, protocols, clock):
    """A second view of the session, folded from the file as another process would."""
    sid = recorder.session.session_id
    session = fold(sid, store.events(sid))

    def read() -> Change:
        new = store.events(sid)[len(session.events):]
        return fold_read(session, new, protocols, clock.now())

    return session, read


def test_a_reader_of_the_log_says_what_the_recorder_said(recorder, store, protocols,
                                                         clock) -> None:
    told: list[Change] = []
    recorder.subscribe(told.append)
    session, read = _reader(recorder, store, protocols, clock)

    clock.advance(60)
    recorder.record_vitals(VITALS, "RN7")
    change = read()
    assert [e.seq for e in change.events] == [e.seq for e in told[-1].events]
    assert change.rebuilt is False and told[-1].rebuilt is False
    assert change.points() == {"sbp": 1, "dbp": 1, "hr": 1, "spo2": 1, "rr": 1, "map": 1}
    assert change.evaluation.now == clock.now()
    assert session.latest("hr")[1] == 75

    clock.advance(60)
    recorder.record_assessment({"moaas": 5, "acvpu": "A", "pain": 7, "dissociation": 2},
                               "RN7")
    change = read()
    assert change.points() == {"moaas": 1, "pain": 1, "dissociation": 1}
    assert [e.kind for e in change.events] == [EventKind.ASSESSMENT]

    # A note adds a row but no point; nothing rebuilt.
    recorder.add_note("RN7", "patient comfortable")
    change = read()
    assert not change.rebuilt and not change.points()
    assert [e.kind for e in change.events] == [EventKind.NOTE]


def test_points_are_what_the_course_gained(recorder, store, protocols, clock) -> None:
    session, read = _reader(recorder, store, protocols, clock)
    before = {name: len(s) for name, s in session.series.items()}
    for i in range(3):
        clock.advance(30)
        recorder.record_vitals({**VITALS, "hr": str(70 + i)}, "RN7", source="device")
    change = read()
    assert len(change.events) >= 3 and not change.rebuilt
    gained = {name: len(s) - before[name] for name, s in session.series.items()
              if len(s) != before[name]}
    assert gained == dict(change.points())
    assert list(session.series["hr"].v[-3:]) == [70, 71, 72]


def test_an_amendment_or_a_back_dated_entry_is_a_rebuild_on_both_sides(
        recorder, store, protocols, clock) -> None:
    told: list[Change] = []
    recorder.subscribe(told.append)
    session, read = _reader(recorder, store, protocols, clock)
    clock.advance(60)
    first = recorder.record_vitals(VITALS, "RN7")
    clock.advance(60)
    recorder.record_vitals({**VITALS, "hr": "80"}, "RN7")
    assert not read().rebuilt

    recorder.amend("RN7", first.seq, {"hr": "77"}, "misread the display")
    change = read()
    assert change.rebuilt and told[-1].rebuilt
    assert [e.kind for e in change.events] == [EventKind.AMENDED]
    assert session.entries[first.seq].payload["hr"] == 77
    assert list(session.series["hr"].v[-2:]) == [77, 80]  # folded again, in time order

    # Entered late for an earlier time: the series are folded again in time order.
    recorder.record_vitals({**VITALS, "hr": "66"}, "RN7",
                           observed_at=clock.now() - timedelta(seconds=30))
    change = read()
    assert change.rebuilt and told[-1].rebuilt
    assert list(session.series["hr"].v[-3:]) == [77, 66, 80]


def test_a_read_with_nothing_new_changes_nothing(recorder, store, protocols, clock) -> None:
    session, read = _reader(recorder, store, protocols, clock)
    count = len(session.events)
    change = read()
    assert change.events == [] and not change.rebuilt and not change.points()
    assert len(session.events) == count
