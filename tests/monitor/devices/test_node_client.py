"""An independent client plays the bedside monitor: npm node-hl7-client 3.2.0 on
the machine's Node (>= 20.15) sends ORU^R01 messages to the listener on
127.0.0.1. Installed by this test into tests/.cache/node. Under CI a missing
node or npm fails the test; elsewhere it is skipped with the reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0
from tests.monitor.devices.hl7 import samples
from tests.support.device_rig import DEVICE, oru, running_rig

CLIENT = "node-hl7-client@3.2.0"
HERE = Path(__file__).resolve().parents[2] / "support"
CACHE = HERE.parent / ".cache" / "node"


def _unavailable(why: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{why} (.ci/sysdeps.sh installs nodejs and npm)")
    pytest.skip(f"{why} (CI=true makes this a failure)")


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable(f"{'node' if not node else 'npm'} is not installed")
        raise AssertionError("unreachable")
    version = subprocess.run([node, "--version"], capture_output=True, text=True,
                             check=True).stdout.strip().lstrip("v")
    if tuple(int(p) for p in version.split(".")[:2]) < (20, 15):
        _unavailable(f"node {version} is too old: {CLIENT} needs 20.15 or later")
    return node, npm


@pytest.fixture(scope="module")
def node_client() -> tuple[str, Path]:
    node, npm = _tools()
    package = CACHE / "node_modules" / "node-hl7-client" / "package.json"
    if not package.exists() or json.loads(package.read_text())["version"] != "3.2.0":
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(CACHE), "--no-save", "--no-audit",
                        "--no-fund", CLIENT], check=True, capture_output=True, timeout=300)
    script = CACHE / "node_monitor.mjs"   # next to its node_modules, so the import resolves
    shutil.copyfile(HERE / "node_monitor.mjs", script)
    return node, script


def test_node_hl7_client_sends_oru_and_gets_acks_and_entries(node_client, recorder, clock,
                                                             db_path, tmp_path):
    node, script = node_client
    clock.set(T0 + timedelta(minutes=10))
    t1, t2, cuff = (T0 + timedelta(minutes=2), T0 + timedelta(minutes=3),
                    T0 + timedelta(minutes=1))
    messages = [
        oru("N1", t1, {150456: 97, 147842: 71, 151562: 13, 150344: 36.8}),
        oru("N2", t2, {150456: 95, 149530: 76}) + oru("x", cuff, {150301: 134, 150302: 86})
        .split("\r", 3)[3],
        oru("N3", t2, {150456: 94}).replace("ORU^R01^ORU_R01", "ADT^A01^ADT_A01"),
        oru("N4", T0 - timedelta(minutes=5), {150456: 93}),
    ]
    file = tmp_path / "messages.json"
    file.write_text(json.dumps(messages))
    with running_rig(recorder, clock) as rig:
        rig.capture.bind(DEVICE, recorder)
        done = rig.owner(lambda: subprocess.run(
            [node, str(script), str(rig.port), str(file)], capture_output=True, text=True,
            timeout=120))
        assert done.returncode == 0, done.stderr
        acks = json.loads(done.stdout)
    assert [(a["code"], a["control_id"]) for a in acks] == [
        ("AA", "N1"), ("AA", "N2"), ("AR", "N3"), ("AE", "N4")]
    assert acks[2]["text"] == ("MSH-9 message type ADT^A01 is not supported: only ORU^R01 "
                               "(IHE PCD-01)")
    assert acks[3]["text"].endswith("refused: before the session opened "
                                    "(2026-03-02T09:00:00+00:00)")
    with Store(db_path, readonly=True) as store:
        assert rig.device_entries(store) == [
            (t1, {"hr": 71, "spo2": 97, "rr": 13, "temp": 36.8}, DEVICE),
            (cuff, {"sbp": 134, "dbp": 86, "map": 102.0, "map_measured": False}, DEVICE),
            (t2, {"hr": 76, "spo2": 95}, DEVICE)]


VENDOR = {   # sample -> (its device, its time, the session's patient)
    "GE_B40": ("080019FFFE0B4020", datetime(2013, 1, 22, 13, 41, tzinfo=UTC), "MRN-0042"),
    "MINDRAY_VS900": ("00A0370098007A80", datetime(2019, 12, 6, 11, 34, 52, tzinfo=UTC),
                      "MRN-0042"),
    "COMEN_NC5": ("KC575235977G", datetime(2026, 7, 26, 15, 13, 32, tzinfo=UTC), "MRN12123"),
    "NIST_ACME_UCUM": ("080019FFFE3ED02D", datetime(2011, 6, 2, 5, 0, tzinfo=UTC), "ho2009001"),
}


@pytest.mark.hazard("H-130")
@pytest.mark.hazard("H-131")
def test_node_hl7_client_sends_the_four_vendor_samples(node_client, tmp_path, protocols):
    """Each sample into a session of its own: GE names another patient (AE naming both);
    Mindray sends no PID-3; Comen's and NIST's patients are the session's, and their
    pulse-rate rows (149522, 149546) give the heart rate."""
    node, script = node_client
    got: dict[str, tuple[str, str, list[dict[str, object]]]] = {}
    for name, (device, when, patient) in VENDOR.items():
        db = tmp_path / f"{name}.db"
        clock = ManualClock(when - timedelta(hours=1))
        with Store(db) as store:
            rec = Recorder.open_new(store, clock, protocols, {**OPENING, "patient_id": patient})
            clock.set(when + timedelta(minutes=1))
            file = tmp_path / f"{name}.json"
            file.write_text(json.dumps([getattr(samples, name)]))
            with running_rig(rec, clock) as rig:
                rig.capture.bind(device, rec)
                done = rig.owner(lambda f=file, r=rig: subprocess.run(
                    [node, str(script), str(r.port), str(f)], capture_output=True, text=True,
                    timeout=120))
                assert done.returncode == 0, done.stderr
                [ack] = json.loads(done.stdout)
                got[name] = (ack["code"], ack["text"], [
                    {k: v for k, v in p.items() if k in ("hr", "sbp", "spo2", "temp")}
                    for _, p, _ in rig.device_entries(store)])
    assert got["GE_B40"][0] == "AE"
    assert got["GE_B40"][1].startswith("PID-3 patient HED12 is not this session's patient "
                                       "MRN-0042")
    assert got["GE_B40"][2] == []
    assert got["MINDRAY_VS900"][0] == "AA"
    assert got["MINDRAY_VS900"][1] == "not mapped, not recorded: 150488 MDC_BLD_PERF_INDEX"
    assert {"hr": 94, "spo2": 99} in got["MINDRAY_VS900"][2]
    assert got["COMEN_NC5"][0] == "AA"
    assert got["COMEN_NC5"][2] == [{"sbp": 120, "spo2": 98, "hr": 60, "temp": 39.0}]
    assert got["NIST_ACME_UCUM"][0] == "AA"
    assert got["NIST_ACME_UCUM"][2] == [{"sbp": 120, "hr": 63}]
