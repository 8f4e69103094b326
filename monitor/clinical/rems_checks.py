"""What the REMS form needs from the bedside entries (CLINICAL §7)."""

from __future__ import annotations

from typing import Any

from monitor.clinical.protocols import Protocol

NO_LOT = ("No lot number: the REMS Patient Monitoring Form asks for the lot of the "
          "devices given; type it in Lot, or confirm to dose without it")


def lot_warnings(protocol: Protocol, payload: dict[str, Any]) -> list[str]:
    """A dose under a REMS protocol without a lot number asks for one."""
    if protocol.rems.applies and not payload.get("lot"):
        return [NO_LOT]
    return []
