"""One reason to alarm, and the alarm row it shows in."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.model.parameters import PARAMETERS, rail_row_of
from monitor.model.session import PRIORITY_RANK, Priority

# One alarm per parameter: the parts of one measurement (or one scale family) share it.
MEASUREMENT = {p: rail_row_of(p) for p in PARAMETERS}
# An alarm's other reasons follow its leading one: "SBP 186 ≥ 180 (also: DBP 112 ≥ 110)".
ALSO = " (also: "


@dataclass(frozen=True)
class Condition:
    key: str
    rule: str
    parameter: str
    priority: Priority
    message: str
    value: float | None = None
    limit: float | None = None
    also: tuple[str, ...] = ()    # the other reasons of the same parameter's alarm
    row: str = ""                 # the alarm row it joins, when not its parameter's own

    @property
    def rank(self) -> int:
        return PRIORITY_RANK[self.priority]

    @property
    def group(self) -> str:
        """The alarm row: one per parameter (one measurement), unless it joins another."""
        return self.row or group_of(self.parameter)


def group_of(param: str) -> str:
    return MEASUREMENT.get(param, param)


def lead_reason(message: str) -> str:
    """An alarm message's leading reason, without the other reasons listed after it."""
    return message.partition(ALSO)[0]
