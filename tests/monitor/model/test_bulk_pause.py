"""The collector paused for a bulk read always runs again afterwards: a whole session
read and folded, a nested bulk read, and a read that fails half way."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.model.bulk import bulk
from monitor.model.session import fold
from monitor.record.recorder import Recorder


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_nested_bulk_resumes_once_at_the_end(collector_on):
    with bulk():
        assert not gc.isenabled()
        with bulk():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner read resumed the collector too early"
    assert gc.isenabled()


def test_a_failed_bulk_read_resumes_the_collector(collector_on):
    with pytest.raises(ValueError, match="unreadable"), bulk():
        raise ValueError("unreadable")
    assert gc.isenabled()


def test_bulk_leaves_a_collector_that_was_off_off(collector_on):
    gc.disable()
    with bulk():
        pass
    assert not gc.isenabled()
    gc.enable()


def test_reopen_and_fold_leaves_the_collector_running(collector_on, db_path: Path,
                                                       clock: ManualClock, recorder: Recorder):
    sid = recorder.session.session_id
    for i in range(30):
        clock.advance(60)
        recorder.record_vitals({"hr": str(70 + i % 5), "spo2": "97"}, "RN7", source="device")
    with Store(db_path, readonly=True) as store:
        events = store.events(sid)
        assert gc.isenabled()
        session = fold(sid, events)
    assert gc.isenabled()
    assert len(session.series["hr"]) == 30
