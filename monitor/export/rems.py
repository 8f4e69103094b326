"""The Spravato REMS monitoring form items, derived from the session."""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.events import EventKind
from monitor.export.context import ExportContext
from monitor.parameters import fmt


def _bp_near(ctx: ExportContext, target: datetime, before: bool = False) -> str:
    best = None
    for e in ctx.entries(EventKind.VITALS):
        if not e.counts or "sbp" not in e.payload:
            continue
        if before and e.observed_at > target:
            continue
        gap = abs((e.observed_at - target).total_seconds())
        if best is None or gap < best[0]:
            best = (gap, e)
    if best is None:
        return "not recorded"
    e = best[1]
    return f"{fmt(e.payload['sbp'])}/{fmt(e.payload.get('dbp', 0))} at {ctx.time(e.observed_at)}"


def rems_items(ctx: ExportContext) -> dict[str, str]:
    s = ctx.session
    dosed = s.infusion_started_at
    if dosed is None:
        return {"Dosed": "no"}
    end = s.discharged_at or s.events[-1].observed_at
    base = s.baseline()
    moaas = s.series["moaas"]
    sedation = bool(len(moaas) and "moaas" in base
                    and (moaas.v[~moaas.artifact] < base["moaas"]).any())
    cadss = s.series["cadss6_total"]
    dissoc = s.series["dissociation"]
    dissociation = bool((len(cadss) and cadss.v.max() > 0) or (len(dissoc) and dissoc.v.max() > 0))
    rr = s.series["rr"]
    spo2 = s.series["spo2"]
    resp = bool((len(rr) and (rr.v[~rr.artifact] <= 8).any())
                or (len(spo2) and (spo2.v[~spo2.artifact] <= 91).any()))
    ready = (s.discharge or {}).get("ready_to_leave_at")
    dose = s.timeline.boluses[0][1] if s.timeline.boluses else 0.0
    lot = (s.entries_of(EventKind.INFUSION_STARTED) or [None])[0]
    return {
        "Dose (mg)": fmt(dose),
        "Lot": ctx.text(lot.payload.get("lot")) if lot else "",
        "BP before dosing": _bp_near(ctx, dosed, before=True),
        "BP about 40 min after dosing": _bp_near(ctx, dosed + timedelta(minutes=40)),
        "BP before discharge": _bp_near(ctx, end, before=True),
        "Total minutes monitored": f"{(end - dosed).total_seconds() / 60:.0f}",
        "Ready to leave at": ctx.time(datetime.fromisoformat(ready)) if ready else "",
        "Sedation (any MOAA/S drop)": "yes" if sedation else "no",
        "Dissociation": "yes" if dissociation else "no",
        "Respiratory depression (RR ≤ 8 or SpO2 ≤ 91)": "yes" if resp else "no",
    }
