"""Tamper evidence beyond the chain: each change an attacker without the record key
can make is found by `verify` and refused by every export."""

from __future__ import annotations

import json

import pytest
from pypdf import PdfReader

from monitor.app.cli import main
from monitor.clock import ManualClock
from monitor.errors import ChainError, StoreError
from monitor.export import FORMATS
from monitor.export.atomic import ExportError
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals, export_file
from tests.support import tamper


@pytest.mark.hazard("H-209")
@pytest.mark.parametrize("case", list(tamper.CASES))
def test_verify_finds_each_tampering(db_path, clock, protocols, case, capsys):
    sid, _other = tamper.two_sessions(db_path, clock, protocols)
    assert main(["verify", "--db", str(db_path)]) == 0
    tamper.CASES[case](db_path, sid)
    capsys.readouterr()
    assert main(["verify", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    expected = {
        "newest event deleted": f"session {sid} ends at event 4 but was sealed at event 5",
        "whole session deleted": "the sealed session list held 2 sessions; it now holds 1",
        "edit with later hashes recomputed": f"session {sid}: the sealed head does not match",
        "forged event appended": f"session {sid}: the sealed head does not match",
        "triggers dropped": "append-only trigger events_append_only_update is missing",
    }[case]
    assert expected in err


def test_verify_names_the_first_event_changed_without_the_key(db_path, clock, protocols):
    sid, _ = tamper.two_sessions(db_path, clock, protocols)
    tamper.edit_and_rehash(db_path, sid, 2, '"sbp":128', '"sbp":118')
    with Store(db_path, readonly=True) as ro, pytest.raises(ChainError) as err:
        ro.verify()
    assert f"Event {sid}-2 (vitals_recorded) does not carry a valid seal" in str(err.value)


@pytest.mark.hazard("H-209")
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", [c for c in tamper.CASES if c != "whole session deleted"])
def test_every_export_refuses_a_tampered_record(db_path, clock, protocols, tmp_path, fmt, case):
    sid, _ = tamper.two_sessions(db_path, clock, protocols)
    tamper.CASES[case](db_path, sid)
    out = tmp_path / f"out.{fmt}"
    with pytest.raises(ExportError, match=r"Refused to export session .*FAILED VERIFICATION"):
        export_file(db_path, sid, fmt, out, clock=ManualClock(T0))
    assert not out.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_refuse_when_another_session_was_deleted(db_path, clock, protocols, tmp_path,
                                                         fmt):
    sid, other = tamper.two_sessions(db_path, clock, protocols)
    tamper.delete_session(db_path, sid)
    with pytest.raises(ExportError, match="a session was deleted or added"):
        export_file(db_path, other, fmt, tmp_path / "o", clock=ManualClock(T0))


def test_exports_carry_event_count_and_head_hash(db_path, clock, protocols, tmp_path):
    sid, _ = tamper.two_sessions(db_path, clock, protocols)
    with Store(db_path, readonly=True) as ro:
        events = ro.events(sid)
    head, count = events[-1].hash, len(events)
    doc = json.loads(export_file(db_path, sid, "json", tmp_path / "a.json",
                                    clock=ManualClock(T0)).read_text())
    assert doc["record"] == {"events": count, "head_hash": head,
                             "verification": "record verified"}
    bundle = json.loads(export_file(db_path, sid, "fhir", tmp_path / "a.fhir",
                                       clock=ManualClock(T0)).read_text())
    assert bundle["identifier"] == {"system": "urn:ketamine-monitor:record-head", "value": head}
    assert f"Record: {count} events, head hash {head}" in bundle["meta"]["tag"][0]["display"]
    pdf = export_file(db_path, sid, "pdf", tmp_path / "a.pdf", clock=ManualClock(T0))
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\n", " ")
    assert f"Record: {count} events, head hash {head[:40]}" in text.replace(" ", " ")


def test_copied_database_without_its_key_is_readable_with_a_clear_note(
        db_path, clock, protocols, tmp_path, monkeypatch, capsys):
    import os
    import secrets

    from monitor.log.sqlite.sealing import key_file
    sid, _ = tamper.two_sessions(db_path, clock, protocols)
    other_pc = tmp_path / "other-pc"
    for sub in ("config", "data"):
        (other_pc / sub).mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(other_pc / "config"))  # no key there
    monkeypatch.setenv("XDG_DATA_HOME", str(other_pc / "data"))  # nor its key ids
    # Seals that cannot be checked are not success: verify has its own exit status.
    assert main(["verify", "--db", str(db_path)]) == 3
    out = capsys.readouterr().out
    assert out.startswith("NOT VERIFIED: ")
    assert "seals not checked: sealed with record key" in out
    path = export_file(db_path, sid, "json", tmp_path / "x.json", clock=ManualClock(T0))
    status = json.loads(path.read_text())["record"]["verification"]
    assert status.startswith("NOT VERIFIED: seals not checked")
    # No key is made in silence for a database sealed with a missing one.
    with pytest.raises(StoreError, match="Refused to make a new record key"):
        Store(db_path)
    assert not key_file().exists()
    # A key made on purpose: new sessions are sealed with it, and an old session is
    # refused with a message instead of being sealed with the wrong key.
    key_file().parent.mkdir(parents=True, mode=0o700)
    key_file().write_text(secrets.token_hex(32))
    os.chmod(key_file(), 0o600)
    with Store(db_path) as store:
        rec = Recorder(store, sid, clock, protocols)
        with pytest.raises(Exception, match="sealed with another record key"):
            rec.add_note("RN7", "continued elsewhere")
        assert len(store.events(sid)) == 5
        fresh = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(fresh)
    assert main(["verify", "--db", str(db_path)]) == 3  # the old sessions stay unchecked


def test_key_file_is_private_and_a_shared_key_can_be_supplied(db_path, clock, protocols,
                                                             tmp_path, monkeypatch):
    import os
    import stat

    from monitor.log.sqlite.sealing import key_file
    tamper.two_sessions(db_path, clock, protocols)
    key = key_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    clinic = tmp_path / "clinic.key"
    clinic.write_text(key.read_text())
    os.chmod(clinic, 0o644)
    monkeypatch.setenv("KETAMINE_MONITOR_KEY_FILE", str(clinic))
    with pytest.raises(Exception, match="readable by other users"):
        Store(db_path)
    with Store(db_path, readonly=True) as ro:  # reading never depends on the key
        assert ro.verify() == (2, 9)
        assert "readable by other users" in ro.verify_unchecked[0]
    os.chmod(clinic, 0o600)
    with Store(db_path, readonly=True) as ro:
        assert ro.verify() == (2, 9) and ro.verify_unchecked == []
    monkeypatch.setenv("KETAMINE_MONITOR_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(Exception, match="does not exist; copy the clinic's key"):
        Store(db_path)
