"""A patient's course of infusions: the sessions with the same patient
identifier, in time order, and the facts of each one at a glance (dose,
duration, peaks, alarms, interventions, outcome measures).

Every figure is computed from the folded session, so corrections (amended,
struck, artifact entries) count as they do everywhere else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from monitor.clinical.outcomes import measures
from monitor.clinical.protocols import ProtocolSet
from monitor.clinical.scales import load_scales
from monitor.errors import ConfigError
from monitor.log.eventlog import EventLog
from monitor.model.events import EventKind
from monitor.model.parameters import fmt
from monitor.model.session import Phase, Priority, Session, fold

# Drug names (lower case, generic) recognised in free medication entries, per class.
DRUG_CLASSES: dict[str, tuple[str, ...]] = {
    "antiemetic": ("ondansetron", "granisetron", "metoclopramide", "prochlorperazine",
                   "droperidol", "promethazine", "dexamethasone", "scopolamine"),
    "benzodiazepine": ("midazolam", "lorazepam", "diazepam", "alprazolam", "clonazepam"),
    "antihypertensive": ("labetalol", "hydralazine", "metoprolol", "esmolol", "clonidine",
                         "nicardipine", "amlodipine", "captopril"),
}
INTERVENTIONS = (*DRUG_CLASSES, "pauses")


@dataclass(frozen=True)
class Extreme:
    """A peak or a lowest value, and when: minutes from infusion start (from the
    opening when dosing never started); negative before the start."""

    value: float
    minute: float


@dataclass
class SessionFacts:
    session_id: str
    number: int                      # 1 for the first session of the course
    opened_at: datetime
    days_since_first: float
    days_since_previous: float | None
    protocol: str
    phase: Phase
    dose_mg: float
    dose_mg_per_kg: float | None
    duration_min: float | None       # infusion start to stop (or to now while infusing)
    peak_sbp: Extreme | None
    peak_dbp: Extreme | None
    lowest_spo2: Extreme | None
    sedation_scale: str
    lowest_sedation: Extreme | None
    peak_dissociation: Extreme | None  # the quick 0-10 rating
    peak_cadss6: Extreme | None
    alarms_high: int
    alarms_medium: int
    interventions: dict[str, int]
    outcomes: dict[str, float] = field(default_factory=dict)
    relief_hours_reported_next: float | None = None

    def as_dict(self, *, deidentify: bool = False) -> dict[str, Any]:
        """Plain data for exports; de-identified rows drop the id and the date."""
        out = asdict(self)
        out["opened_at"] = self.opened_at.isoformat(timespec="seconds")
        if deidentify:
            del out["session_id"], out["opened_at"]
        return out


EXTREMES = ("peak_sbp", "peak_dbp", "lowest_spo2", "lowest_sedation", "peak_dissociation",
            "peak_cadss6")


def flat_columns() -> list[str]:
    """Columns of one flat row per session (the course CSV)."""
    return ["session", "session_id", "opened_at", "days_since_first", "days_since_previous",
            "protocol", "phase", "dose_mg", "dose_mg_per_kg", "duration_min",
            *[c for name in EXTREMES for c in (name, f"{name}_min")], "sedation_scale",
            "alarms_high", "alarms_medium", *INTERVENTIONS, *measures(),
            "relief_hours_reported_next"]


def flat(facts: SessionFacts, *, deidentify: bool = False) -> dict[str, Any]:
    """One session as a flat row; de-identified rows keep the intervals, not the date."""
    row: dict[str, Any] = {
        "session": facts.number,
        "session_id": "" if deidentify else facts.session_id,
        "opened_at": "" if deidentify else facts.opened_at.astimezone().isoformat(
            timespec="minutes"),
        **{k: getattr(facts, k) for k in (
            "days_since_first", "days_since_previous", "protocol", "phase", "dose_mg",
            "dose_mg_per_kg", "duration_min", "sedation_scale", "alarms_high",
            "alarms_medium", "relief_hours_reported_next")}}
    for name in EXTREMES:
        ext = getattr(facts, name)
        row[name] = None if ext is None else ext.value
        row[f"{name}_min"] = None if ext is None else ext.minute
    row.update(facts.interventions)
    for key in flat_columns():
        row.setdefault(key, facts.outcomes.get(key))
    return {key: row[key] for key in flat_columns()}


def extreme(session: Session, name: str, *, lowest: bool = False) -> Extreme | None:
    """The peak (or lowest) valid value of a parameter and its minute from infusion start."""
    assert session.opened_at is not None
    origin = (session.infusion_started_at or session.opened_at).timestamp()
    return _extreme(session, name, origin, lowest=lowest)


def _extreme(session: Session, name: str, origin: float, *, lowest: bool) -> Extreme | None:
    s = session.series[name]
    best: tuple[float, float] | None = None
    for t, v, art in zip(s.t.tolist(), s.v.tolist(), s.artifact.tolist(), strict=True):
        if art:
            continue
        if best is None or (v < best[1] if lowest else v > best[1]):
            best = (t, v)
    if best is None:
        return None
    return Extreme(best[1], round((best[0] - origin) / 60.0, 1))


def _interventions(session: Session) -> dict[str, int]:
    counts = dict.fromkeys(INTERVENTIONS, 0)
    for entry in session.entry_list:
        if not entry.counts:
            continue
        if entry.kind is EventKind.QUICK_EVENT and entry.payload.get("code") in DRUG_CLASSES:
            counts[entry.payload["code"]] += 1
        elif entry.kind is EventKind.MEDICATION:
            drug = str(entry.payload.get("drug", "")).lower()
            for cls, names in DRUG_CLASSES.items():
                if any(name in drug for name in names):
                    counts[cls] += 1
        elif entry.kind is EventKind.INFUSION_PAUSED:
            counts["pauses"] += 1
    return counts


def _outcomes(session: Session) -> dict[str, float]:
    """The latest value of each outcome measure; pain before and after fall back to the
    baseline pain rating and the last one after the infusion started."""
    out: dict[str, float] = {}
    for entry in session.entries_of(EventKind.OUTCOME):
        if entry.counts:
            out.update(entry.payload)
    if "pain_before" not in out and "pain" in session.baseline():
        out["pain_before"] = session.baseline()["pain"]
    started = session.infusion_started_at
    if "pain_after" not in out and started is not None:
        after = session.series["pain"].valid_between(started.timestamp(), float("inf"))
        if after:
            out["pain_after"] = after[-1]
    return out


def summarize(session: Session, sedation_scale: str, now: datetime) -> SessionFacts:
    """The facts of one session as of ``now`` (an open session: so far)."""
    started, stopped = session.infusion_started_at, session.infusion_stopped_at
    assert session.opened_at is not None
    origin = (started or session.opened_at).timestamp()
    duration = None
    if started is not None and session.dose_mode == "infusion":
        duration = round(((stopped or now) - started).total_seconds() / 60.0, 1)
    dose = session.dose_mg(now)
    alarms = [a.priority for a in session.alarms.values()]
    return SessionFacts(
        session_id=session.session_id, number=1, opened_at=session.opened_at,
        days_since_first=0.0, days_since_previous=None,
        protocol=session.protocol_id, phase=session.phase,
        dose_mg=round(dose, 1),
        dose_mg_per_kg=round(dose / session.weight_kg, 2) if session.weight_kg else None,
        duration_min=duration,
        peak_sbp=_extreme(session, "sbp", origin, lowest=False),
        peak_dbp=_extreme(session, "dbp", origin, lowest=False),
        lowest_spo2=_extreme(session, "spo2", origin, lowest=True),
        sedation_scale=sedation_scale,
        lowest_sedation=_extreme(session, sedation_scale, origin, lowest=True),
        peak_dissociation=_extreme(session, "dissociation", origin, lowest=False),
        peak_cadss6=_extreme(session, "cadss6_total", origin, lowest=False),
        alarms_high=alarms.count(Priority.HIGH),
        alarms_medium=alarms.count(Priority.MEDIUM),
        interventions=_interventions(session), outcomes=_outcomes(session))


def _sedation_scale(protocols: ProtocolSet, protocol_id: str) -> str:
    try:
        return protocols.get(protocol_id).sedation_scale
    except ConfigError:  # a session imported from a site with other protocols
        return "moaas"


def course_facts(sessions: list[Session], protocols: ProtocolSet,
                 now: datetime) -> list[SessionFacts]:
    """Facts of each session in time order, numbered, with the intervals between them
    and the hours of relief reported at the next visit."""
    ordered = sorted(sessions, key=lambda s: s.opened_at)  # type: ignore[arg-type, return-value]
    facts = [summarize(s, _sedation_scale(protocols, s.protocol_id), now) for s in ordered]
    for i, f in enumerate(facts):
        f.number = i + 1
        f.days_since_first = round((f.opened_at - facts[0].opened_at).total_seconds()
                                   / 86400.0, 2)
        if i:
            f.days_since_previous = round((f.opened_at - facts[i - 1].opened_at)
                                          .total_seconds() / 86400.0, 2)
            facts[i - 1].relief_hours_reported_next = f.outcomes.get("relief_hours")
    return facts


def patient_session_ids(store: EventLog, patient_id: str) -> list[str]:
    """Sessions of one patient identifier, oldest first."""
    ids = [s for s in store.summaries() if s.patient_id == patient_id]
    return [s.session_id for s in sorted(ids, key=lambda s: s.opened_at)]


def load_course(store: EventLog, patient_id: str) -> list[Session]:
    return [fold(sid, store.events(sid)) for sid in patient_session_ids(store, patient_id)]


def previous_session(store: EventLog, session: Session) -> Session | None:
    """The latest earlier session of the same patient (for the chart overlay)."""
    patient = str(session.opening.get("patient_id", ""))
    earlier = [s for s in store.summaries()
               if s.patient_id == patient and s.session_id != session.session_id
               and session.opened_at is not None and s.opened_at < session.opened_at]
    if not earlier:
        return None
    latest = max(earlier, key=lambda s: s.opened_at).session_id
    return fold(latest, store.events(latest))


# -- the compact table shown in the window and printed in the course report --------
TABLE_HEADER = ["#", "Date", "Protocol", "Dose", "Duration", "Peak BP", "Lowest SpO2",
                "Lowest sedation", "Peak dissociation", "Alarms", "Interventions",
                "Pain / mood before → after", "Relief at next visit"]
SHORT_INTERVENTION = {"antiemetic": "antiemetic", "benzodiazepine": "benzo",
                      "antihypertensive": "antihypertensive", "pauses": "pause"}


def _num(value: float) -> str:
    return fmt(value)


def _at(ext: Extreme | None, sep: str = " ") -> str:
    return "—" if ext is None else f"{_num(ext.value)}{sep}at {_num(ext.minute)} min"


def _peak_bp(f: SessionFacts) -> str:
    s, d = f.peak_sbp, f.peak_dbp
    if s is None or d is None:
        return _at(s or d)
    if s.minute == d.minute:
        return f"{_num(s.value)}/{_num(d.value)}\nat {_num(s.minute)} min"
    return f"{_at(s)}\n{_at(d)}"


def _before_after(f: SessionFacts) -> str:
    o = f.outcomes
    parts = []
    for label, before, after in (("pain", "pain_before", "pain_after"),
                                 ("MADRS", "madrs_before", "madrs_after")):
        if before in o or after in o:
            b = _num(o[before]) if before in o else "?"
            a = _num(o[after]) if after in o else "?"
            parts.append(f"{label} {b} → {a}")
    if "phq9" in o:
        parts.append(f"PHQ-9 {_num(o['phq9'])}")
    return "\n".join(parts) or "—"


def table_row(f: SessionFacts, *, deidentify: bool = False) -> list[str]:
    """One session in the compact form of the course view: short lines separated by
    newlines (the window shows them as lines; the PDF wraps them)."""
    when = f"day {_num(f.days_since_first)}" if deidentify else (
        f.opened_at.astimezone().strftime("%Y-%m-%d\n%H:%M"))
    if f.days_since_previous is not None:
        when += f" (+{_num(f.days_since_previous)} d)"
    dose = f"{_num(f.dose_mg)} mg" + (
        f"\n{_num(f.dose_mg_per_kg)} mg/kg" if f.dose_mg_per_kg is not None else "")
    duration = "—" if f.duration_min is None else f"{_num(f.duration_min)} min"
    if f.phase is Phase.INFUSING:
        duration += "\nso far"
    dissoc = _at(f.peak_dissociation)
    if f.peak_cadss6 is not None:
        dissoc += f"\nCADSS-6 {_num(f.peak_cadss6.value)}"
    given = [f"{SHORT_INTERVENTION[k]} {n}" for k, n in f.interventions.items() if n]
    sedation = "—" if f.lowest_sedation is None else (
        f"{load_scales().data[f.sedation_scale]['name']} {_at(f.lowest_sedation, chr(10))}")
    relief = ("—" if f.relief_hours_reported_next is None
              else f"{_num(f.relief_hours_reported_next)} h")
    return [str(f.number), when, f.protocol, dose, duration, _peak_bp(f),
            _at(f.lowest_spo2, "\n"), sedation, dissoc,
            f"{f.alarms_high} high\n{f.alarms_medium} medium",
            "\n".join(given) or "none", _before_after(f), relief]


def course_table(facts: list[SessionFacts], *, deidentify: bool = False
                 ) -> tuple[list[str], list[list[str]]]:
    header = list(TABLE_HEADER)
    if deidentify:
        header[1] = "Day"
    return header, [table_row(f, deidentify=deidentify) for f in facts]
