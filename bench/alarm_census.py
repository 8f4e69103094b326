"""The seeded demo's alarm census (issue 22 "Done when"): `make census`.

Runs the headless demo session (real core, real SQLite file, the simulated nurse
acknowledging about a minute after each alarm) for several seeds, without and with
a 1 Hz monitor (device HR and SpO2), and writes bench/alarm_census.json: alarms per
hour, re-announcements per alarm and, for every alarm, whether it was actionable:
tied to a value beyond a configured limit (a limit, a change from baseline, a
trend, a sedation drop, NEWS2 or a combination of those) or to an overdue
observation. A "no data" alarm is technical and is counted apart.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.app.simulator import DemoScript, open_demo, play
from monitor.clock import ManualClock
from monitor.log.sqlite.store import Store
from monitor.model.events import Event, EventKind

OUT = Path(__file__).parent / "alarm_census.json"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SEEDS = tuple(range(1, 11))
_RATE = re.compile(r" (?:up|down) ([\d.]+)\D[^(]*\(≥ ([\d.]+)\)")
_COMPOSED = ("combined", "resp_depression")


def actionable(p: dict[str, Any]) -> tuple[bool, str]:
    """Whether a raised alarm is tied to a value beyond a configured limit or an overdue
    observation, from what its own record says (an independent check of the rules)."""
    rule, key, value, limit = p["rule"], p["key"], p.get("value"), p.get("limit")
    if rule == "overdue":
        return True, "overdue observation"
    if rule == "stale":
        return False, "technical: no data from the monitor"
    if rule in _COMPOSED or rule == "dose":
        return True, f"{rule}: built from limit crossings" if rule != "dose" else "dose plan"
    if rule == "rate":
        m = _RATE.search(p["message"])
        return bool(m and float(m.group(1)) >= float(m.group(2))), "trend beyond its limit"
    if value is None or limit is None:
        return False, "no value or limit recorded"
    below = key.endswith(":low") or key.startswith("relative_fall") or rule == "assessment"
    beyond = value <= limit if below else value >= limit
    if rule == "assessment":
        beyond = value < limit  # below the pre-dose score
    return beyond, f"{rule}: {value:g} {'≤' if below else '≥'} {limit:g}"


def run(seed: int, device_rate: float, work: Path) -> dict[str, Any]:
    clock = ManualClock(START)
    with Store(work / f"census-{seed}-{device_rate:g}.db") as store:
        rec = open_demo(store, clock)
        play(DemoScript(seed, device_rate=device_rate), rec, clock, START)
        events: list[Event] = list(store.events(rec.session.session_id))
    s = rec.session
    hours = ((s.closed_at or clock.now()) - START).total_seconds() / 3600
    raised = [e for e in events if e.kind is EventKind.ALARM_RAISED]
    reann = [e for e in events if e.kind is EventKind.ALARM_REANNOUNCED]
    alarms = []
    for e in raised:
        ok, why = actionable(e.payload)
        alarms.append({"minute": round((e.observed_at - START).total_seconds() / 60, 1),
                       "key": e.payload["key"], "rule": e.payload["rule"],
                       "priority": e.payload["priority"], "message": e.payload["message"],
                       "actionable": ok, "why": why,
                       "reannounced": sum(r.payload["alarm_id"] == e.seq for r in reann)})
    return {"seed": seed, "device_hz": device_rate, "hours": round(hours, 2),
            "alarms": len(raised), "reannouncements": len(reann),
            "escalations": sum(e.kind is EventKind.ALARM_ESCALATED for e in events),
            "list": alarms}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    hours = sum(r["hours"] for r in runs)
    alarms = sum(r["alarms"] for r in runs)
    listed = [a for r in runs for a in r["list"]]
    return {"sessions": len(runs), "hours": round(hours, 2), "alarms": alarms,
            "alarms_per_hour": round(alarms / hours, 2) if hours else 0.0,
            "alarms_per_session_median": statistics.median(r["alarms"] for r in runs),
            "reannouncements": sum(r["reannouncements"] for r in runs),
            "reannouncements_per_alarm": round(
                sum(r["reannouncements"] for r in runs) / alarms, 2) if alarms else 0.0,
            "high": sum(a["priority"] == "high" for a in listed),
            "actionable": sum(a["actionable"] for a in listed),
            "all_actionable": all(a["actionable"] for a in listed),
            "by_rule": {rule: sum(a["rule"] == rule for a in listed)
                        for rule in sorted({a["rule"] for a in listed})}}


def table(result: dict[str, Any]) -> str:
    rows = ["| | sessions | hours | alarms | per hour | re-announced per alarm | high "
            "| actionable |", "|---|---|---|---|---|---|---|---|"]
    for name, s in result["summary"].items():
        rows.append(f"| {name} | {s['sessions']} | {s['hours']} | {s['alarms']} | "
                    f"{s['alarms_per_hour']} | {s['reannouncements_per_alarm']} | {s['high']} | "
                    f"{s['actionable']}/{s['alarms']} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help="seeds 1..N (≥ 10)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds: at least 1")
    seeds = range(1, args.seeds + 1)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        manual = [run(seed, 0.0, work) for seed in seeds]
        monitor = [run(seed, 1.0, work) for seed in seeds]
    result = {"what": "seeded demo sessions (chronic-pain-iv, 3 h 15 min each), the "
                      "simulated nurse acknowledging each alarm about a minute after it sounds",
              "summary": {"without a monitor": summary(manual),
                          "with a 1 Hz monitor": summary(monitor)},
              "runs": {"without a monitor": manual, "with a 1 Hz monitor": monitor}}
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(table(result))
    bad = [a for runs in result["runs"].values() for r in runs for a in r["list"]
           if not a["actionable"]]
    for a in bad:
        print(f"not actionable: {a['message']} ({a['why']})", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
