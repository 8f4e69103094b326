"""Look at the board on a real screen size: a throw-away server, eight chairs in
different states, and the board as a user starts it.

    python -m tests.support.board_screen OUT.png [OPENED.png]   (under Xvfb with a window
    manager; OPENED.png: after a click on chair 5, its session beside the tiles)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from monitor.app.simulator import CHECKLIST
from monitor.clinical.protocols import load_protocols
from monitor.clock import ManualClock, SystemClock
from monitor.log.postgres.log import PgLog
from monitor.log.postgres.schema import BOARD, chair_role
from monitor.log.postgres.setup import init_clinic
from monitor.record.recorder import Recorder
from tests.support.pg_server import PgServer

# Chairs 1 and 7 hold two patients with the same initials (D.P.).
NAMES = ["Dana Park", "Omar Haddad", "Li Wei", "Ana María Soto", "Tom Berg", "Kofi Mensah",
         "David Price"]


def fill(server: PgServer, database: str, work: Path) -> list[PgLog]:
    protocols = load_protocols()
    logs = []
    for n, name in enumerate(NAMES, start=1):
        log = PgLog(server.url(chair_role(n), database), spool=work / f"s{n}.db")
        clock = ManualClock(SystemClock().now() - timedelta(minutes=50 + 7 * n))
        rec = Recorder.open_new(log, clock, protocols, {
            "patient_id": f"MRN-{1000 + n}", "display_name": name, "weight_kg": str(60 + n * 3),
            "indication": "CRPS", "protocol": "chronic-pain-iv", "nurse_id": "RN7"})
        rec.record_vitals({"sbp": "124", "dbp": "78", "hr": "70", "spo2": "98", "rr": "14",
                           "temp": "36.7"}, "RN7")
        rec.record_assessment({"moaas": 5, "acvpu": "A", "pain": 7}, "RN7")
        rec.record_checklist("RN7", CHECKLIST)
        if n != 2:
            clock.advance(300)
            rec.start_infusion("RN7", rate="0.35", rate_unit="mg/kg/h", confirmed=True)
        clock.set(SystemClock().now() - timedelta(seconds=20 * n))
        fields = {"sbp": "132", "dbp": "84", "hr": str(72 + n), "spo2": "97", "rr": "14"}
        if n == 3:
            fields.update(spo2="88", rr="7")
        if n == 5:  # a HIGH BP and a medium HR on one chair: both on its tile
            fields.update(sbp="186", dbp="104", hr="118")
        rec.record_vitals(fields, "RN7", confirmed=True)
        logs.append(log)
    logs[5].close()  # chair 6 loses its connection: its tile shows no data
    return logs


def main(out: str, opened: str = "") -> int:
    server = PgServer()
    try:
        handout = server.top / "handout"
        os.environ["PGPASSFILE"] = str(server.pgpass)
        init_clinic(server.url(), 8, handout)
        for line in handout.read_text().splitlines():
            server.add_password(line.split(":")[3], line.split(":", 4)[4])
        with tempfile.TemporaryDirectory() as tmp:
            logs = fill(server, "clinic", Path(tmp))
            board = subprocess.Popen(
                [sys.executable, "-m", "ui.entry", "board", "--db",
                 server.url(BOARD, "clinic")], env={**server.env(),
                                                    "QT_QPA_PLATFORM": "xcb"})
            subprocess.run(["xdotool", "search", "--sync", "--name", "clinic board"],
                           check=True, timeout=60, capture_output=True)
            subprocess.run(["bash", "-c", "sleep 3; import -window root " + out], check=True)
            if opened:  # a tile clicked: its session in a pane beside the tiles
                subprocess.run(["xdotool", "mousemove", "170", "470", "click", "1"],
                               check=True)
                subprocess.run(["bash", "-c", "sleep 3; import -window root " + opened],
                               check=True)
            board.terminate()
            board.wait(timeout=20)
            for log in logs:
                log.close()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
