"""The Spravato REMS monitoring form items, derived from the session."""

from __future__ import annotations

from datetime import datetime

from monitor.events import EventKind
from monitor.export.context import ExportContext
from monitor.parameters import fmt
from monitor.predose import latest_checklist
from monitor.series import Series
from monitor.session import Entry
from monitor.vocabulary import CHECKLIST_ITEMS, MEDICATION_ITEMS


def _bp_text(ctx: ExportContext, e: Entry | None, missing: str) -> str:
    if e is None:
        return missing
    return f"{fmt(e.payload['sbp'])}/{fmt(e.payload.get('dbp', 0))} at {ctx.time(e.observed_at)}"


def _bp_entries(ctx: ExportContext) -> list[Entry]:
    return [e for e in ctx.entries(EventKind.VITALS) if e.counts and "sbp" in e.payload
            and not e.is_artifact("sbp")]


def _bp_last_before(ctx: ExportContext, when: datetime) -> Entry | None:
    before = [e for e in _bp_entries(ctx) if e.observed_at <= when]
    return before[-1] if before else None


def _bp_near_40(ctx: ExportContext, dosed: datetime) -> Entry | None:
    """The reading nearest 40 min after dosing, within the REMS window (30-50 min)."""
    lo, hi = (float(v) for v in ctx.protocol.get("rems.bp40_window_min") or (30, 50))
    inside = [e for e in _bp_entries(ctx)
              if lo * 60 <= (e.observed_at - dosed).total_seconds() <= hi * 60]
    return min(inside, key=lambda e: abs((e.observed_at - dosed).total_seconds() - 2400),
               default=None)


def _after(series: Series, t: float) -> list[float]:
    return series.valid_between(t + 1e-6, float("inf"))


def rems_items(ctx: ExportContext) -> dict[str, str]:
    """The REMS form items. Sedation, dissociation and respiratory depression count only
    readings after dosing; the 40-min BP is "not taken" outside 30-50 min."""
    s = ctx.session
    dosed = s.infusion_started_at
    if dosed is None:
        return {"Dosed": "no"}
    end = s.discharged_at or s.events[-1].observed_at
    t = dosed.timestamp()
    base = s.baseline()
    moaas = _after(s.series["moaas"], t)
    sedation = "moaas" in base and any(v < base["moaas"] for v in moaas)
    dissociation = any(v > base.get(name, 0.0)
                       for name in ("cadss6_total", "dissociation")
                       for v in _after(s.series[name], t))
    resp = (any(v <= 8 for v in _after(s.series["rr"], t))
            or any(v <= 91 for v in _after(s.series["spo2"], t)))
    ready = (s.discharge or {}).get("ready_to_leave_at")
    dose = s.timeline.boluses[0][1] if s.timeline.boluses else 0.0
    starts = s.entries_of(EventKind.INFUSION_STARTED)
    lot = starts[0] if starts else None
    answers = latest_checklist(s) or {}
    meds = [CHECKLIST_ITEMS[k].removeprefix("Concomitant ")
            for k in MEDICATION_ITEMS if answers.get(k) == "yes"]
    asked = any(k in answers for k in MEDICATION_ITEMS)
    return {
        "Dose (mg)": fmt(dose),
        "Lot": ctx.text(lot.payload.get("lot")) if lot else "",
        "BP before dosing": _bp_text(ctx, _bp_last_before(ctx, dosed), "not recorded"),
        "BP about 40 min after dosing": _bp_text(ctx, _bp_near_40(ctx, dosed), "not taken"),
        "BP before discharge": _bp_text(ctx, _bp_last_before(ctx, end), "not recorded"),
        "Total minutes monitored": f"{(end - dosed).total_seconds() / 60:.0f}",
        "Ready to leave at": ctx.time(datetime.fromisoformat(ready)) if ready else "",
        "Sedation (any MOAA/S drop)": "yes" if sedation else "no",
        "Dissociation": "yes" if dissociation else "no",
        "Respiratory depression (RR ≤ 8 or SpO2 ≤ 91)": "yes" if resp else "no",
        "Concomitant benzodiazepines, opioids, psychostimulants, MAOIs":
            (", ".join(meds) or "none") if asked else "not asked",
    }
