"""Build IHE PCD-01 ORU^R01 messages as a bedside monitor sends them: for the
simulated monitor of the demo, the benchmarks and the tests."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.devices.mdc import CODES

# The MDC unit of each mapped code's parameter.
_UNIT = {"sbp": "266016^MDC_DIM_MMHG", "dbp": "266016^MDC_DIM_MMHG", "map": "266016^MDC_DIM_MMHG",
         "hr": "264864^MDC_DIM_BEAT_PER_MIN", "rr": "264928^MDC_DIM_RESP_PER_MIN",
         "spo2": "262688^MDC_DIM_PERCENT", "temp": "268192^MDC_DIM_DEGC"}
# The code a simulated monitor uses for each parameter.
CODE_OF = {"sbp": 150021, "dbp": 150022, "map": 150023, "hr": 147842, "spo2": 150456,
           "rr": 151562, "temp": 150344}


def hl7_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S.%f")[:-3] + "+0000"


def pcd01_message(device_id: str, control_id: str, when: datetime, rows: dict[int, float], *,
                  row_times: dict[int, datetime] | None = None) -> str:
    """One ORU^R01: the device's EUI-64 in MSH-3 and OBX-18, one NM row per MDC code,
    each row's time in OBX-14 (``row_times`` overrides it, e.g. the NIBP cuff time)."""
    stamp = hl7_time(when)
    segments = [
        f"MSH|^~\\&|SIM^{device_id}^EUI-64|WARD|||{stamp}||ORU^R01^ORU_R01|{control_id}|P|2.6"
        "|||NE|AL||UNICODE UTF-8|||PCD_DEC_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO",
        "PV1||I|INF^^3",
        f"OBR|1|{control_id}|{control_id}|182777000^monitoring of patient^SCT|||{stamp}",
    ]
    for i, (code, value) in enumerate(rows.items(), 1):
        unit = _UNIT[CODES[code].param] if code in CODES else "262656^MDC_DIM_DIMLESS"
        at = hl7_time((row_times or {}).get(code, when))
        segments.append(f"OBX|{i}|NM|{code}^^MDC|1.1.1.{i}|{value:g}|{unit}^MDC|||||R|||{at}"
                        f"||||{device_id}^EUI-64")
    return "\r".join(segments) + "\r"
