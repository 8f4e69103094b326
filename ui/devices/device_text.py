"""The device panel's words: what binding did, and what a device sends."""

from __future__ import annotations

from datetime import datetime

from monitor.devices.diagnostics import DeviceStatus
from monitor.devices.stored import patient_mismatch
from monitor.model.parameters import fmt, label, unit
from monitor.record.recorder import Recorder


def clock_time(when: datetime | None) -> str:
    return when.astimezone().strftime("%H:%M:%S") if when else "—"


def bind_message(dev: DeviceStatus | None, device: str, recorder: Recorder) -> str:
    """What binding did, naming the session's patient, and the monitor's if it differs."""
    session = recorder.session
    name = session.opening.get("display_name") or "(no name)"
    patient = session.opening.get("patient_id") or "(no id)"
    who = f"{device} ({dev.identity()})" if dev is not None else device
    text = (f"{who} now records into session {session.session_id}: {name}, "
            f"patient id {patient}.")
    wrong = patient_mismatch(session, dev.patient_id) if dev is not None else ""
    if wrong:
        text += (f" Warning: the monitor names patient {dev.patient_id if dev else ''}; its "
                 "values are refused until the monitor's patient is this one.")
    return text


def describe(dev: DeviceStatus) -> str:
    """What a device sends, in words: mapped values, and why other rows are not vitals."""
    out = [f"Device {dev.device_id}: {dev.messages} messages, {dev.errors} with errors, "
           f"{dev.recorded} values recorded.",
           f"Monitor: {dev.identity()}."]
    if dev.last_values:
        out.append("Last values: " + ", ".join(
            f"{label(p)} {fmt(v)} {unit(p)}".rstrip() + f" ({clock_time(t)})"
            for p, (v, t) in sorted(dev.last_values.items())))
    else:
        out.append("No vital sign mapped yet.")
    if dev.unknown_codes:
        out.append("Codes sent but not mapped (not recorded): " + ", ".join(
            f"{c} {n}".rstrip() for c, n in sorted(dev.unknown_codes.items())))
    if dev.skipped:
        out.append("Rows skipped: " + ", ".join(f"{n} {why}" for why, n in
                                                sorted(dev.skipped.items())))
    if dev.last_error:
        out.append(f"Last error: {dev.last_error}")
    return "\n".join(out)
