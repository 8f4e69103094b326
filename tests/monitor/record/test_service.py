"""The window's service: sessions listed, opened, resumed, checked and exported
without the caller holding the event log."""

from __future__ import annotations

import csv
import io

import pytest

from monitor.clinical.protocols import load_protocols
from monitor.errors import ValidationError
from monitor.export.atomic import ExportError
from monitor.log.sqlite.store import Store
from monitor.record.service import Service
from tests.conftest import OPENING, baseline_vitals


def test_open_list_resume_check_export(db_path, clock, tmp_path) -> None:
    service = Service(Store(db_path), clock, load_protocols())
    with pytest.raises(ValidationError) as err:
        service.open_new({**OPENING, "weight_kg": "abc"})
    assert [e.field for e in err.value.errors] == ["weight"]  # the registry's name
    assert service.sessions() == []  # nothing half-saved
    rec = service.open_new(dict(OPENING))
    baseline_vitals(rec)
    sid = rec.session.session_id
    [row] = service.sessions()
    assert (row["session_id"], row["patient_id"], row["phase"]) == (sid, "MRN-0042", "baseline")
    assert service.has_session(sid) and not service.has_session("nope")
    again = service.resume(sid)
    assert again.session.latest("hr") == rec.session.latest("hr")
    assert service.check(sid).ok
    assert service.owner(sid) != ""
    out, size = service.export(rec, "csv", tmp_path / "s.csv")
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert size == out.stat().st_size and {"hr", "sbp"} <= {r["parameter"] for r in rows}
    with pytest.raises(ExportError, match="already exists"):
        service.export(rec, "csv", tmp_path / "s.csv")
    service.close()
