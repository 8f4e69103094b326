"""An amended, struck or artifact-flagged reading reaches JSON, CSV and FHIR with its
status, per value: a BP-only flag marks SBP, DBP and MAP, not the SpO2 and HR taken
with them. Each file is read back by an independent reader (csv, json,
fhir.resources)."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0, baseline_vitals, export_file

BP_LOINC = "85354-9"
SPO2_LOINC = "2708-6"


@pytest.fixture
def corrected(tmp_path: Path, protocols) -> tuple[Path, str, dict[str, int]]:
    db = tmp_path / "c.db"
    clock = ManualClock(T0)
    with Store(db) as store:
        rec = Recorder.open_new(store, clock, protocols, dict(OPENING))
        baseline_vitals(rec)
        rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h")
        seqs = {}
        for name, fields in (("amended", {"sbp": "150", "dbp": "90"}),
                             ("struck", {"sbp": "151", "dbp": "91"}),
                             ("flagged", {"sbp": "186", "dbp": "104", "hr": "125",
                                          "spo2": "89"})):
            clock.advance(300)
            seqs[name] = rec.record_vitals(fields, "RN7").seq
        rec.amend("RN7", seqs["amended"], {"sbp": "152"}, "misread")
        rec.strike("RN7", seqs["struck"], "wrong patient")
        rec.flag_artifact("RN7", seqs["flagged"], "cuff slipped",
                          parameters=["sbp", "dbp", "map"])
        sid = rec.session.session_id
    return db, sid, seqs


def _export(corrected, fmt: str, out: Path) -> Path:
    db, sid, _ = corrected
    return export_file(db, sid, fmt, out, clock=ManualClock(T0))


@pytest.mark.hazard("H-047")
def test_csv_says_each_value_status(corrected, tmp_path: Path):
    _, _, seqs = corrected
    out = _export(corrected, "csv", tmp_path / "s.csv")
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))

    def status(seq: int, param: str, version: str = "current") -> set[str]:
        return {r["status"] for r in rows if r["entry_id"].endswith(f"-{seq}")
                and r["parameter"] == param and r["version"] == version}

    flagged = seqs["flagged"]
    assert status(flagged, "sbp") == status(flagged, "dbp") == {"artifact"}
    assert status(flagged, "map") == {"artifact"}
    assert status(flagged, "spo2") == status(flagged, "hr") == {"valid"}
    assert status(seqs["struck"], "sbp") == {"struck"}
    assert status(seqs["amended"], "sbp") == {"amended"}
    assert status(seqs["amended"], "sbp", "original") == {"amended"}
    assert {r["value"] for r in rows if r["entry_id"].endswith(f"-{seqs['amended']}")
            and r["parameter"] == "sbp"} == {"150", "152"}
    corr = {r["corrections"] for r in rows if r["entry_id"].endswith(f"-{flagged}")}
    assert len(corr) == 1 and "artifact by RN7" in corr.pop()


@pytest.mark.hazard("H-047")
def test_json_names_every_corrected_entry(corrected, tmp_path: Path):
    _, _, seqs = corrected
    doc = json.loads(_export(corrected, "json", tmp_path / "s.json").read_text("utf-8"))
    found = {c["seq"]: c for c in doc["session"]["corrected"]}
    assert found[seqs["flagged"]]["status"] == "artifact"
    assert found[seqs["flagged"]]["artifact"] == ["dbp", "map", "sbp"]
    assert found[seqs["struck"]]["status"] == "struck"
    assert found[seqs["amended"]]["status"] == "amended"
    flag = next(e for e in doc["events"] if e["kind"] == "artifact_flagged")
    assert flag["payload"]["parameters"] == ["sbp", "dbp", "map"]
    from jsonschema import Draft202012Validator
    schema = json.loads(Path("docs/session-export.schema.json").read_text())
    Draft202012Validator(schema).validate(doc)


@pytest.mark.hazard("H-047")
def test_fhir_carries_status_and_artifact_interpretation(corrected, tmp_path: Path):
    _, _, seqs = corrected
    doc = json.loads(_export(corrected, "fhir", tmp_path / "s.fhir.json").read_text())
    bundle = Bundle.model_validate(doc)
    obs = [e.resource for e in bundle.entry if e.resource.__resource_type__ == "Observation"]

    at = {seq: T0 + timedelta(minutes=5 * (i + 1))
          for i, seq in enumerate((seqs["amended"], seqs["struck"], seqs["flagged"]))}

    def of(seq: int, loinc: str) -> list:
        return [o for o in obs if o.code.coding and o.code.coding[0].code == loinc
                and o.effectiveDateTime == at[seq]]

    bp_flag = of(seqs["flagged"], BP_LOINC)
    assert len(bp_flag) == 1 and bp_flag[0].status == "final"
    assert bp_flag[0].interpretation[0].coding[0].code == "artifact"
    assert all(c.interpretation[0].coding[0].code == "artifact"
               for c in bp_flag[0].component)
    spo2 = of(seqs["flagged"], SPO2_LOINC)
    assert len(spo2) == 1 and not spo2[0].interpretation
    assert spo2[0].valueQuantity.value == 89
    assert [o.status for o in of(seqs["struck"], BP_LOINC)] == ["entered-in-error"]
    assert [o.status for o in of(seqs["amended"], BP_LOINC)] == ["amended"]
