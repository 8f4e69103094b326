"""The command line (README, "Command line"): a stable contract.

Exit status 0 on success, 1 on a user-facing failure (one line on stderr,
never a traceback), 2 on bad arguments; `verify` exits 3 when nothing is wrong but
the seals could not be checked (NOT VERIFIED). The window is launched through a
callable injected by the ``ui`` package, so this core never imports Qt.

Every command, the window too, starts here: a module that one command alone needs,
and that would cost the others' start, is imported by that command (its cost noted
there: CPU ms, `python -m bench.child imports-cli MODULE...`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from monitor import __version__
from monitor.app.logsetup import configure, startup_line
from monitor.clinical.protocols import load_protocols
from monitor.clock import SystemClock
from monitor.errors import ConfigError, MonitorError, StoreError
from monitor.export import _protocols, export_session
from monitor.export.atomic import write_atomic
from monitor.export.formats import FORMATS, PAGE_SIZES
from monitor.log.eventlog import NOT_VERIFIED, EventLog, open_log
from monitor.paths import Target, alarm_sound_file, ensure_parent, resolve_db, site_protocols
from monitor.record.sessions import salvaged_listing, session_rows
from monitor.sound.config import load_sound_config

log = logging.getLogger(__name__)
# The window gets the opened log (or the error of opening it) and the demo options.
GuiLauncher = Callable[[EventLog | MonitorError, dict[str, Any] | None], int]
BoardLauncher = Callable[[str, argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    db_help = ("database file, or a clinic server as postgresql://ROLE@HOST/DB (password "
               "from pgpass or a service file) (default: $KETAMINE_MONITOR_DB or the user "
               "data folder)")
    # --db may come before or after the command; after it, it must not reset one given before.
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=db_help)
    parser = argparse.ArgumentParser(
        prog="ketamine-monitor",
        description="Bedside monitor and record for ketamine infusion sessions. "
                    "With no command, opens the bedside window.")
    parser.add_argument("--db", metavar="PATH", default=None, help=db_help)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("gui", parents=[db], help="open the bedside window (the default)")
    listen = sub.add_parser("listen", parents=[db],
                            help="receive HL7 v2 (MLLP) from bedside monitors, headless")
    listen.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this computer only)")
    listen.add_argument("--port", type=int, default=2575, help="TCP port (default 2575)")
    listen.add_argument("--bind", action="append", default=[], metavar="DEVICE=SESSION",
                        help="record this device (id as the diagnostics show it) into this "
                             "open session (id or prefix); repeatable")
    listen.add_argument("--tz", default=None, metavar="ZONE",
                        help="clinic IANA time zone for device times without an offset "
                             "(default: this computer's)")
    listen.add_argument("--allow", action="append", default=[], metavar="ADDRESS",
                        help="only these addresses or networks may connect (10.1.2.3, "
                             "10.1.2.0/24); repeatable (default: any that reaches --host)")
    listen.add_argument("--tls-cert", default=None, metavar="PEM",
                        help="serve MLLP over TLS with this certificate (and --tls-key)")
    listen.add_argument("--tls-key", default=None, metavar="PEM",
                        help="the certificate's private key (if not inside --tls-cert)")
    listen.add_argument("--idle-timeout", type=float, default=3600.0, metavar="S",
                        help="close a connection silent this long (default 3600)")
    listen.add_argument("--frame-timeout", type=float, default=30.0, metavar="S",
                        help="close a connection whose message does not end within this "
                             "(default 30)")
    listen.add_argument("--max-connections", type=int, default=64, metavar="N",
                        help="open connections at once; more are closed (default 64)")
    replay = sub.add_parser("replay", help="send a recorded file of HL7 messages to a listener")
    replay.add_argument("file", metavar="FILE.hl7")
    replay.add_argument("--to", required=True, metavar="HOST:PORT")
    replay.add_argument("--speed", type=float, default=1.0,
                        help="times faster than recorded (default 1; 0: no pauses)")
    replay.add_argument("--now", action="store_true",
                        help="move every time so the last message is stamped now (to replay "
                             "a recording into a session opened today)")
    sim = sub.add_parser("simulate",
                         help="a simulated bedside monitor: send PCD-01 vitals to a listener")
    sim.add_argument("--to", default="127.0.0.1:2575", metavar="HOST:PORT",
                     help="the listener (default 127.0.0.1:2575, the window's device panel)")
    sim.add_argument("--device", default="00DE0000000000B1", metavar="EUI64",
                     help="the device id it sends (default 00DE0000000000B1)")
    sim.add_argument("--patient", default="", metavar="ID",
                     help="patient id sent in PID-3 (the session's, or the listener refuses)")
    sim.add_argument("--rate", type=float, default=1.0, metavar="HZ",
                     help="messages per second (default 1)")
    sim.add_argument("--count", type=int, default=None, metavar="N",
                     help="stop after N messages (default: until Ctrl+C)")
    sim.add_argument("--seed", type=int, default=1)
    demo = sub.add_parser("demo", parents=[db], help="run a seeded demo session")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--speed", type=float, default=60.0,
                      help="simulated seconds per real second in the window (default 60)")
    demo.add_argument("--headless", action="store_true", help="no window; as fast as possible")
    demo.add_argument("--minutes", type=float, default=None,
                      help="simulated minutes to run (default: the whole session)")
    demo.add_argument("--device-rate", type=float, default=0.0, metavar="HZ",
                      help="add device HR and SpO2 samples at this rate")
    demo.add_argument("--device", choices=("direct", "hl7"), default="direct",
                      help="hl7: a simulated monitor sends the device samples as PCD-01 "
                           "messages over MLLP to a listener on 127.0.0.1 (1 Hz unless "
                           "--device-rate is given)")
    sessions = sub.add_parser("sessions", parents=[db], help="list sessions")
    sessions.add_argument("--open", action="store_true", help="only sessions not yet closed")
    export = sub.add_parser("export", parents=[db],
                            help="export one session, or a patient's course of sessions")
    export.add_argument("session", metavar="SESSION", nargs="?",
                        help="session id (or its first characters)")
    # --series is the flag's earlier name, kept so existing scripts go on working.
    export.add_argument("--course", "--series", dest="course", metavar="PATIENT", default=None,
                        help="instead of one session: the patient's course, every session "
                             "of this patient identifier, one row each (csv, json, pdf, fhir)")
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--out", required=True, metavar="PATH")
    export.add_argument("--deidentify", action="store_true")
    export.add_argument("--force", action="store_true", help="overwrite an existing file")
    export.add_argument("--page-size", choices=PAGE_SIZES, default=None,
                        help="paper for --format pdf (default a4)")
    export.add_argument("--wide", action="store_true",
                        help="CSV: one row per vitals set instead of one row per value")
    imp = sub.add_parser("import", parents=[db], help="import a JSON export")
    imp.add_argument("file", metavar="FILE.json")
    sub.add_parser("verify", parents=[db], help="check the database and every hash chain")
    clinic = sub.add_parser("clinic", help="clinic mode on PostgreSQL: set up the database")
    clinic_sub = clinic.add_subparsers(dest="clinic_command", metavar="ACTION", required=True)
    init = clinic_sub.add_parser("init", parents=[db],
                                 help="create the tables, roles, policies and triggers "
                                      "(as a superuser of the server; repeat to add chairs)")
    init.add_argument("--chairs", type=int, default=4, help="number of chairs (default 4)")
    init.add_argument("--pgpass", metavar="FILE", default=None,
                      help="append the new roles' passwords to this pgpass file (0600)")
    board = sub.add_parser("board", parents=[db],
                           help="the central board: every chair of the clinic, live")
    board.add_argument("--chairs", type=int, default=8, help="tiles to show (default 8)")
    board.add_argument("--patient", choices=("initials", "pseudonym"), default="initials",
                       help="how a tile names the patient (default initials)")
    sound = sub.add_parser("alarm-sound",
                           help="write one burst of an alarm signal as a WAV file")
    sound.add_argument("--priority", required=True, choices=("high", "medium", "low"))
    sound.add_argument("--out", required=True, metavar="FILE.wav")
    sound.add_argument("--config", metavar="FILE", default=None,
                       help="alarm sound settings (default: alarm-sound.toml in the user "
                            "config folder, when present)")
    sound.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def _open(db: Target, *, readonly: bool = False) -> EventLog:
    """The event log at ``db``, its default folder created first for a writer."""
    if not readonly and isinstance(db, Path):
        ensure_parent(db)
    return open_log(db, readonly=readonly)


def _cmd_sessions(db: Target, args: argparse.Namespace) -> int:
    damaged = ""
    with _open(db, readonly=True) as store:
        try:
            rows = session_rows(store, open_only=args.open)
        except StoreError:
            salvage = getattr(store, "salvage", None)
            if salvage is None:
                raise
            # A damaged file: list what can be read, and say what cannot.
            found = salvage()
            rows = session_rows(store, open_only=args.open,
                                listing=salvaged_listing(found))
            damaged = (f"{store.location} is damaged; listed the {len(found.readable)} "
                       "sessions that can be read (export them as JSON and import them "
                       "into a new database); unreadable: "
                       + ("; ".join(found.unreadable) or "parts outside any session"))
    print(f"{'SESSION':<14}{'PATIENT':<16}{'STARTED (UTC)':<18}{'PHASE':<12}"
          f"{'ENTRIES':>8}{'ACTIVE ALARMS':>15}  REMS FORM DUE")
    for r in rows:
        print(f"{r['session_id']:<14}{r['patient_id'][:15]:<16}{r['started']:<18}"
              f"{r['phase']:<12}{r['entries']:>8}{r['active_alarms']:>15}  {r['rems_due']}")
    if not rows:
        print("(no sessions)")
    if damaged:
        print(f"ketamine-monitor: error: {damaged}", file=sys.stderr)
        return 1
    return 0


#: ``verify``'s exit status when nothing is wrong but the seals could not be checked.
NOT_VERIFIED_STATUS = 3


def _cmd_verify(db: Target, _args: argparse.Namespace) -> int:
    with _open(db, readonly=True) as store:
        sessions, events = store.verify()
        notes, unchecked = store.verify_notes, store.verify_unchecked
        where = store.location
    found = (f"{where}: integrity ok, triggers present, {sessions} sessions, {events} events, "
             "every chain verifies")
    if unchecked:  # a chain alone proves nothing to someone who can rewrite the file
        print(f"{NOT_VERIFIED}: {found}, but the seals were not checked")
        for line in unchecked:
            print(f"not checked: {line}")
    else:
        print(f"OK: {found}" + ("" if notes else ", every seal and the session registry "
                                "verify"))
    for note in notes:
        print(f"note: {note}")
    return NOT_VERIFIED_STATUS if unchecked else 0


def _cmd_export(db: Target, args: argparse.Namespace) -> int:
    if (args.course is None) == (args.session is None):
        print("ketamine-monitor export: error: give either SESSION or --course PATIENT",
              file=sys.stderr)
        return 2
    if args.page_size is not None and args.format != "pdf":
        print(f"ketamine-monitor export: error: --page-size is for --format pdf, not "
              f"{args.format}", file=sys.stderr)
        return 2
    page_size = args.page_size or "a4"
    notes: list[str] = []
    if args.course is not None:
        from monitor.export.course_out import export_course  # ~3 ms, reportlab at use
        with _open(db, readonly=True) as log:
            out = export_course(log, args.course, args.format, Path(args.out),
                                load_protocols(site_protocols()), deidentify=args.deidentify,
                                force=args.force, page_size=page_size, notes=notes)
    else:
        with _open(db, readonly=True) as log:
            out = export_session(log, args.session, args.format, Path(args.out),
                                 deidentify=args.deidentify, force=args.force, wide=args.wide,
                                 page_size=page_size, notes=notes)
    print(f"Wrote {out}")
    for note in notes:
        print(f"note: {note}")
    return 0


def _cmd_import(db: Target, args: argparse.Namespace) -> int:
    from monitor.export.json_io import import_file  # ~7 ms
    with _open(db) as store:
        sid, count = import_file(store, Path(args.file), _protocols(), SystemClock().now())
        where = store.location
    print(f"Imported session {sid} ({count} events) into {where}")
    return 0


def _cmd_alarm_sound(_db: Target, args: argparse.Namespace) -> int:
    from monitor.sound.synth import SAMPLE_RATE, render, wav_bytes  # numpy: ~60 ms
    config_file = Path(args.config) if args.config else alarm_sound_file()
    if args.config and not config_file.is_file():
        raise ConfigError(f"{config_file}: no such settings file")
    pattern = load_sound_config(config_file).pattern(args.priority)
    out = write_atomic(Path(args.out), wav_bytes(render(pattern)), force=args.force)
    print(f"Wrote {out}: {args.priority} priority, one burst of {pattern.pulses} pulses, "
          f"{pattern.burst_s:.2f} s, {SAMPLE_RATE} Hz mono")
    return 0


def _cmd_demo(db: Target, args: argparse.Namespace, gui: GuiLauncher | None) -> int:
    if args.speed <= 0 or (args.minutes is not None and args.minutes <= 0) or args.device_rate < 0:
        print("ketamine-monitor: error: --speed and --minutes must be above 0, "
              "--device-rate 0 or more", file=sys.stderr)
        return 2
    if args.device == "hl7" and args.device_rate == 0:
        args.device_rate = 1.0
    if args.headless:
        from monitor.app.simulator import run_headless  # ~10 ms
        with _open(db) as log:
            summary = run_headless(log, seed=args.seed, minutes=args.minutes,
                                   device_rate=args.device_rate, device=args.device)
        print(summary)
        return 0
    if gui is None:
        raise MonitorError("The window is not available in this installation; use --headless")
    return gui(_open_for_window(db), {"seed": args.seed, "speed": args.speed,
                                      "minutes": args.minutes, "device_rate": args.device_rate,
                                      "device": args.device})


def _cmd_devices(db: Target, args: argparse.Namespace) -> int:
    from monitor.app import device_commands as commands  # ~45 ms (listener, station)
    from monitor.devices.exposure import Exposure, parse_allow, server_tls

    def say(line: str) -> None:
        print(line, flush=True)

    if args.command == "simulate":
        from monitor.devices.simulator import SimulatedMonitor, run_simulator  # ~4 ms
        if args.rate <= 0 or (args.count is not None and args.count < 1):
            print("ketamine-monitor: error: --rate must be above 0 and --count at least 1",
                  file=sys.stderr)
            return 2
        host, port = commands.parse_target(args.to)
        monitor = SimulatedMonitor(device_id=args.device, patient_id=args.patient,
                                   seed=args.seed)
        return run_simulator(host, port, monitor=monitor, rate=args.rate, count=args.count,
                             say=say)
    if args.command == "replay":
        if args.speed < 0:
            print("ketamine-monitor: error: --speed must be 0 or more", file=sys.stderr)
            return 2
        return commands.run_replay(Path(args.file), to=args.to, speed=args.speed, say=say,
                                   now=args.now)
    if not 0 <= args.port < 65536:
        print("ketamine-monitor: error: --port must be from 0 to 65535", file=sys.stderr)
        return 2
    try:
        pairs = commands.parse_bindings(args.bind)
    except MonitorError as exc:
        print(f"ketamine-monitor: error: {exc}", file=sys.stderr)
        return 2
    try:
        exposure = Exposure(frame_timeout=args.frame_timeout, idle_timeout=args.idle_timeout,
                            max_connections=args.max_connections,
                            allow=parse_allow(args.allow),
                            tls=server_tls(Path(args.tls_cert),
                                           Path(args.tls_key) if args.tls_key else None)
                            if args.tls_cert else None)
    except MonitorError as exc:
        print(f"ketamine-monitor: error: {exc}", file=sys.stderr)
        return 2
    with _open(db) as log:
        return commands.run_listen(log, host=args.host, port=args.port, bindings=pairs,
                                   tz=args.tz, say=say, exposure=exposure)


def _cmd_clinic(db: Target, args: argparse.Namespace) -> int:
    from monitor.log.postgres.setup import init_clinic  # psycopg: ~85 ms
    if not is_url(db):
        print("ketamine-monitor: error: clinic init needs --db postgresql://ADMIN@HOST/DB",
              file=sys.stderr)
        return 2
    report = init_clinic(str(db), args.chairs, Path(args.pgpass) if args.pgpass else None)
    print(f"Clinic database {report.database} ready: roles {', '.join(report.chairs)}")
    if report.new_roles:
        print(f"Passwords of the new roles {', '.join(report.new_roles)} were added to "
              f"{report.pgpass}; its lines name the server as {report.server}, "
              f"{report.server_from}. Chairs connect to that name (edit the lines if "
              "they reach the server by another).")
    return 0


def _cmd_board(db: Target, args: argparse.Namespace, board: BoardLauncher | None) -> int:
    if not is_url(db):
        print("ketamine-monitor: error: the board needs --db postgresql://ROLE@HOST/DB",
              file=sys.stderr)
        return 2
    if not 1 <= args.chairs <= 64:
        print("ketamine-monitor: error: --chairs must be from 1 to 64", file=sys.stderr)
        return 2
    if board is None:
        raise MonitorError("The board window is not available in this installation")
    return board(str(db), args)


def is_url(db: Target) -> bool:
    return isinstance(db, str) and "://" in db


def _open_for_window(db: Target) -> EventLog | MonitorError:
    """The window shows why a log could not be opened (locked, damaged, ...) itself."""
    try:
        return _open(db)
    except MonitorError as exc:
        return exc


def _cmd_gui(db: Target, gui: GuiLauncher | None) -> int:
    if gui is None:
        raise MonitorError("The window is not available in this installation")
    return gui(_open_for_window(db), None)


def main(argv: Sequence[str] | None = None, gui: GuiLauncher | None = None,
         board: BoardLauncher | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    db = resolve_db(args.db)
    configure()
    log.info(startup_line(db, f"; command {args.command or 'gui'}"))
    try:
        if args.command in (None, "gui"):
            return _cmd_gui(db, gui)
        if args.command == "demo":
            return _cmd_demo(db, args, gui)
        if args.command in ("listen", "replay", "simulate"):
            return _cmd_devices(db, args)
        if args.command == "board":
            return _cmd_board(db, args, board)
        handler = {"sessions": _cmd_sessions, "verify": _cmd_verify,
                   "export": _cmd_export, "import": _cmd_import,
                   "alarm-sound": _cmd_alarm_sound, "clinic": _cmd_clinic}[args.command]
        return handler(db, args)
    except MonitorError as exc:
        log.warning("%s failed: %s", args.command, type(exc).__name__)
        print(f"ketamine-monitor: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a last resort: one line for the user, the trace in the log
        log.exception("unexpected failure in %s", args.command)
        print(f"ketamine-monitor: error: unexpected {type(exc).__name__}: {exc} "
              "(details in the log)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
