"""The server's append-only triggers checked by what they run, not by their names.

A superuser (or a future migration gone wrong) can replace a trigger function
with one that does nothing while keeping every name: each trigger on ``events``
must be enabled, call the function ``clinic init`` made for it, and that
function's body must be the one in ``monitor.clinic.schema`` (whitespace aside).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from monitor.clinic.schema import TABLES, TRIGGERS

#: function name -> its body as ``clinic init`` writes it
FUNCTIONS = dict(re.findall(r"CREATE OR REPLACE FUNCTION (\w+)\(\).*?AS \$\$(.*?)\$\$;",
                            TABLES, re.S))
#: trigger name -> the function it must execute
CALLS = dict(re.findall(r"CREATE TRIGGER (\w+) .*?EXECUTE FUNCTION (\w+)\(\)", TABLES, re.S))

#: (trigger, enabled flag, function name, function body) of each trigger on events
QUERY = ("SELECT t.tgname, t.tgenabled, p.proname, p.prosrc FROM pg_trigger t "
         "JOIN pg_proc p ON p.oid = t.tgfoid "
         "WHERE t.tgrelid = 'events'::regclass AND NOT t.tgisinternal")


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def trigger_problems(rows: Iterable[tuple[str, str, str, str]]) -> list[str]:
    """What is wrong with the triggers found (rows of ``QUERY``); [] when all hold."""
    found = {name: (enabled, func, body) for name, enabled, func, body in rows}
    out = []
    for name in TRIGGERS:
        if name not in found or found[name][0] == "D":
            out.append(f"trigger {name} is missing or disabled")
            continue
        _enabled, func, body = found[name]
        if func != CALLS[name]:
            out.append(f"trigger {name} runs {func}, not {CALLS[name]}")
        elif not _same(body, FUNCTIONS[func]):
            out.append(f"trigger {name}: its function {func} was replaced by one with "
                       "another definition")
    return out
