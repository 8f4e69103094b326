"""Run only with the plugin that adds "tcco2" to the registry (see
tests/monitor/model/test_parameter_registry.py): proves that the added row reaches
validation, the fold, the rules, the four exporters (and .vital), and the HL7
mapping, with nothing else changed."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC

import pytest
import vitaldb
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from monitor.clinical.rules.conditions import evaluate_conditions
from monitor.clinical.validation import validate_vitals
from monitor.devices.messages import CODE_OF, pcd01_message
from monitor.devices.pcd01 import parse_message
from monitor.errors import ValidationError
from monitor.export import render
from monitor.model.parameters import PARAMETERS
from monitor.record.recorder import Recorder
from tests.conftest import baseline_vitals

KEY = "tcco2"


def test_the_plugin_added_the_row() -> None:
    assert PARAMETERS[KEY].label == "TcCO2"


def test_validation_accepts_and_refuses_it() -> None:
    assert validate_vitals({KEY: "45"}, "device")[KEY] == 45
    with pytest.raises(ValidationError) as err:
        validate_vitals({"sbp": "128", "dbp": "82", "hr": "72", "spo2": "98", "rr": "14",
                         "temp": "36.8", KEY: "400"})
    assert [e.field for e in err.value.errors] == [KEY]
    assert "Transcutaneous CO2" in str(err.value) and "from 0 to 150 mmHg" in str(err.value)


@pytest.fixture
def alarmed(recorder: Recorder) -> Recorder:
    baseline_vitals(recorder)
    recorder.change_limit("RN7", f"{KEY}.high_high", "60", "test of an added parameter")
    recorder.clock.advance(60)
    recorder.record_vitals({KEY: "72"}, "RN7")
    return recorder


def test_fold_and_rules(alarmed: Recorder) -> None:
    assert alarmed.session.latest(KEY)[1] == 72
    conds = evaluate_conditions(alarmed.session, alarmed.protocol, alarmed.clock.now())[0]
    assert conds[f"limit:{KEY}:high"].priority == "high"
    assert any(a.parameter == KEY for a in alarmed.session.active_alarms())


def _render(rec: Recorder, fmt: str, **kw: bool) -> bytes:
    return render(rec.session, rec.protocols, fmt, now=rec.clock.now(), **kw)


def test_every_exporter_carries_it(alarmed: Recorder, tmp_path) -> None:
    long = list(csv.DictReader(io.StringIO(_render(alarmed, "csv").decode("utf-8-sig"))))
    assert [(r["value"], r["unit"]) for r in long if r["parameter"] == KEY] == [("72", "mmHg")]
    wide = list(csv.DictReader(io.StringIO(
        _render(alarmed, "csv", wide=True).decode("utf-8-sig"))))
    assert [r[KEY] for r in wide] == ["", "72"]

    doc = json.loads(_render(alarmed, "json"))
    vitals = [e["payload"] for e in doc["events"] if e["kind"] == "vitals_recorded"]
    assert vitals[-1][KEY] == 72

    bundle = json.loads(_render(alarmed, "fhir"))
    Bundle.model_validate(bundle)
    found = [e["resource"] for e in bundle["entry"]
             if e["resource"]["resourceType"] == "Observation"
             and e["resource"]["code"].get("coding", [{}])[0].get("code") == "99999-1"]
    assert [(o["valueQuantity"]["value"], o["valueQuantity"]["code"]) for o in found] == [
        (72, "mm[Hg]")]

    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(_render(alarmed, "pdf"))
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "TcCO2" in text  # its column in the vitals table and its chart legend
    assert text.count("TcCO2") >= 2

    vital = tmp_path / "r.vital"
    vital.write_bytes(_render(alarmed, "vital"))
    vf = vitaldb.VitalFile(str(vital))
    assert any(name.endswith("TCCO2") for name in vf.get_track_names())


def test_a_device_sends_it_over_hl7(recorder: Recorder) -> None:
    when = recorder.clock.now().astimezone(UTC)
    assert CODE_OF[KEY] == 199999
    message = pcd01_message("0123456789ABCDEF", "c1", when, {CODE_OF[KEY]: 48.0})
    parsed = parse_message(message.encode(), UTC)
    assert [(s.param, s.value) for s in parsed.samples] == [(KEY, 48.0)]
    recorder.record_device_vitals([({KEY: s.value}, s.observed_at, parsed.device_id)
                                   for s in parsed.samples])
    assert recorder.session.latest(KEY)[1] == 48
    assert KEY in recorder.session.device_last
