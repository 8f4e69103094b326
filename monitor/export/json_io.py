"""JSON export (docs/export-formats.md, schema docs/session-export.schema.json)
and import back into a database. export → import → export gives identical
files apart from ``exported_at``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor import __version__
from monitor.clinical.protocols import ProtocolSet
from monitor.clock import to_iso
from monitor.errors import ChainError, MonitorError
from monitor.export.context import DEID_NOTICE, ExportContext
from monitor.export.import_check import check_session
from monitor.export.import_fields import check_fields
from monitor.log.eventlog import EventLog
from monitor.model.events import Event, canonical, first_broken

FORMAT = "ketamine-monitor.model.session"
SCHEMA_VERSION = 1
WITHHELD = "withheld (de-identified)"


def summary(ctx: ExportContext) -> dict[str, Any]:
    s = ctx.session
    end = s.discharged_at or (s.events[-1].observed_at if s.events else ctx.start)
    out: dict[str, Any] = {
        "patient_id": None if ctx.deidentify else s.opening.get("patient_id"),
        "display_name": None if ctx.deidentify else s.opening.get("display_name"),
        "weight_kg": s.weight_kg,
        "indication": s.opening.get("indication"),
        "protocol": s.protocol_id,
        "phase": s.phase,
        "entries": len(s.events),
        "dose_mg": round(s.dose_mg(end), 3),
        "dose_mg_per_kg": round(s.dose_mg_per_kg(end), 4),
        "alarms_raised": len(s.alarms),
        "corrected": corrected(ctx),
    }
    if not ctx.deidentify:
        out["session_id"] = s.session_id
        out["opened_at"] = to_iso(ctx.start)
    return out


def corrected(ctx: ExportContext) -> list[dict[str, Any]]:
    """Each amended, struck or artifact-flagged entry with its status and the values a
    flag covers (derived from the correction events, which the file also holds)."""
    out = []
    for e in ctx.session.entry_list:
        if e.status == "valid":
            continue
        item: dict[str, Any] = {"seq": e.seq, "kind": str(e.kind),
                                "status": "artifact" if e.flagged else e.status}
        if e.flagged or e.artifact:
            item["artifact"] = sorted(e.flagged) if e.flagged else sorted(e.measured())
        if e.amended and not e.struck:
            item["amended"] = True
        out.append(item)
    return out


def event_record(ctx: ExportContext, ev: Event) -> dict[str, Any]:
    if not ctx.deidentify:
        return ev.to_record()
    return {
        "seq": ev.seq, "kind": str(ev.kind), "payload": ctx.scrub(ev.payload),
        "author": ctx.who(ev.author), "source": ev.source,
        "observed_offset_s": round((ev.observed_at - ctx.start).total_seconds(), 3),
        "recorded_offset_s": round((ev.recorded_at - ctx.start).total_seconds(), 3),
    }


def record(ctx: ExportContext) -> dict[str, Any]:
    """Event count and head hash (which anchors the whole chain), and what checking found."""
    out: dict[str, Any] = {"events": ctx.event_count, "verification": ctx.record_status}
    if not ctx.deidentify:
        out["head_hash"] = ctx.head_hash
    return out


def to_json(ctx: ExportContext) -> bytes:
    """The header indented; then one event per line, compact with sorted keys (each
    line goes through the C encoder, and the file stays readable and diff-friendly)."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "generator": f"ketamine-monitor {__version__}",
        # De-identified: withheld (an offset from the start, next to the file's own
        # dates, would give the session's exact start away).
        "exported_at": WITHHELD if ctx.deidentify else to_iso(ctx.exported_at),
        "deidentified": ctx.deidentify,
        "session": summary(ctx),
        "record": record(ctx),
    }
    if ctx.deidentify:
        doc["notice"] = DEID_NOTICE
    head = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    lines = ",\n".join(encode(event_record(ctx, ev)) for ev in ctx.events)
    return (head[:-2] + ',\n "events": [\n' + lines + "\n ]\n}\n").encode()


def read_export(path: Path) -> tuple[list[Event], Any]:
    """Parse a JSON export into its events and what it declares of them (``record``);
    refuse anything that is not a full export."""
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise MonitorError(f"No file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MonitorError(f"Cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise MonitorError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except RecursionError:
        raise MonitorError(f"{path} is nested too deeply to be a session export") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise MonitorError(f"{path} is not a ketamine-monitor session export")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise MonitorError(f"{path} has schema_version {doc.get('schema_version')!r}; "
                           f"this version imports {SCHEMA_VERSION}")
    if doc.get("deidentified"):
        raise MonitorError(f"{path} is a de-identified export; only full exports can be imported")
    records = doc.get("events")
    if not isinstance(records, list) or not records:
        raise MonitorError(f"{path} holds no events")
    events = []
    for i, rec in enumerate(records):
        check_fields(rec, f"{path}: event {i + 1}")
        try:
            ev = Event.from_record(rec)
            canonical(ev.content()).encode("utf-8")
        except UnicodeEncodeError:
            raise MonitorError(f"{path}: event {i + 1} holds text that is not valid Unicode "
                               "(a lone surrogate)") from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MonitorError(f"{path}: event {i + 1} is malformed ({exc})") from exc
        except RecursionError:
            raise MonitorError(f"{path}: event {i + 1} is nested too deeply") from None
        events.append(ev)
    if len({e.session_id for e in events}) != 1:
        raise MonitorError(f"{path}: events belong to more than one session")
    return events, doc.get("record")


def _check_declared(declared: Any, events: list[Event], path: Path) -> None:
    """The file's own event count must be its events': a file cut short at an event's
    end (its chain still whole) is refused, not imported as a shorter record. (Whoever
    also edits the count forges the file: its head then differs from the one printed on
    the chart.)"""
    count = declared.get("events") if isinstance(declared, dict) else None
    if count is not None and count != len(events):
        raise MonitorError(f"{path} declares {count!r} events but holds {len(events)}: "
                           "the file is incomplete or was edited; nothing was imported")


def import_file(store: EventLog, path: Path, protocols: ProtocolSet,
                now: datetime) -> tuple[str, int]:
    """Import a full JSON export: its chain, then every event as strictly as a live entry."""
    events, declared = read_export(path)
    broken = first_broken(events)
    if broken:
        ev, why = broken
        raise ChainError(f"Refused: event {ev.entry_id} {why}")
    try:
        check_session(events, protocols, now)
    except RecursionError:
        raise MonitorError(f"{path}: an event is nested too deeply") from None
    _check_declared(declared, events, path)
    store.import_events(events)
    return events[0].session_id, len(events)
