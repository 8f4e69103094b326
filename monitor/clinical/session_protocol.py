"""The protocol in force for a session, as recorded in the session itself.

The opening entry carries a full copy of the protocol (limits, dose plan,
cadence, alarm timing) as it was when the session opened; limit changes are
their own events. A later rename, edit or removal of a site protocol therefore
never changes what an old session shows or exports."""

from __future__ import annotations

import copy
from typing import Any

from monitor.clinical.protocols import Protocol, ProtocolSet, validate_protocol
from monitor.errors import ConfigError
from monitor.model.session import Session

SNAPSHOT_KEY = "protocol_snapshot"


def snapshot(protocol: Protocol) -> dict[str, Any]:
    return copy.deepcopy(protocol.data)


def protocol_in_force(session: Session, protocols: ProtocolSet) -> Protocol:
    """The session's recorded protocol; sessions recorded before copies were kept
    fall back to the protocol of that id as configured now."""
    data = session.opening.get(SNAPSHOT_KEY)
    if data is None:
        return protocols.get(session.protocol_id)
    source = f"the protocol recorded in session {session.session_id}"
    if not isinstance(data, dict):
        raise ConfigError(f"{source} is not a table")
    proto = validate_protocol(data, source, recorded=True)
    return Protocol(proto.id, proto.name, proto.data, "session")
