"""One-line, nurse-readable descriptions of events, shared by the window's log
and the PDF report. An event that refers to an alarm by its number (acknowledged,
announced again, resolved) is named by what the alarm was about then:
"SBP 186 ≥ 180 (HIGH) acknowledged: seen"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from monitor.clinical.discharge_override import discharge_text
from monitor.clinical.outcomes import measures
from monitor.clinical.rules.condition import lead_reason
from monitor.model.events import Event, EventKind
from monitor.model.parameters import REGISTRY, VITAL, fmt
from monitor.model.vocabulary import CHECKLIST_ITEMS, checklist_label

# Vitals after BP (which reads as one "BP 128/82"), in registry order.
VITAL_ORDER = tuple((p.key, p.label) for p in REGISTRY
                    if p.group == VITAL and p.rail != "bp")
ASSESS_ORDER = (("moaas", "MOAA/S"), ("rass", "RASS"), ("acvpu", "ACVPU"),
                ("cadss6_total", "CADSS-6"), ("dissociation", "dissoc."), ("pain", "pain"),
                ("nausea", "nausea"), ("anxiety", "anxiety"), ("perceptual", "perceptual"))


NAMING = frozenset({EventKind.ALARM_RAISED, EventKind.ALARM_ESCALATED})
REFERRING = frozenset({EventKind.ALARM_ACKNOWLEDGED, EventKind.ALARM_REANNOUNCED,
                       EventKind.ALARM_RESOLVED})


def alarm_name(payload: dict[str, Any]) -> str:
    """An alarm's leading reason and priority: "SBP 186 ≥ 180 (HIGH)"."""
    return f"{lead_reason(str(payload.get('message', '')))} ({payload['priority'].upper()})"


class AlarmNames:
    """What each alarm was about when an event referred to it by number: the message
    and priority of its raise or last escalation before that event. Fed the session's
    events in the order they were appended (an escalation after an acknowledgement
    does not change what was acknowledged)."""

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._now: dict[int, str] = {}    # alarm number -> its name as it stands
        self._then: dict[int, str] = {}   # referring event's seq -> the name it referred to
        self.add(events)

    def add(self, events: Iterable[Event]) -> None:
        for ev in events:
            kind = ev.kind
            if kind not in NAMING and kind not in REFERRING:
                continue
            p = ev.payload
            try:
                alarm = ev.seq if kind is EventKind.ALARM_RAISED else int(p["alarm_id"])
                if kind in NAMING:
                    self._now[alarm] = alarm_name(p)
                elif alarm in self._now:
                    self._then[ev.seq] = self._now[alarm]
            except (KeyError, TypeError, ValueError, AttributeError):
                continue  # a damaged alarm event: the description says so, not this

    def about(self, ev: Event) -> str | None:
        """The alarm ``ev`` refers to, as it stood then (None: not an alarm's event)."""
        return self._then.get(ev.seq)


def _keep(text: str | None) -> str:
    return text or ""


def describe(kind: EventKind, p: dict[str, Any],
             text: Callable[[str | None], str] = _keep, alarm: str | None = None) -> str:
    """``text`` filters free text (de-identified exports pass one that drops it);
    ``alarm`` names the alarm an acknowledgement, re-announcement or resolution
    refers to (``AlarmNames.about``; without it, its number).
    An event whose payload does not fit its kind (a damaged record) is described as
    unreadable instead of failing the view that shows it."""
    try:
        return _describe(kind, p, text, alarm)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return f"unreadable {kind.value.replace('_', ' ')}"


