"""Build IHE PCD-01 ORU^R01 messages as a bedside monitor sends them: for the
simulated monitor of the demo, the benchmarks and the tests."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.devices.mdc import CODES
from monitor.model.parameters import REGISTRY

# The MDC unit of each mapped code's parameter (from the registry).
_UNIT = {p.key: p.mdc_unit for p in REGISTRY if p.device}
# The code a simulated monitor uses for each parameter: its first (preferred) one.
CODE_OF = {p.key: p.mdc[0].code for p in REGISTRY if p.device}


def hl7_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S.%f")[:-3] + "+0000"


def pcd01_message(device_id: str, control_id: str, when: datetime, rows: dict[int, float], *,
                  row_times: dict[int, datetime] | None = None, patient_id: str = "",
                  bed: str = "INF^^3", status: str = "R") -> str:
    """One ORU^R01: the device's EUI-64 in MSH-3 and OBX-18, one NM row per MDC code,
    each row's time in OBX-14 (``row_times`` overrides it, e.g. the NIBP cuff time);
    PID-3 when ``patient_id`` is given; ``status`` in every row's OBX-11."""
    stamp = hl7_time(when)
    segments = [
        f"MSH|^~\\&|SIM^{device_id}^EUI-64|WARD|||{stamp}||ORU^R01^ORU_R01|{control_id}|P|2.6"
        "|||NE|AL||UNICODE UTF-8|||PCD_DEC_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO",
        *([f"PID|||{patient_id}^^^^MR"] if patient_id else []),
        f"PV1||I|{bed}",
        f"OBR|1|{control_id}|{control_id}|182777000^monitoring of patient^SCT|||{stamp}",
    ]
    for i, (code, value) in enumerate(rows.items(), 1):
        unit = _UNIT[CODES[code].param] if code in CODES else "262656^MDC_DIM_DIMLESS"
        at = hl7_time((row_times or {}).get(code, when))
        segments.append(f"OBX|{i}|NM|{code}^^MDC|1.1.1.{i}|{value:g}|{unit}^MDC|||||{status}|||{at}"
                        f"||||{device_id}^EUI-64")
    return "\r".join(segments) + "\r"
