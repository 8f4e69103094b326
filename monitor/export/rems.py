"""The Spravato REMS Patient Monitoring Form items, derived from the session.

The items follow the form named by the protocol's ``rems.form`` (stated on the export):
patient (date of birth, sex), concomitant medication, dose and lot, total time, the
minute the patient would have been ready to leave, vital signs acceptable before
administration and before leaving, the three BP points, and sedation, dissociation and
respiratory depression (CLINICAL §1 and §7). Every flag counts only readings after
dosing (monitor/export/rems_flags.py); the "40-min" BP uses the one window of
``monitor.clinical.rules.schedule.rems_window``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.clinical.discharge_override import override_text
from monitor.clinical.predose import latest_checklist
from monitor.clinical.protocols import Protocol
from monitor.clinical.rules.conditions import effective_limits
from monitor.clinical.rules.schedule import rems_window
from monitor.export import rems_flags as flags
from monitor.export.context import ExportContext
from monitor.model.events import EventKind
from monitor.model.parameters import fmt, label
from monitor.model.session import Entry, Session
from monitor.model.vocabulary import CHECKLIST_ITEMS, MEDICATION_ITEMS

DEFAULT_FORM = "SPRAVATO REMS Patient Monitoring Form (version not set in the protocol)"
SEDATION_KEY = "Sedation (any MOAA/S drop)"
DISSOCIATION_KEY = "Dissociation"
# Read as the alarms read it (monitor/export/rems_flags.py): the answer says why.
RESP_KEY = "Respiratory depression"


def form_version(protocol: Protocol) -> str:
    return protocol.rems.form or DEFAULT_FORM


def filing_deadline(protocol: Protocol, session_day: datetime) -> datetime | None:
    """When an outpatient form is due (``rems.filing_days`` after the session), or None
    for a protocol without a REMS form."""
    days = protocol.rems.filing_days
    return None if days is None else session_day + timedelta(days=int(days))


def _bp_text(ctx: ExportContext, e: Entry | None, missing: str) -> str:
    if e is None:
        return missing
    return f"{fmt(e.payload['sbp'])}/{fmt(e.payload.get('dbp', 0))} at {ctx.time(e.observed_at)}"


def _bp_entries(ctx: ExportContext) -> list[Entry]:
    return [e for e in ctx.entries(EventKind.VITALS) if e.counts and "sbp" in e.payload
            and not e.is_artifact("sbp")]


def _bp_last_between(ctx: ExportContext, after: datetime | None, until: datetime,
                     ) -> Entry | None:
    found = [e for e in _bp_entries(ctx)
             if e.observed_at <= until and (after is None or e.observed_at > after)]
    return found[-1] if found else None


def _bp_near_40(ctx: ExportContext, dosed: datetime) -> Entry | None:
    """The reading nearest 40 min after dosing, inside the REMS window (30-50 min)."""
    lo, hi = rems_window(ctx.protocol, 40)
    inside = [e for e in _bp_entries(ctx)
              if lo * 60 <= (e.observed_at - dosed).total_seconds() <= hi * 60]
    return min(inside, key=lambda e: abs((e.observed_at - dosed).total_seconds() - 2400),
               default=None)


def _acceptable_before(s: Session, protocol: Protocol) -> str:
    """Pre-dose BP within the label's 140/90 and SpO2, HR and RR inside their medium
    limits (the same limits the alarms use)."""
    base = s.baseline()
    if "sbp" not in base:
        return "not recorded (no pre-dose BP)"
    far = []
    top = protocol.rems.predose_bp_max or (140, 90)
    for name, ceiling in zip(("sbp", "dbp"), top, strict=True):
        if name in base and base[name] > float(ceiling):
            far.append(f"{label(name)} {fmt(base[name])} > {fmt(float(ceiling))}")
    for name in ("spo2", "hr", "rr"):
        lim = effective_limits(s, protocol, name)
        value = base.get(name)
        if value is None:
            continue
        if "medium_low" in lim and value <= lim["medium_low"]:
            far.append(f"{label(name)} {fmt(value)} ≤ {fmt(lim['medium_low'])}")
        elif "medium_high" in lim and value >= lim["medium_high"]:
            far.append(f"{label(name)} {fmt(value)} ≥ {fmt(lim['medium_high'])}")
    return "no (" + "; ".join(far) + ")" if far else "yes"


def _acceptable_leaving(s: Session) -> str:
    """From the discharge checklist: BP within the band, SpO2 and RR in band, no alarm."""
    if not s.discharge:
        return "not discharged yet"
    checks = s.discharge.get("checks", {})
    far = [f"{c.get('label', key)}: {c['detail']}" for key, c in checks.items()
           if key in ("bp_in_band", "spo2_rr_in_band", "no_active_alarm") and not c["ok"]]
    return "no (" + "; ".join(far) + ")" if far else "yes"


def _dose(ctx: ExportContext) -> tuple[str, str]:
    """Total of every device given (the REMS dose), with each device, and the lot."""
    s = ctx.session
    doses = s.timeline.boluses
    total = sum(mg for _t, mg in doses)
    each = " + ".join(fmt(mg) for _t, mg in doses)
    starts = s.entries_of(EventKind.INFUSION_STARTED)
    lot = ctx.text(starts[0].payload.get("lot")) if starts else ""
    return fmt(total) + (f" ({each})" if len(doses) > 1 else ""), lot or "not recorded"


def _medications(s: Session) -> dict[str, str]:
    answers = latest_checklist(s) or {}
    return {f"Concomitant {CHECKLIST_ITEMS[k].removeprefix('Concomitant ')}":
            answers.get(k, "not asked") for k in MEDICATION_ITEMS}


def rems_items(ctx: ExportContext) -> dict[str, str]:
    """The REMS form items, in the form's order."""
    s = ctx.session
    dosed = s.infusion_started_at
    head = {"Form": form_version(ctx.protocol),
            "Birthdate": "(de-identified)" if ctx.deidentify else str(
                s.opening.get("date_of_birth") or "not recorded"),
            "Sex": str(s.opening.get("sex") or "not recorded"),
            **_medications(s)}
    if dosed is None:
        return {**head, "Dosed": "no"}
    end = s.discharged_at or s.events[-1].observed_at
    t = dosed.timestamp()
    ready = (s.discharge or {}).get("ready_to_leave_at")
    ready_text = ""
    if ready:
        at = datetime.fromisoformat(ready)
        ready_text = f"{(at - dosed).total_seconds() / 60:.0f} min after the first device " \
                     f"({ctx.time(at)})"
    dose, lot = _dose(ctx)
    deadline = filing_deadline(ctx.protocol, dosed)
    return {
        **head,
        "Treatment date": ctx.time(dosed)[:10] if not ctx.deidentify else ctx.time(dosed),
        "Dose administered (mg)": dose,
        "Lot": lot,
        "Total minutes monitored": f"{(end - dosed).total_seconds() / 60:.0f}",
        "Ready to leave (minutes from the first device)": ready_text or "not discharged yet",
        "Vital signs acceptable before administration": _acceptable_before(s, ctx.protocol),
        "Vital signs acceptable before leaving": _acceptable_leaving(s),
        "BP before dosing": _bp_text(ctx, _bp_last_between(ctx, None, dosed), "not recorded"),
        "BP about 40 min after dosing": _bp_text(ctx, _bp_near_40(ctx, dosed), "not taken"),
        "BP before discharge": _bp_text(ctx, _bp_last_between(ctx, dosed, end),
                                        "not recorded after dosing"),
        SEDATION_KEY: flags.sedation(s, ctx.protocol, t),
        DISSOCIATION_KEY: flags.dissociation(s, t),
        RESP_KEY: flags.respiratory_depression(s, ctx.protocol, t, ctx.time),
        "How the session ended": (override_text(s.discharge, free_text=not ctx.deidentify)
                                  or "discharged, criteria met") if s.discharge
        else "not discharged yet",
        "File the form by": (deadline.astimezone().strftime("%Y-%m-%d")
                             if deadline and not ctx.deidentify else "within 7 days"),
    }