def _describe(kind: EventKind, p: dict[str, Any], text: Callable[[str | None], str],
              alarm: str | None) -> str:
    if kind is EventKind.VITALS:
        parts = []
        if "sbp" in p or "dbp" in p:
            parts.append(f"BP {fmt(p['sbp']) if 'sbp' in p else '—'}/"
                         f"{fmt(p['dbp']) if 'dbp' in p else '—'}")
        parts += [f"{name} {fmt(p[k])}" for k, name in VITAL_ORDER if k in p]
        if p.get("o2") == "oxygen":
            parts.append("on O2")
        if p.get("artifact_values"):  # a device sample's implausible values, kept as artifacts
            parts.append("artifact: " + " ".join(
                f"{k} {v}" for k, v in p["artifact_values"].items()))
        if p.get("as_sent"):  # converted by the capture (kPa to mmHg): what the device sent
            parts.append("as sent: " + " ".join(f"{k} {v}" for k, v in p["as_sent"].items()))
        if p.get("confirmed"):
            parts.append("confirmed by the nurse")
        return ", ".join(parts)
    if kind is EventKind.ASSESSMENT:
        parts = [f"{name} {p[k]}" for k, name in ASSESS_ORDER if k in p]
        if text(p.get("comment")):
            parts.append(f"“{text(p.get('comment'))}”")
        return ", ".join(parts)
    if kind is EventKind.INFUSION_STARTED:
        if p.get("mode") == "single":
            return f"dose {fmt(p['dose_mg'])} mg {p.get('route', '')}".strip()
        return f"start {fmt(p['rate'])} {p['rate_unit']}"
    if kind is EventKind.RATE_CHANGED:
        return f"rate {fmt(p['rate'])} {p['rate_unit']}"
    if kind is EventKind.INFUSION_PAUSED:
        reason = text(p.get("reason"))
        return "paused" + (f": {reason}" if reason else "")
    if kind is EventKind.BOLUS:
        return f"bolus {fmt(p['dose_mg'])} mg"
    if kind is EventKind.MEDICATION:
        return f"{text(p.get('drug')) or 'medication'} {fmt(p['dose'])} {p['unit']} {p['route']}"
    if kind is EventKind.QUICK_EVENT:
        return str(p.get("label")) + (f" {fmt(p['dose'])} {p.get('unit')}" if "dose" in p else "")
    if kind is EventKind.OUTCOME:
        known = measures()
        return ", ".join(f"{known[k].name if k in known else k} {fmt(v)}" for k, v in p.items())
    if kind is EventKind.NOTE:
        return text(p.get("text")) or "(note removed)"
    if kind is EventKind.WEIGHED:
        return f"re-weighed {fmt(p['weight_kg'])} kg"
    if kind is EventKind.CHECKLIST:
        return "checklist: " + checklist_text(p.get("answers", {}))
    if kind in (EventKind.ALARM_RAISED, EventKind.ALARM_ESCALATED):
        return f"{p.get('priority', '').upper()} {p.get('message', '')}"
    if kind in REFERRING:
        return _referring(kind, p, text, alarm or f"alarm {p['alarm_id']}")
    if kind in (EventKind.AMENDED, EventKind.STRUCK, EventKind.ARTIFACT):
        reason = text(p.get("reason"))
        return f"entry {p['target_seq']}" + (f": {reason}" if reason else "")
    if kind is EventKind.LIMIT_CHANGED:
        return f"{p['limit']} {p['old']} → {p['new']}"
    if kind is EventKind.SOUND_MODE_CHANGED:
        return f"bedside sound {p['old']} → {p['new']}: {text(p.get('reason'))}"
    if kind is EventKind.DISCHARGED:  # which act, and who decided (CLINICAL §7)
        sentence = discharge_text(p, text)
        return sentence[0].lower() + sentence[1:]
    if kind is EventKind.SESSION_OPENED:
        return f"{p.get('protocol')}, {fmt(p.get('weight_kg', 0))} kg"
    return kind.value.replace("_", " ")


def _referring(kind: EventKind, p: dict[str, Any], text: Callable[[str | None], str],
               alarm: str) -> str:
    if kind is EventKind.ALARM_ACKNOWLEDGED:
        comment = text(p.get("comment"))
        return f"{alarm} acknowledged: {p.get('action')}" + (f" ({comment})" if comment else "")
    verb = "resolved" if kind is EventKind.ALARM_RESOLVED else "announced again"
    return f"{alarm} {verb}" + (f": {p['reason']}" if p.get("reason") else "")


def checklist_text(answers: dict[str, Any]) -> str:
    """The pre-infusion checklist's answers in the window's words and order ("Fasting as
    instructed yes, Contraindications asked yes, Pregnant no, …"), without the labels'
    bracketed examples; an item this version does not know comes last, in words."""
    order = [k for k in CHECKLIST_ITEMS if k in answers] + sorted(
        k for k in answers if k not in CHECKLIST_ITEMS)
    return ", ".join(f"{checklist_label(k).split(' (', 1)[0]} {answers[k]}" for k in order)
