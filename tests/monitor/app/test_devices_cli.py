"""``listen`` and ``replay`` as a clinic runs them: real processes, real sockets on
127.0.0.1, a real database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.clock import ManualClock
from monitor.devices.sender import MllpSender
from monitor.log.sqlite.store import Store
from monitor.record.recorder import Recorder
from tests.conftest import OPENING, T0
from tests.support.device_rig import DEVICE, oru, running_rig

SPO2, HR = 150456, 147842


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ui.entry", *args], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ))


def new_session(db: Path, opened: datetime, protocols) -> str:
    with Store(db) as store:
        return Recorder.open_new(store, ManualClock(opened), protocols,
                                 dict(OPENING)).session.session_id


def test_listen_records_a_bound_device_and_stops_on_sigterm(db_path, protocols):
    now = datetime.now(UTC)   # the listening process runs on the real clock
    sid = new_session(db_path, now - timedelta(minutes=5), protocols)
    proc = subprocess.Popen([sys.executable, "-m", "ui.entry", "listen", "--db", str(db_path),
                             "--port", "0", "--bind", f"{DEVICE}={sid[:6]}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("listening for HL7 (MLLP) on 127.0.0.1:"), first
        assert first.rstrip().endswith(f"{DEVICE} -> session {sid[:6]}")
        port = int(first.split("127.0.0.1:")[1].split(";")[0])
        with MllpSender("127.0.0.1", port) as s:
            ack = s.send(oru("L1", now - timedelta(seconds=2), {SPO2: 96, HR: 68}))
            bad = s.send(oru("L2", now, {SPO2: 96}).replace("ORU^R01^", "ADT^A01^"))
        assert (ack.code, bad.code) == ("AA", "AR")
        assert proc.stdout.readline().startswith("connection from 127.0.0.1:")
        assert "message L2 refused: MSH-9 message type ADT^A01" in proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.rstrip().endswith("stopped")
    with Store(db_path, readonly=True) as store:
        device = [(dict(e.payload), e.author) for e in store.events(sid)
                  if e.source == "device"]
    assert device == [({"hr": 68, "spo2": 96}, DEVICE)]


def test_listen_refuses_a_malformed_binding_and_an_unknown_session(db_path, protocols):
    bad = cli("listen", "--db", str(db_path), "--port", "0", "--bind", "no-equals-sign")
    assert bad.returncode == 2
    assert "--bind 'no-equals-sign': write DEVICE=SESSION" in bad.stderr
    new_session(db_path, T0, protocols)
    unknown = cli("listen", "--db", str(db_path), "--port", "0", "--bind", f"{DEVICE}=zzzz")
    assert unknown.returncode == 1
    assert "zzzz" in unknown.stderr


def test_replay_sends_a_recorded_file(recorder, clock, db_path, tmp_path, capsys):
    from monitor.app.cli import main
    clock.set(T0 + timedelta(minutes=10))
    file = tmp_path / "ward.hl7"
    msgs = [oru("R1", T0 + timedelta(minutes=1), {SPO2: 97}),
            oru("R2", T0 + timedelta(minutes=2), {SPO2: 98}),
            oru("R3", T0 + timedelta(minutes=3), {SPO2: 999})]
    file.write_text("\n".join(m.replace("\r", "\n") for m in msgs))   # one segment a line
    with running_rig(recorder, clock) as rig:
        rig.capture.bind(DEVICE, recorder)
        status = rig.owner(lambda: main(["replay", str(file), "--to", f"127.0.0.1:{rig.port}",
                                         "--speed", "0"]))
        with Store(db_path, readonly=True) as store:
            assert [p for _, p, _ in rig.device_entries(store)] == [{"spo2": 97}, {"spo2": 98}]
    out = capsys.readouterr().out
    assert status == 1   # one message was not accepted
    assert f"R3: AE values at {(T0 + timedelta(minutes=3)).isoformat()} not recorded: " in out
    assert "999" in out
    assert out.rstrip().endswith("sent 3 messages to 127.0.0.1:" + str(rig.port)
                                 + ": 2 AA, 1 AE, 0 AR")


def test_replay_names_what_is_wrong(tmp_path):
    empty = tmp_path / "empty.hl7"
    empty.write_text("nothing here\n")
    proc = cli("replay", str(empty), "--to", "127.0.0.1:9")
    assert proc.returncode == 1
    assert "holds no HL7 message (no line begins with MSH)" in proc.stderr
    assert cli("replay", str(empty), "--to", "nowhere").returncode == 1
    assert cli("replay", str(empty), "--to", "127.0.0.1:1", "--speed", "-1").returncode == 2


def test_demo_device_hl7_records_the_same_samples_as_the_direct_demo(tmp_path):
    from monitor.app.simulator import NURSE, run_headless
    from monitor.devices.demo_feed import DEMO_DEVICE

    def device_samples(db: Path) -> list[tuple[datetime, dict[str, object], str]]:
        with Store(db, readonly=True) as store:
            [sid] = store.session_ids()
            return [(e.observed_at, dict(e.payload), e.author) for e in store.events(sid)
                    if e.source == "device"]

    direct, hl7 = tmp_path / "direct.db", tmp_path / "hl7.db"
    with Store(direct) as log:
        run_headless(log, seed=3, minutes=13, device_rate=1, start=T0)
    with Store(hl7) as log:
        run_headless(log, seed=3, minutes=13, device_rate=1, start=T0, device="hl7")
    by_feed, by_api = device_samples(hl7), device_samples(direct)
    assert len(by_feed) == 181   # 1 Hz from the start at 10:00 to 13:00, both ends
    assert [(t, p) for t, p, _ in by_feed] == [(t, p) for t, p, _ in by_api]
    assert {a for _, _, a in by_feed} == {DEMO_DEVICE}
    assert {a for _, _, a in by_api} == {NURSE}


SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"


def test_shipped_samples_and_the_simulated_monitor_feed_a_listening_session(db_path,
                                                                          protocols):
    """As the README tells a nurse: ``listen`` (or the window's device panel), then
    ``replay docs/samples/*.hl7 --now`` and ``simulate``; every ACK AA."""
    now = datetime.now(UTC)
    sid = new_session(db_path, now - timedelta(minutes=10), protocols)
    monitor, capnograph = "00DE0000000000B1", "00DE0000000000C0"
    proc = subprocess.Popen([sys.executable, "-m", "ui.entry", "listen", "--db", str(db_path),
                             "--port", "0", "--bind", f"{monitor}={sid}",
                             "--bind", f"{capnograph}={sid}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        port = int(first.split("127.0.0.1:")[1].split(";")[0])
        to = f"127.0.0.1:{port}"
        replays = [cli("replay", str(SAMPLES / name), "--to", to, "--speed", "0", "--now")
                   for name in ("monitor-1min.hl7", "capnograph-kpa.hl7")]
        sim = cli("simulate", "--to", to, "--count", "3", "--rate", "20",
                  "--patient", OPENING["patient_id"])
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert [r.returncode for r in replays] == [0, 0], [r.stdout + r.stderr for r in replays]
    assert replays[0].stdout.strip().endswith("sent 60 messages to " + to + ": 60 AA, 0 AE, 0 AR")
    assert sim.returncode == 0, sim.stdout + sim.stderr
    assert sim.stdout.strip().endswith(f"sent 3 messages to {to} as device {monitor}: 3 AA")
    with Store(db_path, readonly=True) as store:
        device = [(e.author, dict(e.payload)) for e in store.events(sid) if e.source == "device"]
    assert len([p for a, p in device if a == monitor and "hr" in p]) == 63
    assert len([p for a, p in device if a == monitor and "sbp" in p]) == 2   # one per cuff
    co2 = [p for a, p in device if a == capnograph]
    assert len(co2) == 12
    assert co2[0]["etco2"] == 38 and co2[0]["as_sent"] == {"etco2": "5.1 kPa"}


def test_listen_refuses_bad_exposure_settings_naming_them(db_path, tmp_path):
    allow = cli("listen", "--db", str(db_path), "--port", "0", "--allow", "ward 3")
    assert allow.returncode == 2
    assert "--allow 'ward 3': write an address or a network" in allow.stderr
    tls = cli("listen", "--db", str(db_path), "--port", "0", "--tls-cert",
              str(tmp_path / "none.pem"))
    assert tls.returncode == 2
    assert "cannot load the certificate and key" in tls.stderr
    cap = cli("listen", "--db", str(db_path), "--port", "0", "--max-connections", "0")
    assert (cap.returncode, cap.stderr.strip()) == (
        2, "ketamine-monitor: error: --max-connections 0: must be at least 1")
