"""Protocols are parsed once into frozen sections: every key of the schema has its
field, the numbers stay as the file wrote them, and a broken rule is refused with a
message naming the file and the key instead of failing later, at the bedside."""

from __future__ import annotations

import dataclasses
import sqlite3
import tomllib
from contextlib import closing
from pathlib import Path

import pytest

import monitor.clinical.protocols as protocols_pkg
from monitor.clinical.protocols import _SCHEMA, Protocol, load_protocols, load_site, shipped
from monitor.clinical.protocols.sections import (
    Alarms,
    Assessment,
    Cadence,
    DosePlan,
    Header,
    News2,
    RateRule,
    RelativeRule,
    Rems,
)
from monitor.errors import ConfigError
from monitor.model.session import Phase, Priority
from tests.conftest import baseline_vitals

SHIPPED = Path(protocols_pkg.__file__).parent
TABLES = {"protocol": Header, "dose_plan": DosePlan, "cadence": Cadence, "assessment": Assessment,
          "alarms": Alarms, "news2": News2, "rems": Rems}


@pytest.mark.hazard("H-296")
@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_key_of_the_schema_has_its_field(table):
    fields = {f.name for f in dataclasses.fields(TABLES[table])} - {"applies"}
    assert fields == set(_SCHEMA[table])


@pytest.mark.hazard("H-296")
def test_rules_per_parameter_have_their_fields():
    for table, cls in (("relative", RelativeRule), ("rate_of_change", RateRule)):
        for rule in _SCHEMA[table].values():
            assert {f.name for f in dataclasses.fields(cls)} == set(rule)


@pytest.mark.hazard("H-296")
def test_no_reading_by_dotted_string_and_nothing_changes_after_parsing():
    proto = load_protocols().get("chronic-pain-iv")
    assert not hasattr(Protocol, "get")
    with pytest.raises(dataclasses.FrozenInstanceError):
        proto.alarms.reannounce_min = 60  # type: ignore[misc]
    with pytest.raises(TypeError):
        proto.relative["sbp"] = proto.relative["sbp"]  # type: ignore[index]
    copy = proto.limits("sbp")  # a copy: changing it changes nothing
    copy["high_high"] = 1
    assert proto.limits("sbp")["high_high"] == 180


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.toml")), ids=lambda p: p.stem)
def test_sections_say_what_the_file_says(path):
    """Read back with tomllib, independently of our loader: the same values, of the
    same type (an int stays an int, so the log and the exports read as before)."""
    raw = tomllib.loads(path.read_text("utf-8"))
    proto = shipped()[raw["protocol"]["id"]]
    for table, cls in TABLES.items():
        section = getattr(proto, "header" if table == "protocol" else table)
        assert isinstance(section, cls)
        for key, value in raw.get(table, {}).items():
            got = getattr(section, key)
            got = got.value if isinstance(got, Priority) else got
            expected = tuple(value) if isinstance(value, list) else value
            assert (got, type(got)) == (expected, type(expected)), f"{table}.{key}"
    for param, lim in raw["limits"].items():
        assert proto.limits(param) == lim
        assert [type(v) for v in proto.limits(param).values()] == [type(v) for v in lim.values()]
    for param, rule in raw.get("rate_of_change", {}).items():
        for key, value in rule.items():
            assert getattr(proto.rate_of_change[param], key) == value
    assert proto.checklist == tuple(raw["checklist"]["items"])


def test_site_overrides_reach_the_sections(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[protocols.chronic-pain-iv.alarms]\nreannounce_min = 4\n'
                    'overdue_priority = "low"\n'
                    '[protocols.chronic-pain-iv.cadence]\nsedation_recovery = 20\n', "utf-8")
    proto = load_site(site, shipped())["chronic-pain-iv"]
    assert proto.alarms.reannounce_min == 4
    assert proto.alarms.overdue_priority is Priority.LOW
    assert proto.cadence.sedation(Phase.RECOVERY) == 20
    assert proto.cadence.sedation(Phase.INFUSING) == 15  # the shipped value stays
    assert proto.cadence.vitals(Phase.BASELINE) is None


@pytest.mark.hazard("H-297")
def test_a_rate_rule_without_its_window_is_refused_naming_the_key(tmp_path):
    """It passed the checks before and failed only when the rule first ran."""
    site = tmp_path / "site.toml"
    site.write_text("[protocols.chronic-pain-iv.rate_of_change]\nhr = { rise = 30 }\n", "utf-8")
    with pytest.raises(ConfigError) as refused:
        load_site(site, shipped())
    assert str(refused.value) == (f"{site} [protocols.chronic-pain-iv]: missing key "
                                  "'rate_of_change.hr.window_min'")
    problems = load_protocols(site).problems
    assert problems and "rate_of_change.hr.window_min" in problems[0]


def test_alarm_payloads_keep_the_protocols_numbers(recorder, store, db_path):
    """SBP 200 over the shipped 180: the limit is stored as 180, as before parsing."""
    baseline_vitals(recorder, sbp=200)
    with closing(sqlite3.connect(db_path)) as conn:
        (text,) = conn.execute(
            "SELECT payload FROM events WHERE kind = 'alarm_raised'").fetchone()
    assert '"limit":180,' in text and '"priority":"high"' in text
