"""What one notification changed, for the views: the events it brought, the rules as
they stand after it, and whether the derived state was folded again. Views draw from
this, never from their own bookkeeping of what they have already seen.

The recorder says it after each commit or tick; a reader of a log that another
process writes (the clinic board) says it after each read (``fold_read``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from monitor.clinical.protocols import ProtocolSet
from monitor.clinical.rules.engine import Evaluation, evaluate
from monitor.clinical.session_protocol import protocol_in_force
from monitor.model.events import Event, EventKind
from monitor.model.session import SERIES_PARAMS, Session

# The entries whose values become chart points (one per parameter, when folded in order).
POINT_KINDS = frozenset({EventKind.VITALS, EventKind.ASSESSMENT})


@dataclass(frozen=True)
class Change:
    """What one commit, tick or read changed."""

    events: list[Event]      # new in the session (entries, then rule decisions)
    evaluation: Evaluation   # the rules as they stand after it
    rebuilt: bool            # the derived state was folded again: redraw everything

    def points(self) -> Counter[str]:
        """How many points each series gained: one per parameter of each new vitals
        or assessment entry. Only meaningful when not ``rebuilt`` (a rebuild folds
        every series again, and the views redraw them whole)."""
        added: Counter[str] = Counter()
        for ev in self.events:
            if ev.kind in POINT_KINDS:
                added.update(name for name in ev.payload if name in SERIES_PARAMS)
        return added


def fold_in(session: Session, events: list[Event]) -> bool:
    """Fold events just read from the log into ``session``; True when that folded its
    derived state again (a correction, a back-dated entry, an unreadable record)."""
    rebuilds = session.rebuilds
    session.extend(events)
    return session.rebuilds != rebuilds


def fold_read(session: Session, events: list[Event], protocols: ProtocolSet,
              now: datetime) -> Change:
    """Fold events just read from the log (another process wrote them) into ``session``
    and say what changed, with the rules evaluated at ``now`` (to show, never to
    record: the session's owner records alarm decisions)."""
    rebuilt = fold_in(session, events)
    return Change(list(events), evaluate(session, protocol_in_force(session, protocols), now),
                  rebuilt)
