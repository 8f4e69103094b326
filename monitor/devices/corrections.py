"""OBX-11 ``C``: a device corrects a value it sent before. The correction amends
the stored entry (the old value stays in the audit trail, the reason names the
device and the message), so it is never a second reading at the same time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.devices.stored import device_entries_at, device_value
from monitor.errors import MonitorError
from monitor.model.parameters import fmt, label

if TYPE_CHECKING:
    from monitor.devices.pcd01 import Parsed, Sample
    from monitor.record.recorder import Recorder


def apply_correction(recorder: Recorder, parsed: Parsed, sample: Sample) -> tuple[int, str]:
    """Amend the entry ``parsed.device_id`` recorded at the sample's time. Returns
    (values recorded, problem): a correction already applied records nothing; one
    with nothing to correct records nothing and says so."""
    session, device = recorder.session, parsed.device_id
    value = device_value(sample.param, sample.value)
    what = f"{label(sample.param)} {fmt(value)} at {sample.observed_at.isoformat()}"
    targets = device_entries_at(session, sample.param, sample.observed_at, device)
    if not targets:
        return 0, (f"OBX-11 C correction {what}: device {device} recorded no "
                   f"{label(sample.param)} at that time; not recorded")
    target = targets[-1]
    if float(target.payload[sample.param]) == value:
        return 0, ""   # already corrected (a resend of the correction)
    try:
        recorder.amend(device, target.seq, {sample.param: value},
                       f"OBX-11 C: correction sent by device {device} in message "
                       f"{parsed.control_id}")
    except MonitorError as exc:
        return 0, f"OBX-11 C correction {what} not recorded: {exc}"
    return 1, ""
